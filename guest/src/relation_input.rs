//! An entity document parsed for [`crate::relations::relations`] only: `kind`, `metadata.name`,
//! `metadata.namespace`, the `openchoreo.io/` annotations and the spec fields relations read. The rest
//! (titles, tags, labels, an API's definition, a Template's parameters) is checked as JSON but never
//! built, which makes the relations of a whole run about twice as fast to compute.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The spec fields [`crate::relations::relations`] reads (a test checks it against the full document).
pub const SPEC_FIELDS: [&str; 14] = [
    "owner",
    "domain",
    "system",
    "environment",
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dataPlaneRef",
    "deploymentPipelineRef",
    "namespaceName",
    "observabilityPlaneRef",
    "projectRefs",
    "promotionPaths",
    "allowedWorkflows",
];
/// The only annotations relations read are OpenChoreo's own.
const ANNOTATION_PREFIX: &str = "openchoreo.io/";

/// Parses `bytes` as one JSON document, keeping what relations read.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let doc = Keep(Part::Document).deserialize(&mut de)?;
    de.end()?;
    Ok(doc)
}

/// Which object is being read, and so which of its members are kept.
#[derive(Clone, Copy)]
enum Part {
    Document,
    Metadata,
    Annotations,
    Spec,
}

impl Part {
    /// What to do with member `key`: keep it whole, read it as a nested part, or skip it.
    fn member(self, key: &str) -> Option<Option<Part>> {
        let keep = match self {
            Part::Document => match key {
                "kind" => true,
                "metadata" => return Some(Some(Part::Metadata)),
                "spec" => return Some(Some(Part::Spec)),
                _ => false,
            },
            Part::Metadata => match key {
                "name" | "namespace" => true,
                "annotations" => return Some(Some(Part::Annotations)),
                _ => false,
            },
            Part::Annotations => key.starts_with(ANNOTATION_PREFIX),
            Part::Spec => SPEC_FIELDS.contains(&key),
        };
        keep.then_some(None)
    }
}

struct Keep(Part);

impl<'de> DeserializeSeed<'de> for Keep {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Keep {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            match self.0.member(&key) {
                Some(Some(part)) => {
                    out.insert(key.into_owned(), map.next_value_seed(Keep(part))?);
                }
                Some(None) => {
                    out.insert(key.into_owned(), map.next_value::<Value>()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }

    // Anything but an object where an object was expected is kept as it is: relations then say what is wrong.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relations::relations;
    use serde_json::json;

    #[test]
    fn the_golden_output_has_the_same_relations_from_the_lean_parse_as_from_the_full_one() {
        let golden: Vec<Value> = serde_json::from_str(include_str!("../../tests/snapshots/sample-entities.json")).unwrap();
        assert!(golden.len() > 30);
        for mut doc in golden {
            doc.as_object_mut().unwrap().remove("relations");
            let text = doc.to_string();
            assert_eq!(relations(&parse(text.as_bytes()).unwrap()), relations(&doc), "{text}");
        }
    }

    #[test]
    fn only_what_relations_read_is_built_and_bad_json_is_refused_as_serde_json_refuses_it() {
        let text = r#"{"apiVersion":"x","kind":"API","metadata":{"name":"a","title":"t","annotations":{"openchoreo.io/component":"c","backstage.io/x":"y"},"tags":["q"]},"spec":{"owner":"o","definition":"huge","type":"openapi"},"relations":[]}"#;
        assert_eq!(
            parse(text.as_bytes()).unwrap(),
            json!({"kind": "API", "metadata": {"name": "a", "annotations": {"openchoreo.io/component": "c"}}, "spec": {"owner": "o"}})
        );
        for bad in [&b"{\"kind\": \"API\""[..], b"{\"kind\":\"API\"} trailing", b"{\"metadata\": {\"name\": \"\\ud800\"}}", b"\xff"] {
            assert_eq!(parse(bad).is_err(), serde_json::from_slice::<Value>(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(br#"{"kind":"API","spec":[1,{"a":2}]}"#).unwrap(), json!({"kind": "API", "spec": [1, {"a": 2}]}));
        assert_eq!(parse(b"[1]").unwrap(), json!([1]));
    }
}
