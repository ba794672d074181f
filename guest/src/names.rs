//! Backstage naming rules (docs/compatibility.md, W5): every emitted name and tag is valid, deterministically.

use std::borrow::Cow;

/// Backstage `metadata.name` limit.
pub const MAX_NAME: usize = 63;
const HASH_LEN: usize = 8;

/// FNV-1a, 64 bit: stable across platforms and releases, which a catalog name must be.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn short_hash(input: &str) -> String {
    format!("{:016x}", fnv1a(input.as_bytes()))[..HASH_LEN].to_string()
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, 1 to 63 characters.
pub fn is_valid_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_NAME
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `raw` when it is a valid name; otherwise a valid name built from it plus a hash of `identity`,
/// so two different inputs never shorten to the same name.
pub fn name_with_identity(raw: &str, identity: &str) -> String {
    if is_valid_name(raw) {
        return raw.to_string();
    }
    hashed_name(raw, identity)
}

/// A valid name for `raw`: unchanged when valid, shortened or cleaned with a hash suffix otherwise.
pub fn backstage_name(raw: &str) -> String {
    name_with_identity(raw, raw)
}

/// As [`backstage_name`], borrowing `raw` when it is already valid (the usual case).
pub fn backstage_name_ref(raw: &str) -> Cow<'_, str> {
    if is_valid_name(raw) { Cow::Borrowed(raw) } else { Cow::Owned(hashed_name(raw, raw)) }
}

/// `s.to_lowercase()`, borrowed when that is `s` itself (ASCII without upper-case letters).
pub fn lower_case(s: &str) -> Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Borrowed(s) } else { Cow::Owned(s.to_lowercase()) }
}

/// Always suffixes the hash of `identity` (used to separate names that collide).
pub fn hashed_name(raw: &str, identity: &str) -> String {
    let cleaned: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' }).collect();
    let mut stem: String = cleaned.chars().take(MAX_NAME - HASH_LEN - 1).collect();
    while stem.ends_with(|c: char| !c.is_ascii_alphanumeric()) {
        stem.pop();
    }
    let stem = stem.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let hash = short_hash(identity);
    if stem.is_empty() { format!("x-{hash}") } else { format!("{stem}-{hash}") }
}

/// A tag valid for `^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`, at most 63 characters; `None` when nothing is left.
pub fn sanitize_tag(raw: &str) -> Option<Cow<'_, str>> {
    if is_valid_tag(raw) {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '+' | '#') {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(MAX_NAME);
    while out.ends_with('-') {
        out.pop();
    }
    (!out.is_empty()).then_some(Cow::Owned(out))
}

fn is_valid_tag(s: &str) -> bool {
    // One pass: tag characters in runs joined by single dashes, no dash at either end.
    let mut after_dash = true;
    for &b in s.as_bytes() {
        if b == b'-' {
            if after_dash {
                return false;
            }
            after_dash = true;
        } else if b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b':' | b'+' | b'#') {
            after_dash = false;
        } else {
            return false;
        }
    }
    !after_dash && s.len() <= MAX_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_pass_through() {
        assert_eq!(backstage_name("snip-api-service"), "snip-api-service");
        assert_eq!(backstage_name("a.b_c"), "a.b_c");
    }

    #[test]
    fn long_names_are_shortened_deterministically_with_a_hash() {
        let raw = "p".repeat(40) + "-" + &"c".repeat(40) + "-http";
        let a = backstage_name(&raw);
        assert_eq!(a.len(), 63);
        assert!(is_valid_name(&a), "{a}");
        assert_eq!(a, backstage_name(&raw));
        let other = "p".repeat(40) + "-" + &"c".repeat(40) + "-grpc";
        assert_ne!(a, backstage_name(&other), "same prefix, different input, different name");
    }

    #[test]
    fn invalid_characters_are_replaced_and_hashed() {
        let n = backstage_name("-weird name/");
        assert!(is_valid_name(&n), "{n}");
        assert!(n.starts_with("weird-name-"), "{n}");
        assert!(is_valid_name(&backstage_name("///")));
    }

    #[test]
    fn tag_validity_is_the_pattern_runs_joined_by_single_dashes() {
        let by_pattern = |s: &str| {
            let tag_char = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b':' | b'+' | b'#');
            s.len() <= MAX_NAME && s.split('-').all(|part| !part.is_empty() && part.as_bytes().iter().all(tag_char))
        };
        let long = "a".repeat(MAX_NAME);
        let too_long = "a".repeat(MAX_NAME + 1);
        for s in ["", "-", "a", "a-", "-a", "a--b", "a-b-c", "c++:#1", "A", "a b", "ü", "a-\u{e9}", &long, &too_long] {
            assert_eq!(is_valid_tag(s), by_pattern(s), "{s:?}");
        }
    }

    #[test]
    fn tags_are_sanitised() {
        assert_eq!(sanitize_tag("OpenAPI 3.0").as_deref(), Some("openapi-3-0"));
        assert_eq!(sanitize_tag("web_socket").as_deref(), Some("web-socket"));
        assert_eq!(sanitize_tag("deployment-service").as_deref(), Some("deployment-service"));
        assert_eq!(sanitize_tag("  "), None);
        // Almost-valid tags take the slow path and come out valid.
        assert_eq!(sanitize_tag("-a").as_deref(), Some("a"));
        assert_eq!(sanitize_tag("a--b").as_deref(), Some("a-b"));
        assert_eq!(sanitize_tag("c++:#1-").as_deref(), Some("c++:#1"));
        assert_eq!(sanitize_tag(&"x".repeat(80)).map(|t| t.len()), Some(63));
    }
}
