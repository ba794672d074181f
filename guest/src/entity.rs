//! The Backstage entity envelope and a builder that keeps key order and the common annotations.

use crate::escape::write_str;
use crate::names::sanitize_tag;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;

pub const PROVIDER: &str = "OpenChoreoEntityProvider";
pub const LOCATION: &str = "provider:OpenChoreoEntityProvider";
pub const CLUSTER_NS: &str = "openchoreo-cluster";
pub const DEFAULT_OWNER_GROUP: &str = "openchoreo-users";
pub const V1ALPHA1: &str = "backstage.io/v1alpha1";
pub const SCAFFOLDER_V1BETA3: &str = "scaffolder.backstage.io/v1beta3";

/// The largest entity document emitted. Past this, a resource with pathological values (a huge string,
/// 10^5 list items) is skipped with a warning instead of being pushed through the catalog's
/// processing, search and UI. A large OpenAPI definition is well under it.
pub const MAX_ENTITY_BYTES: usize = 4 * 1024 * 1024;

/// The managed-by annotations of every entity, as [`Fields::put`] writes them (see the test).
const MANAGED_BY: &str = concat!(
    r#""backstage.io/managed-by-location":"provider:OpenChoreoEntityProvider","#,
    r#""backstage.io/managed-by-origin-location":"provider:OpenChoreoEntityProvider""#
);
/// The label of every managed entity.
const MANAGED_LABEL: &str = r#""openchoreo.io/managed":"true""#;

/// An emitted entity with the scope it belongs to; the document is kept as its JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub scope: String,
    pub json: String,
    /// Where `kind`, `name` and `namespace` are written verbatim in `json`, for packing.
    pub located: Located,
}

/// Byte offsets in an entity's document where a value is written verbatim (no escapes); `None` when
/// it is not (a namespace left unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Located {
    pub kind: Option<u32>,
    pub name: Option<u32>,
    pub namespace: Option<u32>,
}

/// Writes `value` as a JSON string and returns where its text starts when it was written verbatim.
fn write_located(out: &mut Vec<u8>, value: &str) -> Option<u32> {
    let quote = out.len();
    write_str(out, value);
    (out.len() - quote == value.len() + 2).then(|| (quote + 1) as u32)
}

impl Entity {
    /// The document as a JSON tree (tests and callers that inspect it).
    pub fn doc(&self) -> Value {
        serde_json::from_str(&self.json).expect("entities are always valid JSON")
    }
}

/// Insertion-ordered fields, written as JSON text the moment they are put: no tree, no per-field
/// allocation (building `Value`s per field dominated the mapping's cost). Each key is put once.
/// The buffer comes from, and goes back to, a small pool: a translation builds thousands of
/// entities one after the other, each with three or four of these.
#[derive(Default)]
pub struct Fields {
    /// `"key":value` pairs, comma-separated, without the braces.
    buf: Vec<u8>,
    #[cfg(debug_assertions)]
    keys: Vec<String>,
}

impl Fields {
    pub fn with_capacity(bytes: usize) -> Self {
        let mut fields = Self::default();
        fields.buf = pooled_buffer(bytes);
        fields
    }

    pub fn put(&mut self, key: &str, value: impl FieldValue) -> &mut Self {
        #[cfg(debug_assertions)]
        {
            assert!(!self.keys.iter().any(|k| k == key), "field {key} put twice");
            self.keys.push(key.to_string());
        }
        if !self.buf.is_empty() {
            self.buf.push(b',');
        }
        write_str(&mut self.buf, key);
        self.buf.push(b':');
        value.write(&mut self.buf);
        self
    }

    /// Fields already written as JSON (`"key":value,...`): the few every entity carries.
    fn put_rendered(&mut self, rendered: &str, keys: &[&str]) -> &mut Self {
        #[cfg(debug_assertions)]
        for key in keys {
            assert!(!self.keys.iter().any(|k| k == key), "field {key} put twice");
            self.keys.push(key.to_string());
        }
        #[cfg(not(debug_assertions))]
        let _ = keys;
        if !self.buf.is_empty() {
            self.buf.push(b',');
        }
        self.buf.extend_from_slice(rendered.as_bytes());
        self
    }

    pub fn put_opt<V: FieldValue>(&mut self, key: &str, value: Option<V>) -> &mut Self {
        if let Some(v) = value {
            self.put(key, v);
        }
        self
    }

    /// As a JSON object value (for nested documents).
    pub fn into_value(self) -> Value {
        let mut out = Vec::with_capacity(self.buf.len() + 2);
        self.write_json(&mut out);
        serde_json::from_slice(&out).expect("fields are valid JSON")
    }

    /// Appends the fields as a JSON object to `out`.
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        out.extend_from_slice(&self.buf);
        out.push(b'}');
    }
}

impl Drop for Fields {
    fn drop(&mut self) {
        return_buffer(std::mem::take(&mut self.buf));
    }
}

/// Buffers kept for reuse; more than a builder holds at once, few enough to be negligible.
const POOLED_BUFFERS: usize = 8;
/// A buffer grown past this (a large definition or schema) is freed rather than kept.
const POOLED_CAPACITY: usize = 16 * 1024;

thread_local! {
    static BUFFERS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

fn pooled_buffer(bytes: usize) -> Vec<u8> {
    let mut buf = BUFFERS.with_borrow_mut(Vec::pop).unwrap_or_default();
    buf.reserve(bytes);
    buf
}

fn return_buffer(mut buf: Vec<u8>) {
    if buf.capacity() == 0 || buf.capacity() > POOLED_CAPACITY {
        return;
    }
    buf.clear();
    BUFFERS.with_borrow_mut(|pool| {
        if pool.len() < POOLED_BUFFERS {
            pool.push(buf);
        }
    });
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(&mut *out, v).expect("serializing to memory cannot fail");
}

/// A value a field holds, written straight as JSON text. Strings, the bulk of every entity, take
/// the fast path in [`write_str`]; trees go through `serde_json`.
pub trait FieldValue {
    fn write(&self, out: &mut Vec<u8>);
}

impl FieldValue for str {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl FieldValue for String {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl FieldValue for Cow<'_, str> {
    fn write(&self, out: &mut Vec<u8>) {
        write_str(out, self);
    }
}

impl<T: FieldValue + ?Sized> FieldValue for &T {
    fn write(&self, out: &mut Vec<u8>) {
        (**self).write(out);
    }
}

impl<T: FieldValue> FieldValue for [T] {
    fn write(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write(out);
        }
        out.push(b']');
    }
}

impl<T: FieldValue> FieldValue for Vec<T> {
    fn write(&self, out: &mut Vec<u8>) {
        self.as_slice().write(out);
    }
}

impl<T: FieldValue, const N: usize> FieldValue for [T; N] {
    fn write(&self, out: &mut Vec<u8>) {
        self.as_slice().write(out);
    }
}

macro_rules! serde_field_values {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn write(&self, out: &mut Vec<u8>) {
                write_json(out, self);
            }
        }
    )*};
}
serde_field_values!(bool, i64, u64, usize, Value);

/// Builds one entity document in the key order Backstage users see in the YAML view. Texts borrow
/// from the input where they can; only the document and the record's strings are allocated.
pub struct EntityBuilder<'a> {
    api_version: &'static str,
    kind: &'static str,
    name: String,
    namespace: Option<&'a str>,
    title: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    /// The tags as JSON array items (`"a","b"`), already sanitised.
    tags: Option<Fields>,
    pub annotations: Fields,
    labels: Option<Fields>,
    pub spec: Fields,
}

impl<'a> EntityBuilder<'a> {
    /// A `backstage.io/v1alpha1` entity with the managed-by annotations and the managed label.
    pub fn managed(kind: &'static str, name: String, namespace: Option<&'a str>) -> Self {
        let mut labels = Fields::with_capacity(64);
        labels.put_rendered(MANAGED_LABEL, &["openchoreo.io/managed"]);
        let mut b = Self::bare(V1ALPHA1, kind, name, namespace);
        b.labels = Some(labels);
        b.tags = Some(Fields::with_capacity(64));
        b
    }

    /// An entity with only the managed-by annotations (Templates).
    pub fn bare(api_version: &'static str, kind: &'static str, name: String, namespace: Option<&'a str>) -> Self {
        let mut annotations = Fields::with_capacity(512);
        annotations.put_rendered(MANAGED_BY, &["backstage.io/managed-by-location", "backstage.io/managed-by-origin-location"]);
        Self {
            api_version,
            kind,
            name,
            namespace,
            title: None,
            description: None,
            tags: None,
            annotations,
            labels: None,
            spec: Fields::with_capacity(256),
        }
    }

    pub fn title(mut self, t: impl Into<Cow<'a, str>>) -> Self {
        self.title = Some(t.into());
        self
    }

    pub fn description(mut self, d: Option<impl Into<Cow<'a, str>>>) -> Self {
        self.description = d.map(Into::into);
        self
    }

    /// Tags in order; each is sanitised and dropped when nothing valid remains.
    pub fn tags<'t>(mut self, tags: impl IntoIterator<Item = &'t str>) -> Self {
        let mut out = self.tags.take().unwrap_or_else(|| Fields::with_capacity(64));
        out.buf.clear();
        for tag in tags.into_iter().filter_map(sanitize_tag) {
            if !out.buf.is_empty() {
                out.buf.push(b',');
            }
            write_str(&mut out.buf, &tag);
        }
        self.tags = Some(out);
        self
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.get_or_insert_with(Fields::default).put(key, value);
        self
    }

    pub fn build(self, scope: &str) -> Entity {
        let text_len = |s: &Option<Cow<str>>| s.as_ref().map_or(0, |s| s.len());
        let fields_len = |f: &Option<Fields>| f.as_ref().map_or(0, |f| f.buf.len());
        let estimate = 160
            + self.name.len()
            + self.namespace.map_or(0, str::len)
            + text_len(&self.title)
            + text_len(&self.description)
            + fields_len(&self.tags)
            + self.annotations.buf.len()
            + fields_len(&self.labels)
            + self.spec.buf.len();
        let mut out: Vec<u8> = Vec::with_capacity(estimate);
        out.extend_from_slice(b"{\"apiVersion\":");
        write_str(&mut out, self.api_version);
        out.extend_from_slice(b",\"kind\":");
        let mut located = Located { kind: write_located(&mut out, self.kind), ..Located::default() };
        out.extend_from_slice(b",\"metadata\":{\"name\":");
        located.name = write_located(&mut out, &self.name);
        let field = |out: &mut Vec<u8>, key: &[u8], value: &str| {
            out.extend_from_slice(key);
            write_str(out, value);
        };
        if let Some(ns) = self.namespace {
            out.extend_from_slice(b",\"namespace\":");
            located.namespace = write_located(&mut out, ns);
        }
        if let Some(t) = &self.title {
            field(&mut out, b",\"title\":", t);
        }
        if let Some(d) = &self.description {
            field(&mut out, b",\"description\":", d);
        }
        if let Some(tags) = &self.tags {
            out.extend_from_slice(b",\"tags\":[");
            out.extend_from_slice(&tags.buf);
            out.push(b']');
        }
        out.extend_from_slice(b",\"annotations\":");
        self.annotations.write_json(&mut out);
        if let Some(labels) = &self.labels {
            out.extend_from_slice(b",\"labels\":");
            labels.write_json(&mut out);
        }
        out.extend_from_slice(b"},\"spec\":");
        self.spec.write_json(&mut out);
        out.push(b'}');
        Entity {
            kind: self.kind,
            namespace: self.namespace.unwrap_or("default").to_string(),
            name: self.name,
            scope: scope.to_string(),
            json: String::from_utf8(out).expect("entity text is written from UTF-8 strings"),
            located,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pre_rendered_fields_are_what_put_writes() {
        let mut annotations = Fields::default();
        annotations.put("backstage.io/managed-by-location", LOCATION).put("backstage.io/managed-by-origin-location", LOCATION);
        let mut label = Fields::default();
        label.put("openchoreo.io/managed", "true");
        assert_eq!([annotations.buf.as_slice(), label.buf.as_slice()], [MANAGED_BY.as_bytes(), MANAGED_LABEL.as_bytes()]);
    }
}
