//! JSON string writing, byte-identical to `serde_json`'s, but eight bytes at a time.
//!
//! Entity documents are mostly strings that need no escaping. `serde_json` looks every byte up in a
//! table; in wasm that was the largest single cost of writing entities. Here a word of eight bytes
//! is tested at once for a quote, a backslash or a control character, and clean runs are copied.

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` (little-endian) that is below 0x20, a `"` or a `\`. Bytes
/// ≥ 0x80 are never flagged. Only the lowest flag is exact (a borrow can flag bytes above it), so
/// callers use it to find the first such byte or to know there is none.
#[inline]
pub(crate) fn special_bytes(w: u64) -> u64 {
    let has_zero = |x: u64| x.wrapping_sub(LOW) & !x & HIGH;
    let control = w.wrapping_sub(LOW * 0x20) & !w & HIGH;
    control | has_zero(w ^ (LOW * b'"' as u64)) | has_zero(w ^ (LOW * b'\\' as u64))
}

#[inline]
fn needs_escape(w: u64) -> bool {
    special_bytes(w) != 0
}

/// Appends `s` as a JSON string literal, quotes included.
///
/// Clean words are stored eight bytes at a time rather than copied with `extend_from_slice`: in
/// wasm a slice copy is a `memory.copy`, which wasmtime runs as a call into the host, and most
/// strings here are a few dozen bytes.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut words = bytes.chunks_exact(8);
    for (i, word) in words.by_ref().enumerate() {
        let word: [u8; 8] = word.try_into().expect("eight bytes");
        if needs_escape(u64::from_le_bytes(word)) {
            write_escaped(out, &bytes[i * 8..]);
            out.push(b'"');
            return;
        }
        out.extend_from_slice(&word);
    }
    let tail = words.remainder();
    if tail.is_empty() {
        out.push(b'"');
        return;
    }
    if bytes.len() >= 8 {
        // The last eight bytes, overlapping what is already written: one test and one store
        // instead of a byte loop. The overlap is rewritten with the same bytes.
        let last: [u8; 8] = bytes[bytes.len() - 8..].try_into().expect("eight bytes");
        if !needs_escape(u64::from_le_bytes(last)) {
            out.truncate(out.len() - (8 - tail.len()));
            out.extend_from_slice(&last);
            out.push(b'"');
            return;
        }
    }
    if tail.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        write_escaped(out, tail);
    } else {
        for &b in tail {
            out.push(b);
        }
    }
    out.push(b'"');
}

/// The slow path: clean runs are copied whole, escapes written one by one.
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() && !needs_escape(u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"))) {
            i += 8;
            continue;
        }
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => &[],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        } else {
            out.extend_from_slice(escape);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn matches_serde_json_for_every_ascii_byte_at_every_word_offset() {
        for b in 0u8..=0x7f {
            for offset in 0..9 {
                let s = format!("{}{}{}", "a".repeat(offset), b as char, "z".repeat(9));
                assert_eq!(ours(&s), serde_json::to_string(&s).unwrap(), "byte {b:#x} at {offset}");
            }
        }
    }

    #[test]
    fn every_length_of_distinct_bytes_is_copied_in_order() {
        let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for n in 0..=alphabet.len() {
            for with_escape in [false, true] {
                let s = if with_escape { format!("{}\n", &alphabet[..n]) } else { alphabet[..n].to_string() };
                assert_eq!(ours(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
            }
        }
    }

    #[test]
    fn matches_serde_json_for_mixed_text() {
        for s in [
            "",
            "plain",
            "openapi: 3.0.3\ninfo:\n  title: \"synthetic\"\n",
            "ünïcödé ✓ 𝄞 and a \\ backslash",
            "\u{0}\u{1f}\u{7f}\u{80}\u{ff}",
            "exactly8",
            "sixteen bytes!!!",
        ] {
            assert_eq!(ours(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }
}
