//! Searching units by any part of their name or address, in Chinese.
//!
//! Chinese has no spaces between words and users type fragments ("消防", "南湖路"), so the index holds
//! character bigrams: "南湖路8号" is indexed as `南湖 湖路 路8 8号 号`. A query of two or more characters
//! matches where all its bigrams stand next to each other (a phrase query); a one-character query
//! matches any bigram that starts with it, or the text's last character (stored alone at the end). Both
//! engines index the same tokens: SQLite in an FTS5 table, PostgreSQL in a GIN index over an array.
//!
//! The filters (jurisdiction, key unit, risk grade, status, venue kind) are indexed the same way, as
//! [`tags`]: one more token each. A search is then a single index lookup that intersects the text's
//! tokens with the filters' tokens, however selective either side is: "key units in 东湖 whose name
//! contains 商场" costs the same as "商场".

/// The characters that count: letters and digits, ASCII lower-cased. Punctuation and spaces are dropped
/// from both the text and the query, so "（东区）" and "东区" find the same unit.
pub fn normalize(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// The index tokens of a text: its bigrams in order, then its last character alone.
pub fn tokens(text: &str) -> Vec<String> {
    let chars = normalize(text);
    let mut out: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    if let Some(last) = chars.last() {
        out.push(last.to_string());
    }
    out
}

/// The tokens joined by spaces, as stored in the SQLite full-text table.
pub fn token_text(text: &str) -> String {
    tokens(text).join(" ")
}

/// What PostgreSQL indexes: the distinct bigrams and single characters of both texts.
pub fn gram_set(texts: &[&str]) -> Vec<String> {
    let mut set = std::collections::BTreeSet::new();
    for t in texts {
        let chars = normalize(t);
        set.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        set.extend(chars.iter().map(|c| c.to_string()));
    }
    set.into_iter().collect()
}

/// The normalised texts joined by `|` (which no query contains), for the exact substring check.
pub fn normalized_text(texts: &[&str]) -> String {
    texts.iter().map(|t| normalize(t).into_iter().collect::<String>()).collect::<Vec<_>>().join("|")
}

/// A PostgreSQL array literal of tokens. Tokens hold only letters and digits, so quoting is enough.
pub fn array_literal(tokens: &[String]) -> String {
    let quoted: Vec<String> = tokens.iter().map(|t| format!("\"{t}\"")).collect();
    format!("{{{}}}", quoted.join(","))
}

/// Bits of a search key below the jurisdiction bucket: a bucket holds 2^40 units.
pub const SEQ_BITS: u32 = 40;

/// The jurisdiction bucket of an org path: a 16-bit hash of its second org (the 大队 under the 支队), 0 at
/// the root. A unit's search key is `bucket << SEQ_BITS | sequence`, so the units of one brigade lie in one
/// key range and a brigade's search reads only that part of the index. Two brigades may share a bucket;
/// the jurisdiction tags still decide, the range only narrows the walk.
pub fn bucket_of(path: &crate::org::OrgPath) -> i64 {
    match path.ids().nth(1) {
        None => 0,
        Some(id) => {
            // FNV-1a: stable across versions and machines, unlike the standard library's hasher.
            let mut h: u32 = 0x811c_9dc5;
            for b in id.0.bytes() {
                h ^= u32::from(b);
                h = h.wrapping_mul(0x0100_0193);
            }
            i64::from((h & 0x7fff) | 1)
        }
    }
}

/// The key range `[lo, hi]` of a bucket.
pub fn bucket_range(bucket: i64) -> (i64, i64) {
    (bucket << SEQ_BITS, ((bucket + 1) << SEQ_BITS) - 1)
}

/// The filter tokens of a unit: every org on its path (so a subtree is one token), and one token per
/// key-unit flag, risk grade, status and venue kind. Letters and digits only, at least three characters,
/// so that no tag can equal a text token (at most two characters).
pub fn tags(
    org_path: &crate::org::OrgPath,
    key_unit: bool,
    risk: crate::registry::risk::RiskGrade,
    status: crate::registry::unit::UnitStatus,
    kinds: &crate::registry::venue::VenueKinds,
) -> Vec<String> {
    let mut out: Vec<String> = org_path.ids().map(|id| org_tag(&id)).collect();
    out.push(key_tag(key_unit));
    out.push(risk_tag(risk));
    out.push(status_tag(status));
    out.extend(kinds.iter().map(kind_tag));
    out
}

/// The tag of an org subtree.
pub fn org_tag(id: &crate::org::OrgId) -> String {
    format!("zo{}", id.0.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase())
}

/// The tag of the key-unit flag.
pub fn key_tag(key_unit: bool) -> String {
    if key_unit { "zk1".into() } else { "zk0".into() }
}

/// The tag of a risk grade.
pub fn risk_tag(g: crate::registry::risk::RiskGrade) -> String {
    format!("zr{}", g.code())
}

/// The tag of a status.
pub fn status_tag(s: crate::registry::unit::UnitStatus) -> String {
    format!("zs{}", s.code())
}

/// The tag of a venue kind.
pub fn kind_tag(k: crate::registry::venue::VenueKind) -> String {
    format!("zv{}", k.code().replace('_', ""))
}

/// A parsed search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// One character: prefix match on tokens.
    Char(char),
    /// Two or more: the bigrams, which must be adjacent in this order.
    Bigrams(Vec<String>),
}

impl SearchQuery {
    /// Parses what the user typed; `None` when nothing searchable is left (the query is ignored).
    pub fn parse(q: &str) -> Option<SearchQuery> {
        let chars = normalize(q);
        match chars.len() {
            0 => None,
            1 => Some(SearchQuery::Char(chars[0])),
            _ => Some(SearchQuery::Bigrams(chars.windows(2).map(|w| w.iter().collect()).collect())),
        }
    }

    /// The FTS5 MATCH expression over the name and address columns. Tokens are quoted, so nothing the
    /// user types is FTS syntax.
    pub fn fts5(&self) -> String {
        match self {
            SearchQuery::Char(c) => format!("{{name address}} : \"{c}\"*"),
            SearchQuery::Bigrams(b) => format!("{{name address}} : \"{}\"", b.join(" ")),
        }
    }

    /// The tokens PostgreSQL's array must contain (a one-character query is indexed as itself).
    pub fn grams(&self) -> Vec<String> {
        match self {
            SearchQuery::Char(c) => vec![c.to_string()],
            SearchQuery::Bigrams(b) => b.clone(),
        }
    }

    /// The normalised text, for the substring check after the index lookup.
    pub fn text(&self) -> String {
        match self {
            SearchQuery::Char(c) => c.to_string(),
            SearchQuery::Bigrams(b) => {
                let mut s: String = b[0].clone();
                for g in &b[1..] {
                    s.extend(g.chars().skip(1));
                }
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bigrams_then_last_char() {
        assert_eq!(tokens("南湖路8号"), ["南湖", "湖路", "路8", "8号", "号"]);
        assert_eq!(tokens("（东区）A座"), ["东区", "区a", "a座", "座"]);
        assert_eq!(tokens("店"), ["店"]);
        assert!(tokens("（ ）").is_empty());
    }

    #[test]
    fn queries_parse_to_adjacent_bigrams() {
        assert_eq!(SearchQuery::parse(" 消防 ").unwrap().fts5(), "{name address} : \"消防\"");
        assert_eq!(SearchQuery::parse("南湖路").unwrap().fts5(), "{name address} : \"南湖 湖路\"");
        assert_eq!(SearchQuery::parse("湖").unwrap().fts5(), "{name address} : \"湖\"*");
        assert_eq!(SearchQuery::parse("南湖路").unwrap().text(), "南湖路");
        assert_eq!(SearchQuery::parse("\"*)"), None, "FTS syntax is dropped, not passed on");
    }

    #[test]
    fn tags_cannot_collide_with_text_tokens() {
        use crate::org::{OrgId, OrgPath};
        let path = OrgPath::root(&OrgId("01a2-B3".into())).child(&OrgId("c4".into()));
        let kinds = crate::registry::venue::VenueKinds::parse("k", "九小场所").unwrap();
        let t = tags(
            &path,
            true,
            crate::registry::risk::RiskGrade::High,
            crate::registry::unit::UnitStatus::Operating,
            &kinds,
        );
        assert_eq!(t, ["zo01a2b3", "zoc4", "zk1", "zrhigh", "zsoperating", "zvninesmall"]);
        assert!(t.iter().all(|x| x.chars().count() >= 3 && x.chars().all(|c| c.is_ascii_alphanumeric())));
    }

    #[test]
    fn every_substring_is_found_by_its_tokens() {
        let text = "江城市东湖区南湖路88号华联商厦";
        let toks = tokens(text);
        let chars = normalize(text);
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let q: String = chars[i..j].iter().collect();
                let found = match SearchQuery::parse(&q).unwrap() {
                    SearchQuery::Char(c) => toks.iter().any(|t| t.starts_with(c)),
                    SearchQuery::Bigrams(b) => toks.windows(b.len()).any(|w| w == b.as_slice()),
                };
                assert!(found, "{q}");
            }
        }
    }
}
