//! Text from the API made safe for a log or error line: control characters (CR and LF that would
//! forge log lines, terminal escape sequences), Unicode line separators and bidirectional overrides
//! are written as escapes, so one message stays one line and shows what was sent.

use std::borrow::Cow;
use std::fmt::Write;

fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` unchanged when it holds nothing to escape; otherwise `\n`, `\r`, `\t` and `\u{…}` escapes.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(printable("Failed to fetch projects: 500 - café ünïcode"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_escapes_and_overrides_are_escaped() {
        assert_eq!(printable("a\r\nerror forged"), "a\\r\\nerror forged");
        assert_eq!(printable("\u{1b}[31mred\u{7}"), "\\u{1b}[31mred\\u{7}");
        assert_eq!(printable("x\u{85}y\u{2028}z\u{202e}w\t"), "x\\u{85}y\\u{2028}z\\u{202e}w\\t");
        assert!(!printable("\0\u{7f}\u{9b}").chars().any(char::is_control));
    }
}
