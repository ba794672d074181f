//! Backstage entity refs: `[kind:][namespace/]name`, stored with kind and namespace in lower case.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self { kind: kind.to_lowercase(), namespace: namespace.to_lowercase(), name: name.to_string() }
    }

    /// Parses like Backstage's `parseEntityRef`, filling in the defaults.
    pub fn parse(s: &str, default_kind: &str, default_ns: &str) -> Result<Self, String> {
        let slash = s.find('/');
        let colon = s.find(':').filter(|c| slash.is_none_or(|sl| *c < sl));
        let kind = colon.map(|c| &s[..c]);
        let namespace = slash.map(|sl| &s[colon.map_or(0, |c| c + 1)..sl]);
        let name = &s[colon.map_or(0, |c| c + 1).max(slash.map_or(0, |sl| sl + 1))..];
        if kind == Some("") || namespace == Some("") || name.is_empty() {
            return Err(format!("entity ref \"{s}\" is not of the form [<kind>:][<namespace>/]<name>"));
        }
        Ok(Self::new(kind.unwrap_or(default_kind), namespace.unwrap_or(default_ns), name))
    }

    /// `kind:namespace/name`, built without the formatting machinery (relations build millions).
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(self.kind.len() + self.namespace.len() + self.name.len() + 2);
        s.push_str(&self.kind);
        s.push(':');
        s.push_str(&self.namespace);
        s.push('/');
        s.push_str(&self.name);
        s
    }
}

impl std::fmt::Display for EntityRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::EntityRef;

    #[test]
    fn parses_like_backstage() {
        let r = |s| EntityRef::parse(s, "group", "acme").map(|r| r.to_string());
        assert_eq!(r("team-a").unwrap(), "group:acme/team-a");
        assert_eq!(r("default/team-a").unwrap(), "group:default/team-a");
        assert_eq!(r("User:Default/jane").unwrap(), "user:default/jane");
        assert_eq!(r("ns/a:b").unwrap(), "group:ns/a:b", "a colon after the slash belongs to the name");
        assert!(r("kind:").is_err());
        assert!(r("/x").is_err());
    }
}
