//! Usage locations: ISO 3166-1 alpha-2 codes, read from what people type or HR's files say
//! ("nl", "Netherlands", "Nederland", "Pays-Bas"), with the names from a maintained country
//! data set (keshvar) rather than a hand-typed table.

use std::collections::HashMap;
use std::sync::OnceLock;

use keshvar::{Alpha2, CountryIterator};

/// Why a text is not a country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryError {
    /// Nothing matches; `suggestions` are names that start the same way.
    Unknown {
        input: String,
        suggestions: Vec<String>,
    },
    /// The name means different countries in different languages.
    Ambiguous { input: String, codes: Vec<String> },
}

impl std::fmt::Display for CountryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown { input, suggestions } if suggestions.is_empty() => write!(
                f,
                "'{input}' is not a country: use a two-letter code (NL, DE, US…) or a country name"
            ),
            Self::Unknown { input, suggestions } => write!(
                f,
                "'{input}' is not a country; did you mean {}?",
                suggestions.join(", ")
            ),
            Self::Ambiguous { input, codes } => write!(
                f,
                "'{input}' names more than one country ({}): use the two-letter code",
                codes.join(", ")
            ),
        }
    }
}

impl std::error::Error for CountryError {}

/// Lower case, accents and punctuation folded away, single spaces: "Côte d'Ivoire" and
/// "cote divoire" compare equal.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' | 'ć' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            'ł' => 'l',
            'ß' => 's',
            c => c,
        };
        if c.is_alphanumeric() {
            out.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_') && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

struct Index {
    /// Folded name → the codes it names (more than one only when languages disagree).
    names: HashMap<String, Vec<Alpha2>>,
    codes: HashMap<String, Alpha2>,
    /// Names in the languages HR files are written in, and the unofficial ones (folded,
    /// code), for suggestions by closeness.
    suggestions: Vec<(String, String)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut names: HashMap<String, Vec<Alpha2>> = HashMap::new();
        let mut codes = HashMap::new();
        let mut suggestions = Vec::new();
        for country in CountryIterator::new() {
            let code = country.alpha2();
            let upper = code.to_string().to_ascii_uppercase();
            codes.insert(upper.clone(), code);
            let translations = country.translations();
            for name in [country.iso_short_name(), country.iso_long_name()]
                .into_iter()
                .chain(country.unofficial_name_list().iter().copied())
                .chain(
                    ["nl", "de", "fr", "es"]
                        .iter()
                        .filter_map(|l| translations.get(l).copied()),
                )
            {
                let folded = fold(name);
                if !suggestions.contains(&(folded.clone(), upper.clone())) {
                    suggestions.push((folded, upper.clone()));
                }
            }
            let all = [country.iso_short_name(), country.iso_long_name()]
                .into_iter()
                .chain(country.unofficial_name_list().iter().copied())
                .chain(country.translations().values().copied());
            for name in all {
                let key = fold(name);
                if key.len() < 3 {
                    continue;
                }
                let entry = names.entry(key).or_default();
                if !entry.contains(&code) {
                    entry.push(code);
                }
            }
        }
        Index {
            names,
            codes,
            suggestions,
        }
    })
}

/// The alpha-2 code (upper case) for an ISO 3166-1 alpha-3 code ("NLD" → "NL"), any case.
pub fn alpha2_of_alpha3(code: &str) -> Option<String> {
    let upper = code.trim().to_ascii_uppercase();
    let alpha3 = keshvar::Alpha3::try_from(upper.as_str()).ok()?;
    Some(
        keshvar::Alpha2::from(alpha3)
            .to_string()
            .to_ascii_uppercase(),
    )
}

/// The alpha-2 code (upper case) for a code in any case or a country name in any language
/// the data set knows (English and Dutch included).
pub fn parse_country(input: &str) -> Result<String, CountryError> {
    let trimmed = input.trim();
    let index = index();
    if trimmed.len() == 2 && trimmed.is_ascii() {
        let upper = trimmed.to_ascii_uppercase();
        if index.codes.contains_key(&upper) {
            return Ok(upper);
        }
    }
    let key = fold(trimmed);
    match index.names.get(&key).map(Vec::as_slice) {
        Some([one]) => Ok(one.to_string().to_ascii_uppercase()),
        Some(many) if !many.is_empty() => {
            let mut codes: Vec<String> = many
                .iter()
                .map(|c| c.to_string().to_ascii_uppercase())
                .collect();
            codes.sort();
            Err(CountryError::Ambiguous {
                input: trimmed.to_string(),
                codes,
            })
        }
        _ => Err(CountryError::Unknown {
            input: trimmed.to_string(),
            suggestions: close_countries(&key, index),
        }),
    }
}

/// Countries whose name is close to `key` (a typo away: one edit for a short name, two or
/// three for longer ones), closest first, as "Netherlands (NL)". Nothing when nothing is close:
/// "Holand" suggests the Netherlands, never the Holy See for sharing three letters.
fn close_countries(key: &str, index: &Index) -> Vec<String> {
    let len = key.chars().count();
    if len < 3 {
        return Vec::new();
    }
    let most = match len {
        0..=5 => 1,
        6..=10 => 2,
        _ => 3,
    };
    let mut found: Vec<(usize, &str)> = index
        .suggestions
        .iter()
        .filter(|(name, _)| name.chars().count().abs_diff(len) <= most)
        .filter_map(|(name, code)| {
            let d = edit_distance(key, name);
            (d <= most).then_some((d, code.as_str()))
        })
        .collect();
    found.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, code) in found {
        let shown = index
            .codes
            .get(code)
            .map(|a| keshvar::Country::from(*a))
            .map(|c| format!("{} ({code})", c.iso_short_name()))
            .unwrap_or_else(|| code.to_string());
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    out.truncate(3);
    out
}

/// Edits (insert, delete, replace, swap two neighbours) from one text to the other.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Every ISO 3166-1 alpha-2 code the data set knows, sorted.
pub fn all_codes() -> Vec<String> {
    let mut codes: Vec<String> = index().codes.keys().cloned().collect();
    codes.sort();
    codes
}

/// The country's name in `language` ("en", "nl", …), or its English short name.
pub fn country_name(code: &str, language: &str) -> Option<String> {
    let alpha2 = index().codes.get(&code.trim().to_ascii_uppercase())?;
    let country = alpha2.to_country();
    Some(
        country
            .translations()
            .get(language)
            .copied()
            .unwrap_or_else(|| country.iso_short_name())
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_any_case_and_names_in_english_and_dutch() {
        for (input, code) in [
            ("nl", "NL"),
            ("NL", "NL"),
            (" de ", "DE"),
            ("Netherlands", "NL"),
            ("Nederland", "NL"),
            ("netherlands", "NL"),
            ("Duitsland", "DE"),
            ("Germany", "DE"),
            ("Verenigde Staten", "US"),
            ("United States", "US"),
            ("België", "BE"),
            ("Belgie", "BE"),
            ("Deutschland", "DE"),
            ("Côte d'Ivoire", "CI"),
        ] {
            assert_eq!(parse_country(input).as_deref(), Ok(code), "{input}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_suggestions() {
        assert!(matches!(
            parse_country("XX"),
            Err(CountryError::Unknown { .. })
        ));
        assert!(matches!(
            parse_country(""),
            Err(CountryError::Unknown { .. })
        ));
        match parse_country("Nederlandd") {
            Err(CountryError::Unknown { suggestions, .. }) => {
                assert!(
                    suggestions.iter().any(|s| s.contains("(NL)")),
                    "{suggestions:?}"
                )
            }
            other => panic!("{other:?}"),
        }
        // Close means a typo away, not three letters in common.
        let suggested = |input: &str| match parse_country(input) {
            Err(CountryError::Unknown { suggestions, .. }) => suggestions,
            other => panic!("{other:?}"),
        };
        let holand = suggested("Holand");
        assert!(holand.iter().all(|s| !s.contains("Holy See")), "{holand:?}");
        assert_eq!(
            suggested("Germny").first().map(String::as_str),
            Some("Germany (DE)")
        );
        assert_eq!(suggested("Belgie123xyz"), Vec::<String>::new());
        assert_eq!(suggested("Zzzzzz"), Vec::<String>::new());
    }

    #[test]
    fn names_come_in_the_asked_language() {
        assert_eq!(country_name("nl", "nl").as_deref(), Some("Nederland"));
        assert_eq!(country_name("NL", "en").as_deref(), Some("Netherlands"));
        assert_eq!(country_name("ZZ", "en"), None);
    }
}
