//! WIT glue only: converts between the generated types and the pure modules. Built for the `catalog`
//! world by default, or for the import-free `transform` world with the `transform` feature.

use crate::batch::Batch;
use crate::diagnostic::{Diagnostic, Stale};
use crate::entity::Entity;
use crate::items::Items;
use crate::resource::{self, ResourceError};
use crate::scope::{self, Lists};
use serde_json::Value;
use std::sync::Once;

#[cfg(not(feature = "transform"))]
wit_bindgen::generate!({ path: "../wit", world: "catalog" });
#[cfg(feature = "transform")]
wit_bindgen::generate!({ path: "../wit", world: "transform" });

#[cfg(not(feature = "transform"))]
mod sync;

use exports::openchoreo::catalog::mapping;
use openchoreo::catalog::types;

struct Component;
export!(Component);

static PANIC_HOOK: Once = Once::new();

/// A panic traps the instance; first tell the host why (the transform world has no logger: stderr).
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            #[cfg(not(feature = "transform"))]
            openchoreo::catalog::log::log(openchoreo::catalog::log::Level::Error, &format!("guest panic: {info}"));
            #[cfg(feature = "transform")]
            eprintln!("guest panic: {info}");
        }));
    });
}

fn to_wit(entities: Vec<Entity>) -> types::EntityBatch {
    let batch = Batch::pack(entities);
    let spans = batch.flat_spans();
    types::EntityBatch { text: batch.text, scopes: batch.scopes, spans }
}

fn stale_to_wit(s: Stale) -> types::StaleScope {
    types::StaleScope { scope: s.scope, reason: s.reason }
}

fn diag_to_wit(d: Diagnostic) -> types::Diagnostic {
    types::Diagnostic { location: d.location, message: d.message }
}

fn parse_json(what: &str, s: &str) -> Result<Value, types::MappingError> {
    serde_json::from_str(s).map_err(|e| types::MappingError::InvalidInput(format!("{what}: {e}")))
}

fn parse_items(endpoint: &str, s: String) -> Result<Items, types::MappingError> {
    Items::from_json_string(s).map_err(|e| types::MappingError::InvalidInput(format!("{endpoint}: {e}")))
}

impl mapping::Guest for Component {
    fn translate_scope(snapshot: mapping::ScopeSnapshot) -> Result<mapping::ScopeOutput, types::MappingError> {
        install_panic_hook();
        let mut lists = Lists::new();
        let namespaced = matches!(snapshot.scope, mapping::ScopeRef::Namespace(_));
        for l in snapshot.lists {
            // A namespace's components and workloads (nearly all of its bytes) are checked while
            // they are parsed; `translate_namespace` names an invalid one as the check would.
            let check_while_parsing = namespaced && matches!(l.endpoint.as_str(), "components" | "workloads");
            let outcome = match l.outcome {
                mapping::ListOutcome::Items(s) if check_while_parsing => Ok(Items::unchecked(s)),
                mapping::ListOutcome::Items(s) => Ok(parse_items(&l.endpoint, s)?),
                mapping::ListOutcome::Failed(reason) => Err(reason),
            };
            lists.insert(l.endpoint, outcome);
        }
        let out = match snapshot.scope {
            mapping::ScopeRef::Namespace(ns) => {
                let ns = parse_json("namespace", &ns)?;
                scope::translate_namespace(&ns, &lists, &snapshot.default_owner).map_err(types::MappingError::InvalidInput)?
            }
            mapping::ScopeRef::Cluster => scope::translate_cluster(&lists, &snapshot.default_owner),
        };
        Ok(mapping::ScopeOutput {
            entities: to_wit(out.entities),
            stale: out.stale.into_iter().map(stale_to_wit).collect(),
            skipped: out.skipped.into_iter().map(diag_to_wit).collect(),
        })
    }

    fn translate_resource(
        kind: String,
        namespace: Option<String>,
        json: String,
        context: Option<String>,
    ) -> Result<types::EntityBatch, types::MappingError> {
        install_panic_hook();
        let resource = parse_json("resource", &json)?;
        let context = context.map(|c| parse_json("context", &c)).transpose()?;
        let out = resource::translate(&kind, namespace.as_deref(), resource, context).map_err(|e| match e {
            ResourceError::Invalid(m) => types::MappingError::InvalidInput(m),
            ResourceError::Unsupported(k) => types::MappingError::UnsupportedKind(k),
        })?;
        if out.entities.is_empty()
            && let Some(d) = out.skipped.into_iter().next()
        {
            return Err(types::MappingError::InvalidInput(format!("{}: {}", d.location, d.message)));
        }
        Ok(to_wit(out.entities))
    }

    fn stamp_template(
        namespace: Option<String>,
        type_json: String,
        url: String,
        text: String,
    ) -> Result<types::EntityBatch, types::MappingError> {
        install_panic_hook();
        let component_type = parse_json("type", &type_json)?;
        let entity = crate::kinds::remote_template::stamp_for(namespace.as_deref(), &component_type, &url, &text)
            .map_err(types::MappingError::InvalidInput)?;
        Ok(to_wit(vec![entity]))
    }

    fn relations(entity_json: String) -> Result<Vec<types::Relation>, types::MappingError> {
        let doc =
            crate::relation_input::parse(entity_json.as_bytes()).map_err(|e| types::MappingError::InvalidInput(format!("entity: {e}")))?;
        let mut rels = Vec::new();
        crate::relations::relations_of(&doc, &mut rels).map_err(types::MappingError::InvalidInput)?;
        Ok(rels.into_iter().map(|r| types::Relation { source: r.source, type_: r.rtype.to_string(), target: r.target }).collect())
    }

    fn relations_of_batch(text: Vec<u8>, documents: Vec<u32>) -> Result<types::RelationBatch, types::MappingError> {
        install_panic_hook();
        let batch = crate::relation_batch::relations_of_batch(&text, &documents).map_err(types::MappingError::InvalidInput)?;
        Ok(types::RelationBatch { text: batch.text, spans: batch.spans })
    }

    fn scope_of(entity_json: String) -> Result<String, types::MappingError> {
        let doc = parse_json("entity", &entity_json)?;
        scope::scope_of(&doc).map_err(types::MappingError::InvalidInput)
    }

    fn scopes_of_event(event_json: String) -> Result<Vec<String>, types::MappingError> {
        crate::events::scopes_of_event(&event_json).map_err(|e| match e {
            crate::events::EventRefused::UnknownKind(k) => types::MappingError::UnsupportedKind(k),
            crate::events::EventRefused::Invalid(m) => types::MappingError::InvalidInput(m),
        })
    }
}
