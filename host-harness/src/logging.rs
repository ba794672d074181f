//! A small leveled logger to stderr (or captured in memory for tests).

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
}

impl Logger {
    pub fn stderr(min: Level) -> Self {
        Self { min, captured: None }
    }

    /// Keeps every line (all levels) for assertions.
    pub fn capture() -> Self {
        Self { min: Level::Debug, captured: Some(Arc::new(Mutex::new(Vec::new()))) }
    }

    pub fn lines(&self) -> Vec<(Level, String)> {
        self.captured.as_ref().map(|c| c.lock().unwrap_or_else(|p| p.into_inner()).clone()).unwrap_or_default()
    }

    pub fn log(&self, level: Level, message: &str) {
        if level < self.min {
            return;
        }
        match &self.captured {
            Some(c) => c.lock().unwrap_or_else(|p| p.into_inner()).push((level, message.to_string())),
            None => eprintln!("{:5} {message}", level.label()),
        }
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
