//! The Backstage entity envelope and a builder that keeps key order and the common annotations.

use crate::names::sanitize_tag;
use serde_json::{Map, Value, json};

pub const PROVIDER: &str = "OpenChoreoEntityProvider";
pub const LOCATION: &str = "provider:OpenChoreoEntityProvider";
pub const CLUSTER_NS: &str = "openchoreo-cluster";
pub const DEFAULT_OWNER_GROUP: &str = "openchoreo-users";
pub const V1ALPHA1: &str = "backstage.io/v1alpha1";
pub const SCAFFOLDER_V1BETA3: &str = "scaffolder.backstage.io/v1beta3";

/// An emitted entity with the scope it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub scope: String,
    pub doc: Value,
}

/// An entity with its document already serialized: what a sync run accumulates, so memory holds
/// the compact JSON text rather than a tree per entity.
#[derive(Debug, Clone, PartialEq)]
pub struct SerializedEntity {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub scope: String,
    pub json: String,
}

impl From<Entity> for SerializedEntity {
    fn from(e: Entity) -> Self {
        Self { json: e.doc.to_string(), kind: e.kind, namespace: e.namespace, name: e.name, scope: e.scope }
    }
}

/// String-keyed, insertion-ordered map with "only if set" helpers.
#[derive(Default)]
pub struct Fields(pub Map<String, Value>);

impl Fields {
    pub fn put(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.0.insert(key.to_string(), value.into());
        self
    }
    pub fn put_opt<V: Into<Value>>(&mut self, key: &str, value: Option<V>) -> &mut Self {
        if let Some(v) = value {
            self.0.insert(key.to_string(), v.into());
        }
        self
    }
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
        let mut metadata = Fields::default();
        metadata.put("name", self.name.clone());
        metadata.put_opt("namespace", self.namespace.clone());
        metadata.put_opt("title", self.title);
        metadata.put_opt("description", self.description);
        metadata.put_opt("tags", self.tags);
        metadata.put("annotations", Value::Object(self.annotations.0));
        metadata.put_opt("labels", self.labels.map(|l| Value::Object(l.0)));
        let doc = json!({
            "apiVersion": self.api_version,
            "kind": self.kind,
            "metadata": Value::Object(metadata.0),
            "spec": Value::Object(self.spec.0),
        });
        Entity {
            kind: self.kind.to_string(),
            namespace: self.namespace.unwrap_or_else(|| "default".to_string()),
            name: self.name,
            scope: scope.to_string(),
            doc,
        }
    }
}
