//! An entity document read for [`crate::relations::relations_of`] only: `kind`, `metadata.name` and
//! `namespace`, the OpenChoreo annotations and the spec fields that name other entities. The rest
//! (titles, tags, labels, an API's definition, a Template's parameters) is skipped unbuilt, and
//! strings are borrowed from the text: a whole run's relations are computed mostly while scanning.
//! Fields read as [`crate::lenient`] types do: a value of the wrong type is absent.

use crate::lenient::{List, Str, lenient_struct, read_as_default};
use crate::scan::{Scan, Scanned, Scanner};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};
use std::borrow::Cow;
use std::fmt;

lenient_struct! {
    pub struct RelationDoc<'a> {
        pub kind: Str<'a> = "kind",
        pub metadata: Metadata<'a> = "metadata",
        pub spec: Spec<'a> = "spec",
    }
}

lenient_struct! {
    pub struct Metadata<'a> {
        pub name: Str<'a> = "name",
        pub namespace: Str<'a> = "namespace",
        pub annotations: Annotations<'a> = "annotations",
    }
}

lenient_struct! {
    /// The annotations relations read: the type or plane an entity was made from, and its kind.
    pub struct Annotations<'a> {
        pub component_type: Str<'a> = "openchoreo.io/component-type",
        pub component_type_kind: Str<'a> = "openchoreo.io/component-type-kind",
        pub project_type: Str<'a> = "openchoreo.io/project-type",
        pub project_type_kind: Str<'a> = "openchoreo.io/project-type-kind",
        pub resource_type: Str<'a> = "openchoreo.io/resource-type",
        pub resource_type_kind: Str<'a> = "openchoreo.io/resource-type-kind",
        pub data_plane_ref_kind: Str<'a> = "openchoreo.io/data-plane-ref-kind",
        pub workflow_plane_ref: Str<'a> = "openchoreo.io/workflow-plane-ref",
        pub workflow_plane_ref_kind: Str<'a> = "openchoreo.io/workflow-plane-ref-kind",
    }
}

lenient_struct! {
    pub struct Spec<'a> {
        pub owner: Str<'a> = "owner",
        pub domain: Str<'a> = "domain",
        pub system: Str<'a> = "system",
        pub environment: Str<'a> = "environment",
        pub data_plane_ref: Str<'a> = "dataPlaneRef",
        pub deployment_pipeline_ref: Str<'a> = "deploymentPipelineRef",
        pub namespace_name: Str<'a> = "namespaceName",
        pub observability_plane_ref: Str<'a> = "observabilityPlaneRef",
        pub provides_apis: List<Str<'a>> = "providesApis",
        pub consumes_apis: List<Str<'a>> = "consumesApis",
        pub depends_on: List<Str<'a>> = "dependsOn",
        pub project_refs: List<Str<'a>> = "projectRefs",
        pub promotion_paths: List<PromotionPath<'a>> = "promotionPaths",
        pub allowed_workflows: List<WorkflowEntry<'a>> = "allowedWorkflows",
    }
}

lenient_struct! {
    pub struct PromotionPath<'a> {
        pub source_environment: Str<'a> = "sourceEnvironment",
        pub target_environments: List<Named<'a>> = "targetEnvironments",
    }
}

lenient_struct! {
    pub struct Named<'a> {
        pub name: Str<'a> = "name",
    }
}

lenient_struct! {
    pub struct WorkflowRef<'a> {
        pub kind: Str<'a> = "kind",
        pub name: Str<'a> = "name",
    }
}

/// An entry of `allowedWorkflows`: a workflow's name, or `{kind, name}`. Anything else names nothing.
#[derive(Debug, PartialEq)]
pub enum WorkflowEntry<'a> {
    Name(Cow<'a, str>),
    Ref(WorkflowRef<'a>),
}

impl Default for WorkflowEntry<'_> {
    fn default() -> Self {
        WorkflowEntry::Ref(WorkflowRef::default())
    }
}

impl<'a> Scan<'a> for WorkflowEntry<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        if s.peek()? == b'"' { Ok(WorkflowEntry::Name(s.string()?)) } else { WorkflowRef::scan(s).map(WorkflowEntry::Ref) }
    }
}

impl<'de> Deserialize<'de> for WorkflowEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = WorkflowEntry<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(WorkflowEntry::Name(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(WorkflowEntry::Name(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(WorkflowEntry::Name(Cow::Owned(s)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                WorkflowRef::deserialize(MapAccessDeserializer::new(map)).map(WorkflowEntry::Ref)
            }
            read_as_default!(scalars, ints, arrays);
        }
        d.deserialize_any(EntryVisitor)
    }
}

/// Reads `bytes` as one JSON document. The scanner reads what it can vouch for; anything else
/// (including every invalid text) goes to `serde_json`, which decides and words the error.
pub fn parse(bytes: &[u8]) -> Result<RelationDoc<'_>, serde_json::Error> {
    if let Some(doc) = std::str::from_utf8(bytes).ok().and_then(|text| Scanner::document(text).ok()) {
        return Ok(doc);
    }
    serde_json::from_slice(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn scanned(text: &str) -> RelationDoc<'_> {
        Scanner::document(text).unwrap_or_else(|_| panic!("the scanner declined {text}"))
    }

    #[test]
    fn the_golden_output_reads_the_same_scanned_as_parsed_and_as_a_tree() {
        let golden: Vec<Value> = serde_json::from_str(include_str!("../../tests/snapshots/sample-entities.json")).unwrap();
        assert!(golden.len() > 30);
        for doc in golden {
            let text = doc.to_string();
            let parsed: RelationDoc = serde_json::from_str(&text).unwrap();
            assert_eq!(scanned(&text), parsed, "{text}");
            assert_eq!(RelationDoc::deserialize(&doc).unwrap(), parsed, "{text}");
            assert!(parsed.kind.set().is_some() && parsed.metadata.name.set().is_some(), "{text}");
        }
    }

    #[test]
    fn only_what_relations_read_is_kept_and_wrong_types_are_absent() {
        let text = r#"{"apiVersion":"x","kind":"System","metadata":{"name":"a","title":"t","annotations":{"openchoreo.io/project-type":"web","backstage.io/x":"y"},"tags":["q"]},
            "spec":{"owner":7,"domain":"d","definition":"huge","dependsOn":["c",1,null],"allowedWorkflows":["w",{"kind":"ClusterWorkflow","name":"cw"},3],
            "promotionPaths":[{"sourceEnvironment":"dev","targetEnvironments":[{"name":"prod"},"x"]},true]},"relations":[]}"#;
        let doc = parse(text.as_bytes()).unwrap();
        assert_eq!(doc, serde_json::from_str::<RelationDoc>(text).unwrap());
        assert_eq!(doc.metadata.annotations.project_type.get(), Some("web"));
        assert_eq!(doc.spec.owner.get(), None, "a number is no owner");
        assert_eq!(doc.spec.domain.get(), Some("d"));
        assert_eq!(doc.spec.depends_on.0.iter().map(Str::get).collect::<Vec<_>>(), [Some("c"), None, None]);
        let workflows: Vec<(Option<&str>, Option<&str>)> = doc
            .spec
            .allowed_workflows
            .0
            .iter()
            .map(|w| match w {
                WorkflowEntry::Name(n) => (None, Some(n.as_ref())),
                WorkflowEntry::Ref(r) => (r.kind.get(), r.name.get()),
            })
            .collect();
        assert_eq!(workflows, [(None, Some("w")), (Some("ClusterWorkflow"), Some("cw")), (None, None)]);
        let path = &doc.spec.promotion_paths.0[0];
        assert_eq!(path.source_environment.get(), Some("dev"));
        assert_eq!(path.target_environments.0.iter().map(|t| t.name.get()).collect::<Vec<_>>(), [Some("prod"), None]);
        assert_eq!(doc.spec.promotion_paths.0[1], PromotionPath::default());
    }

    #[test]
    fn bad_json_is_refused_as_serde_json_refuses_it() {
        for bad in [
            &b"{\"kind\": \"API\""[..],
            b"{\"kind\":\"API\"} trailing",
            b"{\"metadata\": {\"name\": \"\\ud800\"}}",
            b"\xff",
            b"",
            b"{\"kind\":\"A\xffB\"}",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
            assert!(serde_json::from_slice::<Value>(bad).is_err());
        }
        for odd in [&b"[1]"[..], b"\"x\"", b"{\"kind\":\"API\",\"spec\":[1,{\"a\":2}]}", b"{\"kind\":\"\\u0041PI\"}"] {
            assert_eq!(parse(odd).unwrap(), serde_json::from_slice::<RelationDoc>(odd).unwrap(), "{}", String::from_utf8_lossy(odd));
        }
        assert_eq!(parse(b"{\"kind\":\"\\u0041PI\"}").unwrap().kind.get(), Some("API"));
    }
}
