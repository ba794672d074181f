//! A lean JSON tree for the lists that dominate an installation (components, workloads).
//!
//! Strings borrow from the list text whenever they hold no escapes, and objects are plain vectors
//! in document order. Building and dropping `serde_json::Value` trees (an `IndexMap` with a SipHash
//! table and an owned `String` per key and value) took most of the mapping's time; this tree is
//! several times cheaper to build and to drop. Duplicate keys behave as in `Value`: the last value
//! wins, at the first key's position.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// Past this many keys, duplicate detection while parsing uses a hash index instead of a scan.
const SCAN_KEYS: usize = 16;

impl<'a> Node<'a> {
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Node<'a>)]> {
        match self {
            Node::Object(entries) => Some(entries),
            _ => None,
        }
    }
}

impl<'a> From<&'a serde_json::Value> for Node<'a> {
    /// The same document as a `Node`, borrowing its strings.
    fn from(v: &'a serde_json::Value) -> Self {
        Node::deserialize(v).expect("every Value is a valid Node")
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Node<'de>, E> {
        Ok(Number::from_f64(n).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        let mut index: Option<HashMap<Cow<'de, str>, usize>> = None;
        while let Some(Key(key)) = map.next_key()? {
            let value: Node<'de> = map.next_value()?;
            let existing = match &index {
                Some(index) => index.get(&key).copied(),
                None => entries.iter().position(|(k, _)| *k == key),
            };
            if let Some(i) = existing {
                entries[i].1 = value;
                continue;
            }
            if let Some(index) = &mut index {
                index.insert(key.clone(), entries.len());
            } else if entries.len() == SCAN_KEYS {
                index = Some(entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).chain([(key.clone(), entries.len())]).collect());
            }
            entries.push((key, value));
        }
        Ok(Node::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::String(v) => s.serialize_str(v),
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn round_trip(text: &str) -> Value {
        let node: Node = serde_json::from_str(text).unwrap();
        serde_json::to_value(&node).unwrap()
    }

    #[test]
    fn reads_every_json_type_like_value() {
        let text = r#"{"s":"plain","e":"esc\"aped\n","n":-3,"u":18446744073709551615,"f":1.5,"b":true,"z":null,"a":[1,{"k":[]}],"o":{}}"#;
        assert_eq!(round_trip(text), serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn strings_without_escapes_borrow_from_the_text() {
        let text = r#"{"name":"svc","doc":"a\nb"}"#;
        let node: Node = serde_json::from_str(text).unwrap();
        assert!(matches!(node.get("name"), Some(Node::String(Cow::Borrowed("svc")))));
        assert!(matches!(node.get("doc"), Some(Node::String(Cow::Owned(s))) if s == "a\nb"));
    }

    #[test]
    fn a_duplicate_key_keeps_its_first_position_and_last_value() {
        let small = r#"{"a":1,"b":2,"a":3}"#;
        assert_eq!(serde_json::to_string(&serde_json::from_str::<Node>(small).unwrap()).unwrap(), r#"{"a":3,"b":2}"#);
        // Past the scan limit the hash index must agree with Value.
        let mut big: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        big.push("\"k3\":\"again\"".into());
        big.push("\"k39\":null".into());
        let big = format!("{{{}}}", big.join(","));
        assert_eq!(
            serde_json::to_string(&serde_json::from_str::<Node>(&big).unwrap()).unwrap(),
            serde_json::from_str::<Value>(&big).unwrap().to_string()
        );
        assert_eq!(round_trip(&big)["k3"], json!("again"));
    }
}
