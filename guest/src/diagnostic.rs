//! A skipped resource: where it was and what was wrong with it.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: String,
    pub message: String,
}

impl Diagnostic {
    /// `<namespace>/<kind>/<name>`, or `<namespace>/<kind>/#<index>` for an item without a name.
    pub fn item(ns: &str, kind: &str, name: Option<&str>, index: usize, message: String) -> Self {
        let location = match name {
            Some(n) => format!("{ns}/{kind}/{n}"),
            None => format!("{ns}/{kind}/#{index}"),
        };
        Self { location, message }
    }
}

/// A scope whose entities could not be refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub scope: String,
    pub reason: String,
}
