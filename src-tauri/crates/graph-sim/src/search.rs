//! `$search` on users, as Graph's directory does it (an advanced query: it needs the
//! `ConsistencyLevel: eventual` header). The value is one or more clauses in double quotes,
//! `"property:words"`, joined by `AND` or `OR` (AND binds tighter):
//!
//! - `displayName` is tokenized: split on spaces, punctuation and lower-to-upper case changes,
//!   and every word searched for must begin one of the tokens ("wil" finds "Alex Wilber",
//!   "graph" finds "AzureADGraph");
//! - `givenName`, `surname`, `mail` and `userPrincipalName` match when the value begins with
//!   the words searched for;
//!
//! all without regard to case.

use crate::SimUser;

/// Properties of a user `$search` works on.
const SEARCHABLE: [&str; 5] = [
    "displayName",
    "givenName",
    "surname",
    "mail",
    "userPrincipalName",
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    property: &'static str,
    words: String,
}

/// Clauses in OR of ANDs: any group matches when all its clauses do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    any_of: Vec<Vec<Clause>>,
}

/// Why a `$search` value was refused (the message Graph's answer carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError(pub String);

impl Search {
    pub fn parse(text: &str) -> Result<Self, SearchError> {
        let mut rest = text.trim();
        let mut any_of: Vec<Vec<Clause>> = vec![Vec::new()];
        loop {
            let Some(after_quote) = rest.strip_prefix('"') else {
                return Err(SearchError(
                    "Syntax error: a $search clause must be in double quotes, as in \"displayName:alex\"."
                        .into(),
                ));
            };
            let Some(end) = after_quote.find('"') else {
                return Err(SearchError(
                    "Syntax error: unterminated string literal in $search.".into(),
                ));
            };
            let clause = &after_quote[..end];
            let Some((name, words)) = clause.split_once(':') else {
                return Err(SearchError(format!(
                    "Invalid $search clause '{clause}': it needs a property, as in \"displayName:{clause}\"."
                )));
            };
            let Some(property) = SEARCHABLE
                .iter()
                .find(|p| p.eq_ignore_ascii_case(name.trim()))
            else {
                return Err(SearchError(format!(
                    "Unsupported or invalid query filter clause specified for property '{}' of resource 'User'.",
                    name.trim()
                )));
            };
            if let Some(group) = any_of.last_mut() {
                group.push(Clause {
                    property,
                    words: words.trim().to_lowercase(),
                });
            }
            rest = after_quote[end + 1..].trim_start();
            if rest.is_empty() {
                break;
            }
            if let Some(r) = rest.strip_prefix("AND ") {
                rest = r.trim_start();
            } else if let Some(r) = rest.strip_prefix("OR ") {
                rest = r.trim_start();
                any_of.push(Vec::new());
            } else {
                return Err(SearchError(
                    "Syntax error: $search clauses are joined by AND or OR.".into(),
                ));
            }
        }
        Ok(Self { any_of })
    }

    pub fn matches(&self, user: &SimUser) -> bool {
        self.any_of
            .iter()
            .any(|group| group.iter().all(|c| clause_matches(c, user)))
    }
}

fn clause_matches(clause: &Clause, user: &SimUser) -> bool {
    let value = match clause.property {
        "displayName" => {
            let tokens = tokens(&user.display_name);
            return clause
                .words
                .split_whitespace()
                .all(|w| tokens.iter().any(|t| t.starts_with(w)));
        }
        "givenName" => &user.given_name,
        "surname" => &user.surname,
        // The emulator's people have their user principal name as their mail address.
        _ => &user.user_principal_name,
    };
    value.to_lowercase().starts_with(&clause.words)
}

/// Lower-case tokens: split on anything not a letter or digit, and where a new capitalised
/// word begins ("AzureADGraph" → azureadgraph, adgraph, graph).
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        out.push(word.to_lowercase());
        let chars: Vec<char> = word.chars().collect();
        for i in 1..chars.len() {
            let starts_word = chars[i].is_uppercase()
                && (chars[i - 1].is_lowercase()
                    || (chars[i - 1].is_uppercase()
                        && chars.get(i + 1).is_some_and(|c| c.is_lowercase())));
            if starts_word {
                out.push(chars[i..].iter().collect::<String>().to_lowercase());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(display: &str, upn: &str) -> SimUser {
        SimUser {
            id: "1".into(),
            user_principal_name: upn.into(),
            display_name: display.into(),
            given_name: display.split(' ').next().unwrap_or_default().into(),
            surname: display.split(' ').nth(1).unwrap_or_default().into(),
            job_title: None,
            department: None,
            usage_location: None,
            account_enabled: true,
            licenses: vec![],
            group_errors: vec![],
            stale_usage_location: None,
            stale_index: None,
            created_ago_secs: 0,
            sign_in: None,
        }
    }

    #[test]
    fn display_names_are_searched_by_the_start_of_their_words() {
        let alex = person("Alex Wilber", "alexw@contoso.com");
        let found = |q: &str| Search::parse(q).expect(q).matches(&alex);
        assert!(found("\"displayName:wil\""));
        assert!(found("\"displayName:ALEX\""));
        assert!(found("\"displayName:alex wil\""));
        assert!(!found("\"displayName:lber\""), "inside a word is no match");
        assert!(found("\"mail:alexw\""));
        assert!(!found("\"mail:contoso\""));
        assert!(found("\"displayName:zz\" OR \"userPrincipalName:alex\""));
        assert!(!found("\"displayName:alex\" AND \"surname:zz\""));
        let graph = person("AzureADGraph", "g@contoso.com");
        assert!(
            Search::parse("\"displayName:graph\"")
                .expect("ok")
                .matches(&graph)
        );
    }

    #[test]
    fn a_clause_without_quotes_or_property_is_refused() {
        assert!(Search::parse("alex").is_err());
        assert!(Search::parse("\"alex\"").is_err());
        assert!(Search::parse("\"department:Sales\"").is_err());
        assert!(Search::parse("\"displayName:a\" \"displayName:b\"").is_err());
        assert!(Search::parse("\"displayName:a").is_err());
    }
}
