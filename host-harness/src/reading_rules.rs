//! `backend.reading.allow` as Backstage's URL reader takes it: each entry a `host` (`example.com`,
//! `example.com:8080`, `*.example.com`) and optional `paths` prefixes. Nothing is allowed without it.

use anyhow::{Result, bail};
use http::Uri;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Allowed {
    /// `host[:port]`, or `.suffix[:port]` for `*.suffix`.
    host: String,
    wildcard: bool,
    paths: Option<Vec<String>>,
}

/// `backend.reading.allow`, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadingRules {
    allow: Vec<Allowed>,
}

impl ReadingRules {
    /// From the whole app-config document; absent means nothing is allowed.
    pub fn from_app_config(doc: &Value) -> Result<Self> {
        let Some(list) = doc.pointer("/backend/reading/allow") else { return Ok(Self::default()) };
        let Some(list) = list.as_array() else { bail!("backend.reading.allow must be a list of {{host, paths}} entries") };
        let mut allow = Vec::with_capacity(list.len());
        for (i, entry) in list.iter().enumerate() {
            let at = format!("backend.reading.allow[{i}]");
            let Some(host) = entry.get("host").and_then(Value::as_str).map(str::trim).filter(|h| !h.is_empty()) else {
                bail!("{at}.host must be a host name (example.com, example.com:8080 or *.example.com)");
            };
            if host.contains('/') || host.contains("://") {
                bail!("{at}.host must be a host name without scheme or path, got {host:?}");
            }
            let paths = match entry.get("paths") {
                None | Some(Value::Null) => None,
                Some(Value::Array(p)) => Some(
                    p.iter()
                        .map(|p| match p.as_str() {
                            Some(p) if p.starts_with('/') => Ok(p.to_string()),
                            _ => bail!("{at}.paths must be a list of paths starting with /, got {p}"),
                        })
                        .collect::<Result<Vec<_>>>()?,
                ),
                Some(other) => bail!("{at}.paths must be a list of paths starting with /, got {other}"),
            };
            let (wildcard, host) = match host.strip_prefix("*.") {
                Some(rest) => (true, format!(".{}", rest.to_ascii_lowercase())),
                None => (false, host.to_ascii_lowercase()),
            };
            allow.push(Allowed { host, wildcard, paths });
        }
        Ok(Self { allow })
    }

    /// Ok when an entry allows `url`; else why not, naming the key to set.
    pub fn check(&self, url: &str) -> Result<Uri, String> {
        let uri: Uri = url.parse().map_err(|e| format!("{url} is not a URL: {e}"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(format!("{url} is not an http(s) URL"));
        }
        let host = authority_of(&uri).ok_or_else(|| format!("{url} has no host"))?;
        let path = normalize(uri.path());
        let allowed = self.allow.iter().any(|a| {
            let host_ok = if a.wildcard { host.ends_with(&a.host) } else { host == a.host };
            host_ok && a.paths.as_ref().is_none_or(|ps| ps.iter().any(|p| path.starts_with(p.as_str())))
        });
        if allowed {
            Ok(uri)
        } else {
            Err(format!("{url} is not allowed by backend.reading.allow; add an entry for host {host} there to read it"))
        }
    }
}

/// `host[:port]` in lower case, the port left out when it is the scheme's default (as a browser's URL.host).
fn authority_of(uri: &Uri) -> Option<String> {
    let host = uri.host()?.to_ascii_lowercase();
    let default = if uri.scheme_str() == Some("https") { 443 } else { 80 };
    Some(match uri.port_u16() {
        Some(p) if p != default => format!("{host}:{p}"),
        _ => host,
    })
}

/// `/a/./b/../c` → `/a/c`, so a `..` cannot walk out of an allowed path prefix.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let trailing = if path.ends_with('/') && !out.is_empty() { "/" } else { "" };
    format!("/{}{trailing}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(allow: Value) -> ReadingRules {
        ReadingRules::from_app_config(&json!({ "backend": { "reading": { "allow": allow } } })).unwrap()
    }

    #[test]
    fn hosts_ports_wildcards_and_paths_as_backstage_reads_them() {
        let r = rules(json!([
            { "host": "git.example.com", "paths": ["/platform/"] },
            { "host": "*.cdn.example.org" },
            { "host": "127.0.0.1:8080" },
        ]));
        assert!(r.check("https://git.example.com/platform/t.yaml").is_ok());
        assert!(r.check("https://GIT.example.com:443/platform/a/b.yaml").is_ok(), "default port and case");
        assert!(r.check("https://git.example.com/other/t.yaml").is_err(), "outside the paths");
        assert!(r.check("https://git.example.com/platform/../secrets/t.yaml").is_err(), "no walking out of a path");
        assert!(r.check("https://a.cdn.example.org/t.yaml").is_ok());
        assert!(r.check("https://cdn.example.org/t.yaml").is_err(), "*. needs a subdomain");
        assert!(r.check("http://127.0.0.1:8080/t.yaml").is_ok());
        assert!(r.check("http://127.0.0.1:9090/t.yaml").is_err(), "another port");
        assert!(r.check("file:///etc/passwd").is_err());
        assert!(r.check("ftp://git.example.com/platform/t.yaml").unwrap_err().contains("not an http(s) URL"));
        let why = r.check("https://evil.example.net/t.yaml").unwrap_err();
        assert_eq!(
            why,
            "https://evil.example.net/t.yaml is not allowed by backend.reading.allow; add an entry for host evil.example.net there to read it"
        );
    }

    #[test]
    fn nothing_is_allowed_without_the_key_and_bad_entries_are_named() {
        assert!(ReadingRules::from_app_config(&json!({})).unwrap().check("https://example.com/t").is_err());
        let bad =
            |allow: Value| ReadingRules::from_app_config(&json!({ "backend": { "reading": { "allow": allow } } })).unwrap_err().to_string();
        assert!(bad(json!({ "host": "x" })).contains("must be a list"));
        assert!(bad(json!([{ "paths": ["/"] }])).contains("backend.reading.allow[0].host"));
        assert!(bad(json!([{ "host": "https://x.com/a" }])).contains("without scheme or path"));
        assert!(bad(json!([{ "host": "x.com", "paths": ["a"] }])).contains("backend.reading.allow[0].paths"));
    }
}
