//! The fields of Components and Workloads the mapping reads (docs/entities.md, Component, API), read leniently
//! (see [`crate::lenient`]): whatever else an item holds is skipped while parsing.

use crate::lenient::{Entries, Int, List, Str, Text, lenient_struct, read_as_default};
use crate::meta::{DESCRIPTION, DISPLAY_NAME, OWNER_ANNOTATION};
use crate::scan::{Scan, Scanned, Scanner};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

lenient_struct! {
    pub struct Annotations<'a> {
        pub display_name: Str<'a> = DISPLAY_NAME,
        pub description: Str<'a> = DESCRIPTION,
        pub owner: Str<'a> = OWNER_ANNOTATION,
    }
}

lenient_struct! {
    /// The labels OpenChoreo's controllers set on a workload, naming its owner.
    pub struct OwnerLabels<'a> {
        pub project_name: Str<'a> = "openchoreo.dev/project",
        pub component_name: Str<'a> = "openchoreo.dev/component",
    }
}

lenient_struct! {
    pub struct Metadata<'a> {
        pub name: Str<'a> = "name",
        pub uid: Str<'a> = "uid",
        pub creation_timestamp: Str<'a> = "creationTimestamp",
        pub deletion_timestamp: Str<'a> = "deletionTimestamp",
        pub annotations: Annotations<'a> = "annotations",
    }
}

impl Metadata<'_> {
    /// `metadata.name`; an item without one cannot be translated.
    pub fn name(&self) -> Result<&str, String> {
        self.name.set().ok_or_else(|| "metadata.name is missing or not a string".to_string())
    }

    /// Display name when set, else `name`.
    pub fn title_or<'s>(&'s self, name: &'s str) -> &'s str {
        self.annotations.display_name.set().unwrap_or(name)
    }

    pub fn description(&self) -> Option<&str> {
        self.annotations.description.set()
    }
}

lenient_struct! {
    pub struct Owner<'a> {
        pub project_name: Str<'a> = "projectName",
        pub component_name: Str<'a> = "componentName",
    }
}

lenient_struct! {
    pub struct Condition<'a> {
        pub kind: Str<'a> = "type",
        pub status: Str<'a> = "status",
    }
}

lenient_struct! {
    pub struct Status<'a> {
        pub conditions: List<Condition<'a>> = "conditions",
    }
}

impl Status<'_> {
    /// "Ready" when the first `Ready` condition has status "True", else "Not Ready".
    pub fn ready_text(&self) -> &'static str {
        let ready = self.conditions.0.iter().find(|c| c.kind.get() == Some("Ready")).is_some_and(|c| c.status.get() == Some("True"));
        if ready { "Ready" } else { "Not Ready" }
    }
}

/// `spec.componentType`: the legacy `workloadType/name` string, or a `{kind, name}` reference.
#[derive(Debug, Default, PartialEq)]
pub enum ComponentType<'a> {
    #[default]
    Absent,
    Name(Cow<'a, str>),
    Ref(TypeRef<'a>),
}

lenient_struct! {
    pub struct TypeRef<'a> {
        pub name: Str<'a> = "name",
        pub kind: Str<'a> = "kind",
    }
}

impl ComponentType<'_> {
    /// (name, kind): the name possibly empty, the kind only when set.
    pub fn name_and_kind(&self) -> (&str, Option<&str>) {
        match self {
            ComponentType::Absent => ("", None),
            ComponentType::Name(name) => (name, None),
            ComponentType::Ref(r) => (r.name.get().unwrap_or(""), r.kind.set()),
        }
    }
}

impl<'de> Deserialize<'de> for ComponentType<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TypeVisitor;
        impl<'de> Visitor<'de> for TypeVisitor {
            type Value = ComponentType<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(ComponentType::Name(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(ComponentType::Name(Cow::Owned(s.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                TypeRef::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(ComponentType::Ref)
            }
            read_as_default!(scalars, ints, arrays);
        }
        d.deserialize_any(TypeVisitor)
    }
}

impl<'a> Scan<'a> for ComponentType<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        match s.peek()? {
            b'"' => Ok(ComponentType::Name(s.string()?)),
            b'{' => TypeRef::scan(s).map(ComponentType::Ref),
            _ => s.skip_other().map(|()| ComponentType::Absent),
        }
    }
}

lenient_struct! {
    pub struct Revision<'a> {
        pub branch: Str<'a> = "branch",
    }
}

lenient_struct! {
    pub struct Repository<'a> {
        pub url: Str<'a> = "url",
        pub revision: Revision<'a> = "revision",
    }
}

lenient_struct! {
    pub struct WorkflowParameters<'a> {
        pub repository: Repository<'a> = "repository",
    }
}

lenient_struct! {
    pub struct Workflow<'a> {
        pub parameters: WorkflowParameters<'a> = "parameters",
    }
}

lenient_struct! {
    pub struct ComponentSpec<'a> {
        pub owner: Owner<'a> = "owner",
        pub component_type: ComponentType<'a> = "componentType",
        pub workflow: Workflow<'a> = "workflow",
    }
}

lenient_struct! {
    pub struct Component<'a> {
        pub metadata: Metadata<'a> = "metadata",
        pub spec: ComponentSpec<'a> = "spec",
        pub status: Status<'a> = "status",
    }
}

lenient_struct! {
    pub struct Schema<'a> {
        pub kind: Str<'a> = "type",
        pub content: Text<'a> = "content",
    }
}

lenient_struct! {
    pub struct Endpoint<'a> {
        pub kind: Str<'a> = "type",
        pub port: Int = "port",
        pub visibility: List<Str<'a>> = "visibility",
        pub schema: Schema<'a> = "schema",
    }
}

lenient_struct! {
    pub struct EndpointDependency<'a> {
        pub component: Str<'a> = "component",
        pub name: Str<'a> = "name",
        pub project: Str<'a> = "project",
    }
}

lenient_struct! {
    pub struct ResourceDependency<'a> {
        pub reference: Str<'a> = "ref",
    }
}

lenient_struct! {
    pub struct Dependencies<'a> {
        pub endpoints: List<EndpointDependency<'a>> = "endpoints",
        pub resources: List<ResourceDependency<'a>> = "resources",
    }
}

lenient_struct! {
    pub struct WorkloadSpec<'a> {
        pub owner: Owner<'a> = "owner",
        pub endpoints: Entries<'a, Endpoint<'a>> = "endpoints",
        pub dependencies: Dependencies<'a> = "dependencies",
    }
}

lenient_struct! {
    pub struct WorkloadMetadata<'a> {
        pub name: Str<'a> = "name",
        pub labels: OwnerLabels<'a> = "labels",
    }
}

lenient_struct! {
    pub struct Workload<'a> {
        pub metadata: WorkloadMetadata<'a> = "metadata",
        pub spec: WorkloadSpec<'a> = "spec",
    }
}
