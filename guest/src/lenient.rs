//! Typed JSON that reads as the mapping's tolerant accessors do: a value of the wrong type is
//! absent, the last of duplicate keys wins, unknown keys are skipped without building anything.
//!
//! Components and workloads are nearly every item of an installation. Reading them straight into
//! the few fields the mapping uses, with strings borrowed from the list text, costs a fraction of
//! building a tree and then looking keys up in it.

use crate::entity::FieldValue;
use crate::escape::write_str;
use crate::scan::{Escapes, Scan, Scanned, Scanner};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// `Visitor` methods that read the named groups of JSON values as `Default`, consuming arrays and
/// objects so that the parser stays in step. Each lenient type names the groups it does not read.
macro_rules! read_as_default {
    ($($group:ident),*) => { $($crate::lenient::read_as_default!(@ $group);)* };
    (@ scalars) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (@ ints) => {
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (@ strings) => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (@ arrays) => {
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
    (@ objects) => {
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}
pub(crate) use read_as_default;

/// A struct of lenient fields read from a JSON object by key; anything but an object reads as all
/// fields absent. A key given twice keeps its last value, as `serde_json::Value` does.
macro_rules! lenient_struct {
    ($(#[$meta:meta])* pub struct $name:ident<'a> { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty = $key:pat,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, PartialEq)]
        pub struct $name<'a> {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl<'de> serde::de::Deserialize<'de> for $name<'de> {
            fn deserialize<D: serde::de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct StructVisitor;
                impl<'de> serde::de::Visitor<'de> for StructVisitor {
                    type Value = $name<'de>;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("any JSON value")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::lenient::Key<'de>>()? {
                            match &*key.0 {
                                $($key => out.$field = map.next_value()?,)*
                                _ => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                    $crate::lenient::read_as_default!(scalars, ints, strings, arrays);
                }
                d.deserialize_any(StructVisitor)
            }
        }

        impl<'a> $crate::scan::Scan<'a> for $name<'a> {
            fn scan(s: &mut $crate::scan::Scanner<'a>) -> $crate::scan::Scanned<Self> {
                let mut out = $name::default();
                if !s.starts_with_or_skip(b'{')? {
                    return Ok(out);
                }
                s.object(|s, key| {
                    match &*key {
                        $($key => out.$field = $crate::scan::Scan::scan(s)?,)*
                        _ => s.skip()?,
                    }
                    Ok(())
                })?;
                Ok(out)
            }
        }
    };
}
pub(crate) use lenient_struct;

/// An object key, borrowed when it has no escapes.
pub struct Key<'a>(pub Cow<'a, str>);

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

impl<'a> Scan<'a> for Str<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        Ok(Str(if s.starts_with_or_skip(b'"')? { Some(s.string()?) } else { None }))
    }
}

/// A string, or absent when the value is anything else.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Str<'a>(Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The string, possibly empty (`json::str_at`).
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The string when it is set: present and not empty (`json::set_str`).
    pub fn set(&self) -> Option<&str> {
        self.get().filter(|s| !s.is_empty())
    }
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Some(Cow::Owned(s.to_string()))))
            }
            fn visit_string<E>(self, s: String) -> Result<Str<'de>, E> {
                Ok(Str(Some(Cow::Owned(s))))
            }
            read_as_default!(scalars, ints, arrays, objects);
        }
        d.deserialize_any(StrVisitor)
    }
}

/// A string the mapping copies into entities unchanged (schema definitions, the largest strings,
/// full of `\n`): when its JSON literal is exactly how it would be written back, it is kept as that
/// literal, neither decoded nor escaped again.
#[derive(Debug, Default, Clone)]
pub enum Text<'a> {
    #[default]
    Absent,
    Decoded(Cow<'a, str>),
    /// The JSON literal, quotes included, in the escaping `write_str` uses.
    Written(&'a str),
}

impl Text<'_> {
    /// The string, possibly empty (as [`Str::get`]).
    pub fn decoded(&self) -> Option<Cow<'_, str>> {
        match self {
            Text::Absent => None,
            Text::Decoded(s) => Some(Cow::Borrowed(s)),
            Text::Written(literal) => Some(Cow::Owned(serde_json::from_str(literal).expect("the scanner checked the literal"))),
        }
    }

    /// Absent, or only whitespace.
    pub fn is_blank(&self) -> bool {
        if let Text::Written(literal) = self {
            // Decoding is only needed when the text starts with an escape or a non-ASCII character.
            let first = literal.as_bytes()[1..].iter().find(|&&b| b != b' ');
            if first.is_some_and(|&b| b != b'\\' && b != b'"' && b.is_ascii()) {
                return false;
            }
        }
        self.decoded().is_none_or(|s| s.trim().is_empty())
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.decoded() == other.decoded()
    }
}

/// Written as a JSON string; absent as `""`.
impl FieldValue for Text<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Text::Absent => out.extend_from_slice(b"\"\""),
            Text::Decoded(s) => write_str(out, s),
            Text::Written(literal) => out.extend_from_slice(literal.as_bytes()),
        }
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Str::deserialize(d)?.0 {
            Some(s) => Text::Decoded(s),
            None => Text::Absent,
        })
    }
}

impl<'a> Scan<'a> for Text<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        if !s.starts_with_or_skip(b'"')? {
            return Ok(Text::Absent);
        }
        let (literal, escapes) = s.string_literal()?;
        let body = &literal[1..literal.len() - 1];
        Ok(match escapes {
            Escapes::None => Text::Decoded(Cow::Borrowed(body)),
            Escapes::Canonical => Text::Written(literal),
            Escapes::Other => Text::Decoded(Scanner::new(literal).string()?),
        })
    }
}

/// An integer that fits `i64`, or absent (`serde_json::Value::as_i64`).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Int(pub Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl<'de> Visitor<'de> for IntVisitor {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E>(self, n: i64) -> Result<Int, E> {
                Ok(Int(Some(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Int, E> {
                Ok(Int(i64::try_from(n).ok()))
            }
            read_as_default!(scalars, strings, arrays, objects);
        }
        d.deserialize_any(IntVisitor)
    }
}

impl<'a> Scan<'a> for Int {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        match s.peek()? {
            b'-' | b'0'..=b'9' => Ok(Int(s.integer()?)),
            _ => s.skip().map(|()| Int(None)),
        }
    }
}

/// An array's items, each read as `T`; empty when the value is not an array.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
            read_as_default!(scalars, ints, strings, objects);
        }
        d.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

impl<'a, T: Scan<'a>> Scan<'a> for List<T> {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        let mut items = Vec::new();
        if !s.starts_with_or_skip(b'[')? {
            return Ok(List(items));
        }
        s.array(|s| {
            items.push(T::scan(s)?);
            Ok(())
        })?;
        Ok(List(items))
    }
}

/// Past this many keys, duplicate detection uses a hash index instead of a scan.
const SCAN_KEYS: usize = 16;

/// An object's entries in document order, each value read as `T`; empty for a non-object. A key
/// given twice keeps its first position and its last value, as `serde_json::Value` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Entries<'a, T>(pub Vec<(Cow<'a, str>, T)>);

impl<T> Default for Entries<'_, T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<'de, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<'de, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de, T>, A::Error> {
                let mut builder = EntriesBuilder::default();
                while let Some(Key(key)) = map.next_key()? {
                    builder.insert(key, map.next_value()?);
                }
                Ok(Entries(builder.entries))
            }
            read_as_default!(scalars, ints, strings, arrays);
        }
        d.deserialize_any(EntriesVisitor(std::marker::PhantomData))
    }
}

impl<'a, T: Scan<'a>> Scan<'a> for Entries<'a, T> {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self> {
        let mut builder = EntriesBuilder::default();
        if !s.starts_with_or_skip(b'{')? {
            return Ok(Entries(builder.entries));
        }
        s.object(|s, key| {
            builder.insert(key, T::scan(s)?);
            Ok(())
        })?;
        Ok(Entries(builder.entries))
    }
}

/// Entries in document order; a key given twice keeps its first position and its last value.
struct EntriesBuilder<'a, T> {
    entries: Vec<(Cow<'a, str>, T)>,
    index: Option<HashMap<Cow<'a, str>, usize>>,
}

impl<T> Default for EntriesBuilder<'_, T> {
    fn default() -> Self {
        Self { entries: Vec::new(), index: None }
    }
}

impl<'a, T> EntriesBuilder<'a, T> {
    fn insert(&mut self, key: Cow<'a, str>, value: T) {
        let existing = match &self.index {
            Some(index) => index.get(&key).copied(),
            None => self.entries.iter().position(|(k, _)| *k == key),
        };
        if let Some(i) = existing {
            self.entries[i].1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        } else if self.entries.len() == SCAN_KEYS {
            let indexed = self.entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i));
            self.index = Some(indexed.chain([(key.clone(), self.entries.len())]).collect());
        }
        self.entries.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    lenient_struct! {
        pub struct Probe<'a> {
            pub name: Str<'a> = "name",
            pub port: Int = "port",
            pub tags: List<Str<'a>> = "tags",
            pub inner: Entries<'a, Int> = "inner",
        }
    }

    fn probe(text: &str) -> Probe<'_> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_value_of_the_wrong_type_reads_as_absent_and_the_parser_stays_in_step() {
        let p = probe(r#"{"name":{"deep":[1,{"x":2}]},"port":"8080","tags":{"a":1},"inner":[1,2],"after":true}"#);
        assert_eq!((p.name.get(), p.port.0, p.tags.0.len(), p.inner.0.len()), (None, None, 0, 0));
        let p = probe(r#"{"name":[],"port":1.5,"tags":"x","inner":null}"#);
        assert_eq!((p.name.get(), p.port.0), (None, None));
        for text in ["[1,2]", "\"s\"", "3", "null", "true"] {
            assert_eq!(probe(text).name.get(), None, "{text}");
        }
    }

    #[test]
    fn a_text_in_the_writers_own_escaping_is_kept_as_written_and_writes_back_identically() {
        for (literal, kept) in [
            (r#""openapi: 3.0.3\ninfo:\n  title: \"x\"\t\\ \u001f \b\f\r""#, true),
            (r#""no escapes at all""#, false),
            (r#""a slash \/ escaped""#, false),
            (r#""\u00e9 escaped""#, false),
            (r#""upper-case hex \u001F""#, false),
            (r#""a short form written long \u000a""#, false),
        ] {
            let text = Text::scan(&mut Scanner::new(literal)).unwrap();
            assert_eq!(matches!(text, Text::Written(_)), kept, "{literal}");
            let decoded: String = serde_json::from_str(literal).unwrap();
            assert_eq!(text.decoded().as_deref(), Some(decoded.as_str()), "{literal}");
            let mut out = Vec::new();
            text.write(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&decoded).unwrap(), "{literal}");
        }
    }

    #[test]
    fn blank_texts_are_told_apart_however_they_are_written() {
        for (literal, blank) in [
            (r#""""#, true),
            (r#""   ""#, true),
            ("\" \\n\\t \"", true),
            ("\"\u{3000}\\n\"", true),
            ("\"  a\\n\"", false),
            ("\"\\nx\"", false),
            ("\"\u{e9}\\n\"", false),
            (r#"7"#, true),
        ] {
            let text = Text::scan(&mut Scanner::new(literal)).unwrap();
            assert_eq!(text.is_blank(), blank, "{literal}");
        }
    }

    #[test]
    fn integers_read_as_value_as_i64_does() {
        assert_eq!(probe(r#"{"port":-3}"#).port.0, Some(-3));
        assert_eq!(probe(r#"{"port":9223372036854775807}"#).port.0, Some(i64::MAX));
        assert_eq!(probe(r#"{"port":9223372036854775808}"#).port.0, None);
    }

    #[test]
    fn strings_borrow_unless_escaped_and_empty_strings_are_not_set() {
        let p = probe(r#"{"name":"svc","tags":["a\n",3,"",null,"b"]}"#);
        assert!(matches!(p.name.0, Some(Cow::Borrowed("svc"))));
        let tags: Vec<Option<&str>> = p.tags.0.iter().map(Str::get).collect();
        assert_eq!(tags, [Some("a\n"), None, Some(""), None, Some("b")]);
        assert_eq!(p.tags.0[2].set(), None);
    }

    #[test]
    fn the_last_of_duplicate_keys_wins_at_the_first_position() {
        let p = probe(r#"{"name":"first","name":"last","inner":{"a":1,"b":2,"a":3}}"#);
        assert_eq!(p.name.get(), Some("last"));
        let inner: Vec<(&str, Option<i64>)> = p.inner.0.iter().map(|(k, v)| (k.as_ref(), v.0)).collect();
        assert_eq!(inner, [("a", Some(3)), ("b", Some(2))]);
        // Past the scan limit the hash index must agree.
        let mut keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        keys.push("\"k3\":-1".into());
        let text = format!("{{\"inner\":{{{}}}}}", keys.join(","));
        let p = probe(&text);
        assert_eq!((p.inner.0.len(), p.inner.0[3].1.0), (40, Some(-1)));
    }
}
