//! A list's items kept as the JSON text they arrived in, until a translation reads them.
//!
//! Pages are appended without building a tree, and each family parses its lists into what it reads
//! (`Value` trees, or typed structs for components and workloads).

use crate::scan::{Declined, Scan, Scanner};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One list's items as a JSON array text. Every item in it is syntactically valid JSON, except in
/// a list made with [`Items::unchecked`], which is checked when it is parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Items {
    /// `[item,item,...]`
    text: String,
    /// How many items; `None` until an unchecked text is checked.
    len: Option<usize>,
}

/// Why a page was not added to a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRefused {
    /// The list would hold this many bytes, more than it may.
    OverLimit { needed: usize },
    /// The component's memory could not hold the page.
    NoMemory,
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
        Self { text: "[]".to_string(), len: Some(0) }
    }

    /// A JSON array of items, refused with the reason when it is not one.
    pub fn from_json_array(text: &str) -> Result<Self, String> {
        Self::from_json_string(text.to_string())
    }

    /// As [`Items::from_json_array`], keeping the text it is given (the host's strings are large).
    pub fn from_json_string(text: String) -> Result<Self, String> {
        let mut items = Self::unchecked(text);
        items.len = Some(count_items(&items.text)?);
        Ok(items)
    }

    /// A text that is checked only when parsed ([`Items::try_parse`]). For the host's large lists
    /// that are parsed exactly once: checking them first would read every byte twice.
    pub fn unchecked(mut text: String) -> Self {
        text.truncate(text.trim_end().len()); // so that the text ends with the array's `]`
        Self { text, len: None }
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
        if !self.text.trim_end().ends_with('[') {
            self.text.push(',');
        }
        self.text.push_str(item.get());
        self.text.push(']');
        self.len = self.len.map(|n| n + 1);
    }

    /// Appends a page's items, or leaves the list as it was when they would take it past `limit`
    /// bytes, or when the memory for them cannot be had (the component's memory is capped: a list too
    /// large for it fails instead of aborting the run). The text grows by doubling, never past `limit`.
    pub fn try_push_page(&mut self, page: &[&RawValue], limit: usize) -> Result<(), PageRefused> {
        let needed = self.text.len() + page.iter().map(|i| i.get().len() + 1).sum::<usize>();
        if needed > limit {
            return Err(PageRefused::OverLimit { needed });
        }
        if needed > self.text.capacity() {
            let grown = (self.text.capacity() * 2).clamp(needed, limit);
            self.text.try_reserve_exact(grown - self.text.len()).map_err(|_| PageRefused::NoMemory)?;
        }
        for item in page {
            self.push_raw(item);
        }
        Ok(())
    }

    /// Bytes of memory the list's text takes (its capacity: what the component's memory pays).
    pub fn held_bytes(&self) -> usize {
        self.text.capacity()
    }

    /// How many items; `None` for an unchecked text.
    pub fn checked_len(&self) -> Option<usize> {
        self.len
    }

    /// The items as `T`s, as [`Items::try_parse`]; an unchecked text that is not a JSON array
    /// reads as no items.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> (Vec<T>, Vec<BadItem>) {
        self.try_parse().unwrap_or_default()
    }

    /// The items as `T`s, or why an unchecked text is not a JSON array. Items are parsed all at
    /// once; only when that fails (an item nested past the depth limit) are they parsed one by
    /// one, so one bad item costs only itself.
    pub fn try_parse<'a, T: Deserialize<'a>>(&'a self) -> Result<(Vec<T>, Vec<BadItem>), String> {
        if let Ok(all) = serde_json::from_str::<Vec<T>>(&self.text) {
            return Ok((all, Vec::new()));
        }
        if self.len.is_none() {
            count_items(&self.text)?;
        }
        let raw: Vec<&'a RawValue> = serde_json::from_str(&self.text).expect("the text was checked to be a JSON array");
        let mut good = Vec::with_capacity(raw.len());
        let mut bad = Vec::new();
        for (index, item) in raw.into_iter().enumerate() {
            match serde_json::from_str::<T>(item.get()) {
                Ok(v) => good.push(v),
                Err(e) => bad.push(BadItem { index, message: format!("cannot be read: {e}") }),
            }
        }
        Ok((good, bad))
    }

    /// As [`Items::try_parse`], read by the [`Scanner`] in one pass; only a text the scanner
    /// declines (a syntax error, a rare number or escape, deep nesting) is read by `serde_json`.
    pub fn try_scan<'a, T: Scan<'a> + Deserialize<'a>>(&'a self) -> Result<(Vec<T>, Vec<BadItem>), String> {
        match Scanner::items(&self.text) {
            Ok(all) => Ok((all, Vec::new())),
            Err(Declined) => self.try_parse(),
        }
    }

    /// The items as `Value`s, for callers that need no diagnostics (and tests).
    pub fn values(&self) -> Vec<Value> {
        self.parse().0
    }
}

impl From<Vec<Value>> for Items {
    fn from(values: Vec<Value>) -> Self {
        let text = serde_json::to_string(&values).expect("serializing to memory cannot fail");
        Self { text, len: Some(values.len()) }
    }
}

/// How many items a JSON array text has, or why it is not one.
fn count_items(text: &str) -> Result<usize, String> {
    serde_json::from_str::<ItemCount>(text)
        .map(|count| count.0)
        .map_err(|e| if e.is_data() { "expected a JSON array of items".to_string() } else { e.to_string() })
}

/// How many items a JSON array has, checking that each is valid JSON without keeping anything.
struct ItemCount(usize);

impl<'de> Deserialize<'de> for ItemCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl<'de> serde::de::Visitor<'de> for CountVisitor {
            type Value = ItemCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ItemCount, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(ItemCount(n))
            }
        }
        d.deserialize_seq(CountVisitor)
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
        assert_eq!(items.checked_len(), Some(3));
        assert_eq!(items.values(), vec![json!({"a": 1}), json!(2), json!("three")]);
    }

    #[test]
    fn a_non_array_is_refused_with_the_reason() {
        assert_eq!(Items::from_json_array(r#"{"items":[]}"#).unwrap_err(), "expected a JSON array of items");
        assert!(Items::from_json_array("[1,").unwrap_err().contains("EOF"));
        assert_eq!(Items::from_json_array(" [1, {}] ").unwrap().checked_len(), Some(2));
        let mut padded = Items::from_json_array("[1] \n").unwrap();
        padded.push_raw(&RawValue::from_string("2".into()).unwrap());
        assert_eq!(padded.values(), [serde_json::json!(1), serde_json::json!(2)]);
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

    #[test]
    fn an_unchecked_text_is_checked_when_parsed() {
        let items = Items::unchecked(r#"[{"a":1},2] "#.to_string());
        assert_eq!(items.checked_len(), None);
        assert_eq!(items.try_parse::<Value>().unwrap(), (vec![json!({"a": 1}), json!(2)], vec![]));
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let (good, bad) = Items::unchecked(format!("[1,{deep}]")).try_parse::<Value>().unwrap();
        assert_eq!((good, bad[0].index), (vec![json!(1)], 1));
        assert_eq!(Items::unchecked(r#"{"items":[]}"#.into()).try_parse::<Value>().unwrap_err(), "expected a JSON array of items");
        assert!(Items::unchecked("[1,".into()).try_parse::<Value>().unwrap_err().contains("EOF"));
        assert_eq!(Items::unchecked("[1,".into()).parse::<Value>(), (vec![], vec![]));
    }
}
