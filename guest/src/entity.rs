//! The Backstage entity envelope and a builder that keeps key order and the common annotations.

use crate::escape::write_str;
use crate::names::sanitize_tag;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::Cell;

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
/// An [`EntityBuilder`] writes its whole document through one of these, object after object.
#[derive(Default)]
pub struct Fields {
    /// `"key":value` pairs, comma-separated; for a builder, the document so far.
    buf: Vec<u8>,
    /// Where the open object's first field is (or goes) in `buf`.
    start: usize,
    #[cfg(debug_assertions)]
    keys: Vec<String>,
}

impl Fields {
    pub fn put(&mut self, key: &str, value: impl FieldValue) -> &mut Self {
        self.note_key(key);
        if self.buf.len() > self.start {
            self.buf.push(b',');
        }
        write_str(&mut self.buf, key);
        self.buf.push(b':');
        value.write(&mut self.buf);
        self
    }

    /// Fields already written as JSON (`"key":value,...`): the few every entity carries.
    fn put_rendered(&mut self, rendered: &str, keys: &[&str]) -> &mut Self {
        for key in keys {
            self.note_key(key);
        }
        if self.buf.len() > self.start {
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

    #[cfg(debug_assertions)]
    fn note_key(&mut self, key: &str) {
        assert!(!self.keys.iter().any(|k| k == key), "field {key} put twice");
        self.keys.push(key.to_string());
    }

    #[cfg(not(debug_assertions))]
    fn note_key(&mut self, _: &str) {}

    /// Starts a new object's fields at the end of what is written (after its `{`).
    fn open(&mut self) {
        self.start = self.buf.len();
        #[cfg(debug_assertions)]
        self.keys.clear();
    }

    /// As a JSON object value (for nested documents).
    pub fn into_value(self) -> Value {
        let mut out = Vec::with_capacity(self.buf.len() + 2);
        out.push(b'{');
        out.extend_from_slice(&self.buf);
        out.push(b'}');
        serde_json::from_slice(&out).expect("fields are valid JSON")
    }
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

/// Builds one entity document in the key order Backstage users see in the YAML view, writing it
/// as it goes: the envelope and metadata when created, then title, description and tags (in that
/// order), then [`EntityBuilder::annotations`], then [`EntityBuilder::spec`]. Labels are kept
/// until the annotations are done, where the document has them.
pub struct EntityBuilder<'a> {
    kind: &'static str,
    name: String,
    namespace: Option<&'a str>,
    doc: Fields,
    stage: Stage,
    /// Carries the managed label and an (empty, if none are given) tags list.
    managed: bool,
    /// Labels besides the managed one.
    labels: Option<Fields>,
    located: Located,
}

/// How far a builder has written; each part can only follow the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Name,
    Title,
    Description,
    Tags,
    Annotations,
    Spec,
}

thread_local! {
    /// The size of the last document built, as the next one's first capacity: documents of a
    /// translation are alike, so most are written without growing their buffer.
    static LAST_DOCUMENT: Cell<usize> = const { Cell::new(1024) };
}

/// A document far larger than usual (a big definition) does not make every next buffer as big.
const CAPACITY_HINT_CAP: usize = 64 * 1024;

impl<'a> EntityBuilder<'a> {
    /// A `backstage.io/v1alpha1` entity with the managed-by annotations and the managed label.
    pub fn managed(kind: &'static str, name: String, namespace: Option<&'a str>) -> Self {
        let mut b = Self::bare(V1ALPHA1, kind, name, namespace);
        b.managed = true;
        b
    }

    /// An entity with only the managed-by annotations (Templates).
    pub fn bare(api_version: &'static str, kind: &'static str, name: String, namespace: Option<&'a str>) -> Self {
        let capacity = LAST_DOCUMENT.get().min(CAPACITY_HINT_CAP) + 256;
        let mut doc = Fields { buf: Vec::with_capacity(capacity), ..Fields::default() };
        let out = &mut doc.buf;
        out.extend_from_slice(b"{\"apiVersion\":");
        write_str(out, api_version);
        out.extend_from_slice(b",\"kind\":");
        let mut located = Located { kind: write_located(out, kind), ..Located::default() };
        out.extend_from_slice(b",\"metadata\":{\"name\":");
        located.name = write_located(out, &name);
        if let Some(ns) = namespace {
            out.extend_from_slice(b",\"namespace\":");
            located.namespace = write_located(out, ns);
        }
        Self { kind, name, namespace, doc, stage: Stage::Name, managed: false, labels: None, located }
    }

    /// Moves on to `stage`, which must not come before where the builder is.
    fn advance(&mut self, stage: Stage) {
        assert!(self.stage < stage, "{:?} of a {} entity written after its {:?}", stage, self.kind, self.stage);
        self.stage = stage;
    }

    pub fn title(mut self, t: impl AsRef<str>) -> Self {
        self.advance(Stage::Title);
        self.doc.buf.extend_from_slice(b",\"title\":");
        write_str(&mut self.doc.buf, t.as_ref());
        self
    }

    pub fn description(mut self, d: Option<impl AsRef<str>>) -> Self {
        self.advance(Stage::Description);
        if let Some(d) = d {
            self.doc.buf.extend_from_slice(b",\"description\":");
            write_str(&mut self.doc.buf, d.as_ref());
        }
        self
    }

    /// Tags in order; each is sanitised and dropped when nothing valid remains.
    pub fn tags<'t>(mut self, tags: impl IntoIterator<Item = &'t str>) -> Self {
        self.advance(Stage::Tags);
        let out = &mut self.doc.buf;
        out.extend_from_slice(b",\"tags\":[");
        let first = out.len();
        for tag in tags.into_iter().filter_map(sanitize_tag) {
            if out.len() > first {
                out.push(b',');
            }
            write_str(out, &tag);
        }
        out.push(b']');
        self
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        assert!(self.stage < Stage::Annotations, "label {key} of a {} entity put after its annotations", self.kind);
        self.labels.get_or_insert_with(Fields::default).put(key, value);
        self
    }

    /// The annotations, after the managed-by ones; nothing of the metadata can follow them.
    pub fn annotations(&mut self) -> &mut Fields {
        if self.stage < Stage::Annotations {
            if self.managed && self.stage < Stage::Tags {
                self.doc.buf.extend_from_slice(b",\"tags\":[]");
            }
            self.advance(Stage::Annotations);
            self.doc.buf.extend_from_slice(b",\"annotations\":{");
            self.doc.open();
            self.doc.put_rendered(MANAGED_BY, &["backstage.io/managed-by-location", "backstage.io/managed-by-origin-location"]);
        }
        assert!(self.stage == Stage::Annotations, "annotations of a {} entity put after its spec", self.kind);
        &mut self.doc
    }

    /// The spec; the metadata is closed the first time.
    pub fn spec(&mut self) -> &mut Fields {
        if self.stage < Stage::Spec {
            self.annotations();
            self.advance(Stage::Spec);
            let out = &mut self.doc.buf;
            out.push(b'}');
            if self.managed || self.labels.is_some() {
                out.extend_from_slice(b",\"labels\":{");
                if self.managed {
                    out.extend_from_slice(MANAGED_LABEL.as_bytes());
                }
                if let Some(labels) = &self.labels {
                    if self.managed && !labels.buf.is_empty() {
                        out.push(b',');
                    }
                    out.extend_from_slice(&labels.buf);
                }
                out.push(b'}');
            }
            out.extend_from_slice(b"},\"spec\":{");
            self.doc.open();
        }
        &mut self.doc
    }

    pub fn build(mut self, scope: &str) -> Entity {
        self.spec();
        let mut out = std::mem::take(&mut self.doc.buf);
        out.extend_from_slice(b"}}");
        LAST_DOCUMENT.set(out.len());
        Entity {
            kind: self.kind,
            namespace: self.namespace.unwrap_or("default").to_string(),
            name: self.name,
            scope: scope.to_string(),
            json: String::from_utf8(out).expect("entity text is written from UTF-8 strings"),
            located: self.located,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_written_in_the_order_users_read_it() {
        let mut b = EntityBuilder::managed("API", "shop-orders-http".into(), Some("acme"))
            .title("orders http API")
            .description(Some("REST API"))
            .tags(["openchoreo", "Not A Tag!", "api"])
            .label("openchoreo.io/extra", "yes");
        b.annotations().put("openchoreo.io/component", "orders");
        b.spec().put("type", "openapi").put("lifecycle", "production");
        let expected = [
            r#"{"apiVersion":"backstage.io/v1alpha1","kind":"API","metadata":{"name":"shop-orders-http","namespace":"acme","#,
            r#""title":"orders http API","description":"REST API","tags":["openchoreo","not-a-tag","api"],"annotations":{"#,
            MANAGED_BY,
            r#","openchoreo.io/component":"orders"},"labels":{"openchoreo.io/managed":"true","openchoreo.io/extra":"yes"}},"#,
            r#""spec":{"type":"openapi","lifecycle":"production"}}"#,
        ]
        .concat();
        assert_eq!(b.build("ns/acme/components").json, expected);
    }

    #[test]
    fn parts_left_out_are_left_out_and_a_managed_entity_always_has_tags() {
        let bare = EntityBuilder::bare(SCAFFOLDER_V1BETA3, "Template", "t".into(), None).build("s");
        let expected = [
            r#"{"apiVersion":"scaffolder.backstage.io/v1beta3","kind":"Template","metadata":{"name":"t","annotations":{"#,
            MANAGED_BY,
            r#"}},"spec":{}}"#,
        ]
        .concat();
        assert_eq!(bare.json, expected);
        let labelled = EntityBuilder::bare(V1ALPHA1, "Domain", "d".into(), None).label("k", "v").build("s");
        assert!(labelled.json.contains(r#"},"labels":{"k":"v"}},"spec":{}}"#), "{}", labelled.json);
        let managed = EntityBuilder::managed("Domain", "d".into(), None).description(None::<&str>).build("s");
        assert!(managed.json.contains(r#""metadata":{"name":"d","tags":[],"annotations":"#), "{}", managed.json);
    }

    #[test]
    #[should_panic(expected = "Title of a System entity written after its Tags")]
    fn a_part_written_out_of_order_is_refused() {
        let _ = EntityBuilder::managed("System", "s".into(), None).tags(["a"]).title("late");
    }

    #[test]
    #[should_panic(expected = "annotations of a API entity put after its spec")]
    fn annotations_after_the_spec_are_refused() {
        let mut b = EntityBuilder::managed("API", "a".into(), None);
        b.spec();
        b.annotations();
    }

    #[test]
    fn the_pre_rendered_fields_are_what_put_writes() {
        let mut annotations = Fields::default();
        annotations.put("backstage.io/managed-by-location", LOCATION).put("backstage.io/managed-by-origin-location", LOCATION);
        let mut label = Fields::default();
        label.put("openchoreo.io/managed", "true");
        assert_eq!([annotations.buf.as_slice(), label.buf.as_slice()], [MANAGED_BY.as_bytes(), MANAGED_LABEL.as_bytes()]);
    }
}
