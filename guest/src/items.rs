//! A list's items kept as the JSON text they arrived in, until a translation reads them.
//!
//! Pages are appended without building a tree, and each family parses its lists into the tree it
//! reads (`Value`, or the lean `Node` for components and workloads).

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One list's items as a JSON array text. Every item in it is syntactically valid JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Items {
    /// `[item,item,...]`
    text: String,
    len: usize,
}

/// An item that is valid JSON but cannot become a tree (nested past the parser's depth limit).
#[derive(Debug, Clone, PartialEq)]
pub struct BadItem {
    pub index: usize,
    pub message: String,
}

impl Default for Items {
    fn default() -> Self {
        Self::new()
    }
}

impl Items {
    pub fn new() -> Self {
        Self { text: "[]".to_string(), len: 0 }
    }

    /// A JSON array of items, refused with the reason when it is not one.
    pub fn from_json_array(text: &str) -> Result<Self, String> {
        let raw: Vec<&RawValue> = serde_json::from_str(text)
            .map_err(|e| if e.is_data() { "expected a JSON array of items".to_string() } else { e.to_string() })?;
        Ok(Self { text: text.to_string(), len: raw.len() })
    }

    /// One JSON document, refused with the parser's reason when it is not valid JSON.
    pub fn single(text: &str) -> Result<Self, String> {
        let raw: &RawValue = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut items = Self::new();
        items.push_raw(raw);
        Ok(items)
    }

    pub fn push_raw(&mut self, item: &RawValue) {
        self.text.pop();
        if self.len > 0 {
            self.text.push(',');
        }
        self.text.push_str(item.get());
        self.text.push(']');
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items as trees of `T`. Items are parsed all at once; only when that fails (an item nested
    /// past the depth limit) are they parsed one by one, so one bad item costs only itself.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> (Vec<T>, Vec<BadItem>) {
        if let Ok(all) = serde_json::from_str::<Vec<T>>(&self.text) {
            return (all, Vec::new());
        }
        let raw: Vec<&'a RawValue> = serde_json::from_str(&self.text).expect("items are a valid JSON array by construction");
        let mut good = Vec::with_capacity(raw.len());
        let mut bad = Vec::new();
        for (index, item) in raw.into_iter().enumerate() {
            match serde_json::from_str::<T>(item.get()) {
                Ok(v) => good.push(v),
                Err(e) => bad.push(BadItem { index, message: format!("cannot be read: {e}") }),
            }
        }
        (good, bad)
    }

    /// The items as `Value`s, for callers that need no diagnostics (and tests).
    pub fn values(&self) -> Vec<Value> {
        self.parse().0
    }
}

impl From<Vec<Value>> for Items {
    fn from(values: Vec<Value>) -> Self {
        let text = serde_json::to_string(&values).expect("serializing to memory cannot fail");
        Self { text, len: values.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_append_to_one_array() {
        let mut items = Items::new();
        for page in [r#"[{"a":1}]"#, "[]", r#"[2, "three"]"#] {
            for raw in serde_json::from_str::<Vec<&RawValue>>(page).unwrap() {
                items.push_raw(raw);
            }
        }
        assert_eq!(items.len(), 3);
        assert_eq!(items.values(), vec![json!({"a": 1}), json!(2), json!("three")]);
    }

    #[test]
    fn a_non_array_is_refused_with_the_reason() {
        assert_eq!(Items::from_json_array(r#"{"items":[]}"#).unwrap_err(), "expected a JSON array of items");
        assert!(Items::from_json_array("[1,").unwrap_err().contains("EOF"));
        assert_eq!(Items::from_json_array(" [1, {}] ").unwrap().len(), 2);
    }

    #[test]
    fn an_item_nested_too_deep_costs_only_itself() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let items = Items::from_json_array(&format!(r#"[{{"a":1}},{deep},{{"b":2}}]"#)).unwrap();
        let (good, bad) = items.parse::<Value>();
        assert_eq!(good, vec![json!({"a": 1}), json!({"b": 2})]);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].index, 1);
        assert!(bad[0].message.contains("recursion limit"), "{}", bad[0].message);
    }
}
