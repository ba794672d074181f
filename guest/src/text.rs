//! String assembly for the hot paths, where `format!`'s machinery was a measurable share of a
//! translation (a few strings per component).

/// The parts joined, in one allocation of the exact size.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_in_order_without_slack() {
        let s = concat(&["svc", "-", "", "ü", " API"]);
        assert_eq!(s, "svc-ü API");
        assert_eq!(s.capacity(), s.len());
    }
}
