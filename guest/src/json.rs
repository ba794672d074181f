//! Tolerant accessors over raw OpenChoreo JSON: a value of the wrong type reads as absent.
//!
//! Written against a small trait so that they stay independent of the tree type; the lists that
//! dominate an installation (components, workloads) are read into typed structs instead.

use serde_json::Value;

/// What the mapping reads from a JSON tree.
pub trait Json: Sized {
    /// One key of an object; `None` for a missing key or a non-object.
    fn key(&self, key: &str) -> Option<&Self>;
    fn string(&self) -> Option<&str>;
    fn array(&self) -> Option<&[Self]>;
    fn int(&self) -> Option<i64>;
    /// An object's entries in document order; nothing for a non-object.
    fn entries(&self) -> impl Iterator<Item = (&str, &Self)>;
}

impl Json for Value {
    /// Small objects (nearly all of OpenChoreo's) are scanned in order: comparing a few short keys is
    /// several times cheaper than hashing the key with SipHash, which dominated lookups.
    fn key(&self, key: &str) -> Option<&Self> {
        let map = self.as_object()?;
        if map.len() <= 12 { map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v) } else { map.get(key) }
    }
    fn string(&self) -> Option<&str> {
        self.as_str()
    }
    fn array(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn int(&self) -> Option<i64> {
        self.as_i64()
    }
    fn entries(&self) -> impl Iterator<Item = (&str, &Self)> {
        self.as_object().into_iter().flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

/// The value at `path`, if every step is an object key that exists.
pub fn at<'a, J: Json>(v: &'a J, path: &[&str]) -> Option<&'a J> {
    path.iter().try_fold(v, |cur, key| cur.key(key))
}

/// The string at `path`, if present and a string (possibly empty).
pub fn str_at<'a, J: Json>(v: &'a J, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(J::string)
}

/// The string at `path` when it is "set": present, a string, and not empty.
pub fn set_str<'a, J: Json>(v: &'a J, path: &[&str]) -> Option<&'a str> {
    str_at(v, path).filter(|s| !s.is_empty())
}

/// The object at `path` when present and not null.
pub fn obj_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a serde_json::Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

/// The array at `path`, or an empty slice.
pub fn arr_at<'a, J: Json>(v: &'a J, path: &[&str]) -> &'a [J] {
    at(v, path).and_then(J::array).unwrap_or(&[])
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
