//! A small leveled logger to stderr (or captured in memory for tests). Every line is made printable:
//! messages carry text from the API, and a CR/LF or terminal escape in it must not forge a log line
//! or reach the terminal.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" | "warning" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Lines kept by a capturing logger.
type Captured = Arc<Mutex<Vec<(Level, String)>>>;

#[derive(Clone)]
pub struct Logger {
    min: Level,
    captured: Option<Captured>,
    /// Lines said once per process (`log_once`); shared by the clones of one logger.
    said: Arc<Mutex<HashSet<String>>>,
}

impl Logger {
    pub fn stderr(min: Level) -> Self {
        Self { min, captured: None, said: Arc::default() }
    }

    /// Keeps every line (all levels) for assertions.
    pub fn capture() -> Self {
        Self { min: Level::Debug, captured: Some(Arc::new(Mutex::new(Vec::new()))), said: Arc::default() }
    }

    pub fn lines(&self) -> Vec<(Level, String)> {
        self.captured.as_ref().map(|c| c.lock().unwrap_or_else(|p| p.into_inner()).clone()).unwrap_or_default()
    }

    pub fn log(&self, level: Level, message: &str) {
        if level < self.min {
            return;
        }
        let message = printable(message);
        match &self.captured {
            Some(c) => c.lock().unwrap_or_else(|p| p.into_inner()).push((level, message.into_owned())),
            None => eprintln!("{:5} {message}", level.label()),
        }
    }

    /// Logs `message` at `level` the first time this logger (or a clone) sees it, at debug after that:
    /// for notices about the installation that would otherwise repeat on every scheduled run.
    pub fn log_once(&self, level: Level, message: &str) {
        let first = self.said.lock().unwrap_or_else(|p| p.into_inner()).insert(message.to_string());
        self.log(if first { level } else { Level::Debug }, message);
    }

    pub fn debug(&self, m: &str) {
        self.log(Level::Debug, m)
    }
    pub fn info(&self, m: &str) {
        self.log(Level::Info, m)
    }
    pub fn warn(&self, m: &str) {
        self.log(Level::Warn, m)
    }
    pub fn error(&self, m: &str) {
        self.log(Level::Error, m)
    }
}

// The component's own rule for text from the API, shared as it is (the file is std-only).
#[path = "../../guest/src/printable.rs"]
mod text;
pub use text::printable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_control_characters_is_logged_as_one_escaped_line() {
        let logger = Logger::capture();
        logger.warn("Failed: boom\r\nerror forged \u{1b}[2J\u{9b}x\u{2028}");
        assert_eq!(logger.lines(), vec![(Level::Warn, "Failed: boom\\r\\nerror forged \\u{1b}[2J\\u{9b}x\\u{2028}".to_string())]);
    }

    #[test]
    fn a_notice_logged_once_is_debug_on_its_repeats_across_clones() {
        let logger = Logger::capture();
        logger.log_once(Level::Info, "not served");
        logger.clone().log_once(Level::Info, "not served");
        logger.log_once(Level::Info, "another");
        let levels: Vec<Level> = logger.lines().into_iter().map(|(l, _)| l).collect();
        assert_eq!(levels, vec![Level::Info, Level::Debug, Level::Info]);
    }
}
