//! The Backstage entity envelope and a builder that keeps key order and the common annotations.

use crate::names::sanitize_tag;
use serde_json::Value;

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

/// An emitted entity with the scope it belongs to; the document is kept as its JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub scope: String,
    pub json: String,
}

impl Entity {
    /// The document as a JSON tree (tests and callers that inspect it).
    pub fn doc(&self) -> Value {
        serde_json::from_str(&self.json).expect("entities are always valid JSON")
    }
}

/// Insertion-ordered fields, written as JSON text the moment they are put: no tree, no per-field
/// allocation (building `Value`s per field dominated the mapping's cost). Each key is put once.
#[derive(Default)]
pub struct Fields {
    /// `"key":value` pairs, comma-separated, without the braces.
    buf: Vec<u8>,
    #[cfg(debug_assertions)]
    keys: Vec<String>,
}

impl Fields {
    pub fn put(&mut self, key: &str, value: impl serde::Serialize) -> &mut Self {
        #[cfg(debug_assertions)]
        {
            assert!(!self.keys.iter().any(|k| k == key), "field {key} put twice");
            self.keys.push(key.to_string());
        }
        if !self.buf.is_empty() {
            self.buf.push(b',');
        }
        write_json(&mut self.buf, key);
        self.buf.push(b':');
        write_json(&mut self.buf, &value);
        self
    }

    pub fn put_opt<V: serde::Serialize>(&mut self, key: &str, value: Option<V>) -> &mut Self {
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

fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(&mut *out, v).expect("serializing to memory cannot fail");
}

/// Builds one entity document in the key order Backstage users see in the YAML view.
pub struct EntityBuilder {
    api_version: &'static str,
    kind: &'static str,
    name: String,
    namespace: Option<String>,
    title: Option<String>,
    description: Option<String>,
    tags: Option<Vec<String>>,
    pub annotations: Fields,
    labels: Option<Fields>,
    pub spec: Fields,
}

impl EntityBuilder {
    /// A `backstage.io/v1alpha1` entity with the managed-by annotations and the managed label.
    pub fn managed(kind: &'static str, name: String, namespace: Option<&str>) -> Self {
        let mut labels = Fields::default();
        labels.put("openchoreo.io/managed", "true");
        let mut b = Self::bare(V1ALPHA1, kind, name, namespace);
        b.labels = Some(labels);
        b.tags = Some(Vec::new());
        b
    }

    /// An entity with only the managed-by annotations (Templates).
    pub fn bare(api_version: &'static str, kind: &'static str, name: String, namespace: Option<&str>) -> Self {
        let mut annotations = Fields::default();
        annotations.put("backstage.io/managed-by-location", LOCATION);
        annotations.put("backstage.io/managed-by-origin-location", LOCATION);
        Self {
            api_version,
            kind,
            name,
            namespace: namespace.map(str::to_string),
            title: None,
            description: None,
            tags: None,
            annotations,
            labels: None,
            spec: Fields::default(),
        }
    }

    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = Some(t.into());
        self
    }

    pub fn description(mut self, d: Option<impl Into<String>>) -> Self {
        self.description = d.map(Into::into);
        self
    }

    /// Tags in order; each is sanitised and dropped when nothing valid remains.
    pub fn tags<'a>(mut self, tags: impl IntoIterator<Item = &'a str>) -> Self {
        self.tags = Some(tags.into_iter().filter_map(sanitize_tag).collect());
        self
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.get_or_insert_with(Fields::default).put(key, value);
        self
    }

    pub fn build(self, scope: &str) -> Entity {
        let mut out: Vec<u8> = Vec::with_capacity(1024);
        out.extend_from_slice(b"{\"apiVersion\":");
        write_json(&mut out, self.api_version);
        out.extend_from_slice(b",\"kind\":");
        write_json(&mut out, self.kind);
        out.extend_from_slice(b",\"metadata\":{\"name\":");
        write_json(&mut out, &self.name);
        let field = |out: &mut Vec<u8>, key: &str, write: &dyn Fn(&mut Vec<u8>)| {
            out.push(b',');
            write_json(out, key);
            out.push(b':');
            write(out);
        };
        if let Some(ns) = &self.namespace {
            field(&mut out, "namespace", &|o| write_json(o, ns));
        }
        if let Some(t) = &self.title {
            field(&mut out, "title", &|o| write_json(o, t));
        }
        if let Some(d) = &self.description {
            field(&mut out, "description", &|o| write_json(o, d));
        }
        if let Some(tags) = &self.tags {
            field(&mut out, "tags", &|o| write_json(o, tags));
        }
        field(&mut out, "annotations", &|o| self.annotations.write_json(o));
        if let Some(labels) = &self.labels {
            field(&mut out, "labels", &|o| labels.write_json(o));
        }
        out.extend_from_slice(b"},\"spec\":");
        self.spec.write_json(&mut out);
        out.push(b'}');
        Entity {
            kind: self.kind.to_string(),
            namespace: self.namespace.unwrap_or_else(|| "default".to_string()),
            name: self.name,
            scope: scope.to_string(),
            json: String::from_utf8(out).expect("serde_json writes UTF-8"),
        }
    }
}
