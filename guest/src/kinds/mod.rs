//! One module per OpenChoreo kind family; each turns one resource (plus joined context) into entities.

pub mod alert_channel;
pub mod component;
pub mod component_input;
pub mod domain;
pub mod environment;
pub mod pipeline;
pub mod planes;
pub mod platform_templates;
pub mod platform_types;
pub mod remote_template;
pub mod resource_instance;
pub mod system;
pub mod template;
pub mod type_template;

use crate::names::backstage_name;

/// What every namespaced translation needs to know.
pub struct NsCtx<'a> {
    /// The OpenChoreo namespace (the loop namespace; also the Backstage namespace).
    pub ns: &'a str,
    /// `group:default/<defaultOwner>`.
    pub owner: &'a str,
}

impl NsCtx<'_> {
    /// `default/<ns>`: the Domain lives in Backstage's `default` namespace.
    pub fn domain_ref(&self) -> String {
        format!("default/{}", backstage_name(self.ns))
    }
}

/// `group:default/<name>`, with the default group when unset.
pub fn owner_ref(default_owner: &str) -> String {
    let group = if default_owner.trim().is_empty() { crate::entity::DEFAULT_OWNER_GROUP } else { default_owner.trim() };
    format!("group:default/{group}")
}
