//! Searching units by any part of their name or address, in Chinese.
//!
//! Chinese has no spaces between words and users type fragments ("消防", "南湖路"), so the index holds
//! character bigrams: "南湖路8号" is indexed as `南湖 湖路 路8 8号 号`. A query of two or more characters
//! matches where all its bigrams stand next to each other (a phrase query); a one-character query
//! matches any bigram that starts with it, or the text's last character (stored alone at the end). Both
//! engines index the same tokens: SQLite in an FTS5 table, PostgreSQL in a GIN index over an array.

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

    /// The FTS5 MATCH expression. Tokens are quoted, so nothing the user types is FTS syntax.
    pub fn fts5(&self) -> String {
        match self {
            SearchQuery::Char(c) => format!("\"{c}\"*"),
            SearchQuery::Bigrams(b) => format!("\"{}\"", b.join(" ")),
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
        assert_eq!(SearchQuery::parse(" 消防 ").unwrap().fts5(), "\"消防\"");
        assert_eq!(SearchQuery::parse("南湖路").unwrap().fts5(), "\"南湖 湖路\"");
        assert_eq!(SearchQuery::parse("湖").unwrap().fts5(), "\"湖\"*");
        assert_eq!(SearchQuery::parse("南湖路").unwrap().text(), "南湖路");
        assert_eq!(SearchQuery::parse("\"*)"), None, "FTS syntax is dropped, not passed on");
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
