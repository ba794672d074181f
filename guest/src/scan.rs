//! A JSON reader for the [`crate::lenient`] types: one pass over a list's text, reading the fields
//! the mapping uses and skipping the rest, with strings borrowed where they have no escapes.
//!
//! It is a fast path, not a second parser to trust. It declines ([`Declined`]) anything it is not
//! certain `serde_json` would read the same way: every syntax error, a float or an out-of-range
//! integer where a value is read, a surrogate escape, nesting past [`MAX_SKIP_DEPTH`]. The caller
//! then reads the text with `serde_json`, which decides, and words the error. So where the scanner
//! succeeds, the text is valid JSON and the values equal what the `Deserialize` impls produce
//! (checked by unit tests here and by the `mapping` fuzz target).

use crate::escape::special_bytes;
use std::borrow::Cow;

/// The scanner cannot vouch for this text; read it with `serde_json` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declined;

pub type Scanned<T> = Result<T, Declined>;

/// Containers a skipped value may nest before the scanner declines (one bit each in a `u128`).
pub const MAX_SKIP_DEPTH: u32 = 128;

/// A value read from JSON by the scanner, leniently (see [`crate::lenient`]).
pub trait Scan<'a>: Sized {
    fn scan(s: &mut Scanner<'a>) -> Scanned<Self>;
}

/// What escapes a JSON string literal has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    None,
    /// Only escapes written the way `serde_json` (and [`crate::escape::write_str`]) writes them:
    /// the literal is exactly how its string is written back.
    Canonical,
    /// Some escape another writer chose (`\/`, `\u00e9`, upper-case hex).
    Other,
}

pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    /// A whole text that is one JSON value, read as `T`.
    pub fn document<T: Scan<'a>>(text: &'a str) -> Scanned<T> {
        let mut s = Self::new(text);
        let value = T::scan(&mut s)?;
        s.skip_whitespace();
        if s.pos == text.len() { Ok(value) } else { Err(Declined) }
    }

    /// A whole text that is one JSON array, its items read as `T`.
    pub fn items<T: Scan<'a>>(text: &'a str) -> Scanned<Vec<T>> {
        let mut s = Self::new(text);
        let mut items = Vec::new();
        s.array(|s| {
            items.push(T::scan(s)?);
            Ok(())
        })?;
        s.skip_whitespace();
        if s.pos == text.len() { Ok(items) } else { Err(Declined) }
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next significant byte, not consumed.
    #[inline]
    pub fn peek(&mut self) -> Scanned<u8> {
        self.skip_whitespace();
        self.bytes().get(self.pos).copied().ok_or(Declined)
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Scanned<()> {
        if self.peek()? != byte {
            return Err(Declined);
        }
        self.pos += 1;
        Ok(())
    }

    /// `[item, ...]`, each item read by `item`.
    pub fn array(&mut self, item: impl FnMut(&mut Self) -> Scanned<()>) -> Scanned<()> {
        self.sequence(b'[', b']', item)
    }

    /// `{"key": value, ...}`, each value read by `entry` given its key.
    pub fn object(&mut self, mut entry: impl FnMut(&mut Self, Cow<'a, str>) -> Scanned<()>) -> Scanned<()> {
        self.sequence(b'{', b'}', |s| {
            if s.peek()? != b'"' {
                return Err(Declined);
            }
            let key = s.string()?;
            s.expect(b':')?;
            entry(s, key)
        })
    }

    /// `open`, members separated by commas (each read by `member`), `close`.
    fn sequence(&mut self, open: u8, close: u8, mut member: impl FnMut(&mut Self) -> Scanned<()>) -> Scanned<()> {
        self.expect(open)?;
        if self.peek()? == close {
            self.pos += 1;
            return Ok(());
        }
        loop {
            member(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b if b == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(Declined),
            }
        }
    }

    /// True when the next value starts with `first`; otherwise the value, of a type the reader
    /// does not take there, is skipped (it reads as absent) and this is false.
    pub fn starts_with_or_skip(&mut self, first: u8) -> Scanned<bool> {
        if self.peek()? == first {
            return Ok(true);
        }
        self.skip_other()?;
        Ok(false)
    }

    /// The string starting at the next `"`: borrowed from the text when it has no escapes.
    pub fn string(&mut self) -> Scanned<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.pos;
        match self.find_special()? {
            b'"' => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                Ok(Cow::Borrowed(s))
            }
            b'\\' => {
                let mut owned = String::with_capacity(self.pos - start + 64);
                owned.push_str(&self.text[start..self.pos]);
                self.unescape_rest(&mut owned)?;
                Ok(Cow::Owned(owned))
            }
            _ => Err(Declined),
        }
    }

    /// Moves to the next `"`, `\` or control character of a string and returns it.
    #[inline]
    fn find_special(&mut self) -> Scanned<u8> {
        let bytes = self.bytes();
        while self.pos + 8 <= bytes.len() {
            let word = u64::from_le_bytes(bytes[self.pos..self.pos + 8].try_into().expect("eight bytes"));
            let flags = special_bytes(word);
            if flags != 0 {
                self.pos += flags.trailing_zeros() as usize / 8;
                return Ok(bytes[self.pos]);
            }
            self.pos += 8;
        }
        while let Some(&b) = bytes.get(self.pos) {
            if b < 0x20 || b == b'"' || b == b'\\' {
                return Ok(b);
            }
            self.pos += 1;
        }
        Err(Declined)
    }

    /// At a `\` inside a string: decodes up to and past the closing quote into `out`.
    fn unescape_rest(&mut self, out: &mut String) -> Scanned<()> {
        loop {
            // At a backslash.
            let escaped = *self.bytes().get(self.pos + 1).ok_or(Declined)?;
            self.pos += 2;
            match escaped {
                b'"' | b'\\' | b'/' => out.push(escaped as char),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => out.push(self.unicode_escape()?),
                _ => return Err(Declined),
            }
            let start = self.pos;
            let special = self.find_special()?;
            out.push_str(&self.text[start..self.pos]);
            match special {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => {}
                _ => return Err(Declined),
            }
        }
    }

    /// The four hex digits after `\u`; a surrogate (half of a pair, or alone) is declined.
    fn unicode_escape(&mut self) -> Scanned<char> {
        let hex = self.bytes().get(self.pos..self.pos + 4).ok_or(Declined)?;
        let mut code = 0u32;
        for &h in hex {
            code = code * 16 + (h as char).to_digit(16).ok_or(Declined)?;
        }
        self.pos += 4;
        char::from_u32(code).ok_or(Declined)
    }

    fn skip_string(&mut self) -> Scanned<()> {
        self.literal_escapes().map(drop)
    }

    /// The string starting at the next `"` as its JSON literal, quotes included, without decoding it.
    pub fn string_literal(&mut self) -> Scanned<(&'a str, Escapes)> {
        if self.peek()? != b'"' {
            return Err(Declined);
        }
        let start = self.pos;
        let escapes = self.literal_escapes()?;
        Ok((&self.text[start..self.pos], escapes))
    }

    /// At a `"`: moves past the string, checking its escapes.
    fn literal_escapes(&mut self) -> Scanned<Escapes> {
        self.pos += 1; // the opening quote
        let mut escapes = Escapes::None;
        loop {
            match self.find_special()? {
                b'"' => {
                    self.pos += 1;
                    return Ok(escapes);
                }
                b'\\' => {
                    let escaped = *self.bytes().get(self.pos + 1).ok_or(Declined)?;
                    self.pos += 2;
                    let canonical = match escaped {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => true,
                        b'/' => false,
                        b'u' => {
                            let hex = self.bytes().get(self.pos..self.pos + 4).ok_or(Declined)?;
                            let lower_hex = hex.iter().all(|h| h.is_ascii_digit() || (b'a'..=b'f').contains(h));
                            let code = self.unicode_escape()? as u32;
                            // `serde_json` writes `\u00xx` only for the controls without a short form.
                            lower_hex && code < 0x20 && !matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d)
                        }
                        _ => return Err(Declined),
                    };
                    if !canonical {
                        escapes = Escapes::Other;
                    } else if escapes == Escapes::None {
                        escapes = Escapes::Canonical;
                    }
                }
                _ => return Err(Declined),
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Scanned<()> {
        if self.bytes().get(self.pos..self.pos + word.len()) != Some(word) {
            return Err(Declined);
        }
        self.pos += word.len();
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        let bytes = self.bytes();
        while bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number's text, checked against JSON's grammar; whatever follows is the caller's to check.
    fn skip_number(&mut self) -> Scanned<()> {
        if self.bytes()[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.bytes().get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Declined),
        }
        if self.bytes().get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(Declined);
            }
        }
        if let Some(b'e' | b'E') = self.bytes().get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes().get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(Declined);
            }
        }
        Ok(())
    }

    /// A number where a value is read, as `serde_json` reads it into `i64`: an integer in range,
    /// or `None` for an unsigned one past `i64::MAX`. Other numbers (fractions, exponents, `-0`,
    /// integers past 64 bits) go through floats in `serde_json`, so they are declined.
    pub fn integer(&mut self) -> Scanned<Option<i64>> {
        let negative = self.peek()? == b'-';
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let digits = self.digits();
        let text = &self.text[start..self.pos];
        if digits == 0 || (digits > 1 && text.starts_with('0')) || matches!(self.bytes().get(self.pos), Some(b'.' | b'e' | b'E')) {
            return Err(Declined);
        }
        let magnitude: u64 = text.parse().map_err(|_| Declined)?;
        match (negative, magnitude) {
            (false, m) => Ok(i64::try_from(m).ok()),
            (true, 0) => Err(Declined),
            (true, m) if m <= 1 << 63 => Ok(Some((m as i64).wrapping_neg())),
            (true, _) => Err(Declined),
        }
    }

    /// Skips a value where a value of another type is read (it reads as absent). Numbers there are
    /// parsed by `serde_json`, so they follow [`Scanner::integer`]'s rules.
    pub fn skip_other(&mut self) -> Scanned<()> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.integer().map(drop),
            _ => self.skip(),
        }
    }

    /// Skips one value of any type, checking its syntax, without recursion.
    pub fn skip(&mut self) -> Scanned<()> {
        // Bit `d` set: the container at depth `d` is an object.
        let mut objects: u128 = 0;
        let mut depth: u32 = 0;
        'value: loop {
            match self.peek()? {
                b'"' => self.skip_string()?,
                open @ (b'{' | b'[') => {
                    self.pos += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.pos += 1;
                    } else {
                        if depth == MAX_SKIP_DEPTH {
                            return Err(Declined);
                        }
                        if open == b'{' {
                            objects |= 1 << depth;
                            self.key()?;
                        } else {
                            objects &= !(1 << depth);
                        }
                        depth += 1;
                        continue 'value;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.skip_number()?,
                _ => return Err(Declined),
            }
            while depth > 0 {
                let in_object = objects & (1 << (depth - 1)) != 0;
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        if in_object {
                            self.key()?;
                        }
                        continue 'value;
                    }
                    b'}' if in_object => self.pos += 1,
                    b']' if !in_object => self.pos += 1,
                    _ => return Err(Declined),
                }
                depth -= 1;
            }
            return Ok(());
        }
    }

    /// An object key and its colon, skipped.
    fn key(&mut self) -> Scanned<()> {
        if self.peek()? != b'"' {
            return Err(Declined);
        }
        self.skip_string()?;
        self.expect(b':')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;

    /// Skips one value and requires the rest of the text to be whitespace.
    fn skipped(text: &str) -> Scanned<()> {
        let mut s = Scanner::new(text);
        s.skip()?;
        s.skip_whitespace();
        if s.pos == text.len() { Ok(()) } else { Err(Declined) }
    }

    #[test]
    fn skipping_accepts_exactly_what_serde_json_accepts_for_these_texts() {
        let texts = [
            r#"{"a":[1,-2.5e+3,true,false,null,{"b":{}},[],"\u00e9\n"]}"#,
            "  [ 1 , [ 2 , { \"k\" : \"v\" } ] ]  ",
            "0",
            "-0.0e-0",
            r#""tab\tquote\"slash\/""#,
            "[1,]",
            r#"{"a":1,}"#,
            "{1:2}",
            "[01]",
            "[1.]",
            "[.5]",
            "[-]",
            "[1e]",
            "[tru]",
            "[nulll]",
            "\"unterminated",
            "\"bad \\x escape\"",
            "\"raw \u{1} control\"",
            "[1 2]",
            r#"{"a" 1}"#,
            "[}",
            "{]",
            "",
            "[1]x",
        ];
        for text in texts {
            let serde_ok = serde_json::from_str::<IgnoredAny>(text).is_ok();
            assert_eq!(skipped(text).is_ok(), serde_ok, "{text:?}");
        }
    }

    #[test]
    fn nesting_is_skipped_to_the_limit_and_declined_past_it() {
        let limit = MAX_SKIP_DEPTH as usize;
        let arrays = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let objects = |depth: usize| format!("{}1{}", "{\"k\":".repeat(depth), "}".repeat(depth));
        let mixed = |depth: usize| format!("{}1{}", "[{\"k\":".repeat(depth / 2), "}]".repeat(depth / 2));
        let shapes: [fn(usize) -> String; 3] = [arrays, objects, mixed];
        for nested in shapes {
            assert_eq!(skipped(&nested(limit)), Ok(()));
            assert_eq!(skipped(&nested(limit + 2)), Err(Declined));
        }
        assert_eq!(skipped("[[1],{\"a\":[{}]},2]"), Ok(()));
        assert_eq!(skipped("[{\"a\":1]}"), Err(Declined));
    }

    #[test]
    fn strings_borrow_when_plain_and_decode_escapes_otherwise() {
        let read = |text: &'static str| Scanner::new(text).string();
        assert!(matches!(read(r#""plain text past eight bytes""#), Ok(Cow::Borrowed("plain text past eight bytes"))));
        let escaped = r#""line\nquote\" \u00e9\u20ac back\\slash\/ \b\f\r\t end""#;
        assert_eq!(read(escaped).unwrap(), serde_json::from_str::<String>(escaped).unwrap());
        for declined in [r#""\ud83d\ude00""#, r#""\ud83d""#, r#""\uzzzz""#, "\"a\u{1f}b\"", r#""open"#] {
            assert_eq!(read(declined), Err(Declined), "{declined:?}");
        }
    }

    #[test]
    fn integers_read_as_serde_json_reads_them_into_i64_and_the_rest_is_declined() {
        let read = |text: &str| Scanner::new(text).integer();
        assert_eq!(read("8080"), Ok(Some(8080)));
        assert_eq!(read("-9223372036854775808"), Ok(Some(i64::MIN)));
        assert_eq!(read("9223372036854775807"), Ok(Some(i64::MAX)));
        assert_eq!(read("9223372036854775808"), Ok(None));
        for declined in ["-0", "1.0", "1e3", "01", "-", "18446744073709551616", "-9223372036854775809"] {
            assert_eq!(read(declined), Err(Declined), "{declined}");
        }
    }
}
