//! Tolerant accessors over raw OpenChoreo JSON: a value of the wrong type reads as absent.

use serde_json::Value;

/// The value at `path`, if every step is an object key that exists.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, key| field(cur, key))
}

/// One key of an object. Small objects (nearly all of OpenChoreo's) are scanned in order: comparing a
/// few short keys is several times cheaper than hashing the key with SipHash, which dominated lookups.
pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    if map.len() <= 12 { map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v) } else { map.get(key) }
}

/// The string at `path`, if present and a string (possibly empty).
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// The string at `path` when it is "set": present, a string, and not empty.
pub fn set_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    str_at(v, path).filter(|s| !s.is_empty())
}

/// The object at `path` when present and not null.
pub fn obj_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a serde_json::Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

/// The array at `path`, or an empty slice.
pub fn arr_at<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    at(v, path).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// A trimmed annotation value when it is non-empty after trimming.
pub fn trimmed(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A string, number or boolean (what a projected scalar field may copy through).
pub fn scalar(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| v.is_string() || v.is_number() || v.is_boolean())
}

/// Nesting depth of a JSON value (a scalar is 0), stopping once past `limit`.
pub fn depth_exceeds(v: &Value, limit: usize) -> bool {
    if limit == 0 {
        return v.is_array() || v.is_object();
    }
    match v {
        Value::Array(a) => a.iter().any(|x| depth_exceeds(x, limit - 1)),
        Value::Object(o) => o.values().any(|x| depth_exceeds(x, limit - 1)),
        _ => false,
    }
}
