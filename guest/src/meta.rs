//! The metadata helpers every translation shares (docs/entities.md, common rules).

use crate::json::{Json, arr_at, set_str, str_at};

pub const DISPLAY_NAME: &str = "openchoreo.dev/display-name";
pub const DESCRIPTION: &str = "openchoreo.dev/description";
pub const OWNER_ANNOTATION: &str = "backstage.io/owner";

/// `metadata.name`; an item without one cannot be translated.
pub fn name<J: Json>(r: &J) -> Result<&str, String> {
    set_str(r, &["metadata", "name"]).ok_or_else(|| "metadata.name is missing or not a string".to_string())
}

pub fn uid<J: Json>(r: &J) -> Option<&str> {
    set_str(r, &["metadata", "uid"])
}

pub fn created_at<J: Json>(r: &J) -> Option<&str> {
    set_str(r, &["metadata", "creationTimestamp"])
}

pub fn deletion_ts<J: Json>(r: &J) -> Option<&str> {
    set_str(r, &["metadata", "deletionTimestamp"])
}

pub fn annotation<'a, J: Json>(r: &'a J, key: &str) -> Option<&'a str> {
    str_at(r, &["metadata", "annotations", key])
}

/// Display name when set, else the name.
pub fn title_or_name<'a, J: Json>(r: &'a J, name: &'a str) -> &'a str {
    annotation(r, DISPLAY_NAME).filter(|s| !s.is_empty()).unwrap_or(name)
}

pub fn description<J: Json>(r: &J) -> Option<&str> {
    annotation(r, DESCRIPTION).filter(|s| !s.is_empty())
}

/// True when the first condition of `kind` has status "True".
pub fn condition_true<J: Json>(r: &J, kind: &str) -> bool {
    arr_at(r, &["status", "conditions"])
        .iter()
        .find(|c| str_at(*c, &["type"]) == Some(kind))
        .is_some_and(|c| str_at(c, &["status"]) == Some("True"))
}

pub fn ready_text<J: Json>(r: &J) -> &'static str {
    if condition_true(r, "Ready") { "Ready" } else { "Not Ready" }
}

pub fn created_text<J: Json>(r: &J) -> &'static str {
    if condition_true(r, "Created") { "Ready" } else { "Not Ready" }
}
