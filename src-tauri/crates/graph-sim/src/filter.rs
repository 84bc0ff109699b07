//! The `$filter` subset LicenseDesk uses on /users, and which parts need an advanced query
//! (`ConsistencyLevel: eventual` + `$count=true`), per shared/reference/graph-licensing.md §4.4.

use std::time::Instant;

use crate::tenant::SimUser;

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    /// `assignedLicenses/$count eq 0` (or `ne 0`).
    LicenseCount {
        zero: bool,
    },
    /// `assignedLicenses/any(x:x/skuId eq GUID)`.
    HasSku(String),
    /// `prop eq value` / `prop ne value`.
    Compare {
        prop: String,
        equal: bool,
        value: Value,
    },
    /// `startsWith(prop,'text')`.
    StartsWith {
        prop: String,
        prefix: String,
    },
    Not(Box<Condition>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    all_of: Vec<Condition>,
}

const FILTERABLE: &[&str] = &[
    "department",
    "usageLocation",
    "accountEnabled",
    "userPrincipalName",
    "displayName",
    "id",
];

impl Filter {
    /// Parses a filter, or says it is not supported (Graph answers Request_UnsupportedQuery).
    pub fn parse(text: &str) -> Option<Self> {
        let all_of = split_and(text)?
            .iter()
            .map(|t| parse_condition(t))
            .collect::<Option<Vec<_>>>()?;
        (!all_of.is_empty()).then_some(Self { all_of })
    }

    /// Whether Graph needs `ConsistencyLevel: eventual` and `$count=true` for this filter.
    pub fn is_advanced(&self) -> bool {
        self.all_of.iter().any(Condition::is_advanced)
    }

    pub fn matches(&self, user: &SimUser, now: Instant, advanced: bool) -> bool {
        self.all_of.iter().all(|c| c.matches(user, now, advanced))
    }
}

impl Condition {
    fn is_advanced(&self) -> bool {
        match self {
            Self::LicenseCount { .. } | Self::Not(_) => true,
            Self::Compare { equal, value, .. } => !*equal || *value == Value::Null,
            Self::HasSku(_) | Self::StartsWith { .. } => false,
        }
    }

    fn matches(&self, user: &SimUser, now: Instant, advanced: bool) -> bool {
        // Advanced queries read an index that lags behind writes.
        let (licenses, usage_location) = if advanced {
            user.indexed(now)
        } else {
            (user.licenses.as_slice(), user.usage_location.as_deref())
        };
        match self {
            Self::LicenseCount { zero } => licenses.is_empty() == *zero,
            Self::HasSku(sku) => licenses.iter().any(|l| l.sku_id.eq_ignore_ascii_case(sku)),
            Self::Not(inner) => !inner.matches(user, now, advanced),
            Self::StartsWith { prop, prefix } => string_prop(user, prop, usage_location)
                .is_some_and(|v| v.to_lowercase().starts_with(&prefix.to_lowercase())),
            Self::Compare { prop, equal, value } => {
                let same = match (prop.as_str(), value) {
                    ("accountEnabled", Value::Bool(b)) => user.account_enabled == *b,
                    (_, Value::Null) => string_prop(user, prop, usage_location).is_none(),
                    (_, Value::Str(s)) => string_prop(user, prop, usage_location)
                        .is_some_and(|v| v.eq_ignore_ascii_case(s)),
                    _ => false,
                };
                same == *equal
            }
        }
    }
}

fn string_prop<'a>(
    user: &'a SimUser,
    prop: &str,
    usage_location: Option<&'a str>,
) -> Option<&'a str> {
    match prop {
        "department" => user.department.as_deref(),
        "usageLocation" => usage_location,
        "userPrincipalName" => Some(&user.user_principal_name),
        "displayName" => Some(&user.display_name),
        "id" => Some(&user.id),
        _ => None,
    }
}

/// Splits on ` and ` outside quotes and parentheses. `or` is not supported here.
fn split_and(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            _ => {}
        }
        if !quoted && depth == 0 {
            let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
            if rest.eq_ignore_ascii_case(" and ") {
                parts.push(current.trim().to_string());
                current.clear();
                i += 5;
                continue;
            }
            let rest4: String = chars[i..chars.len().min(i + 4)].iter().collect();
            if rest4.eq_ignore_ascii_case(" or ") {
                return None;
            }
        }
        current.push(c);
        i += 1;
    }
    if quoted || depth != 0 {
        return None;
    }
    parts.push(current.trim().to_string());
    Some(parts)
}

fn parse_value(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("null") {
        Some(Value::Null)
    } else if t.eq_ignore_ascii_case("true") {
        Some(Value::Bool(true))
    } else if t.eq_ignore_ascii_case("false") {
        Some(Value::Bool(false))
    } else if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        Some(Value::Str(t[1..t.len() - 1].replace("''", "'")))
    } else {
        None
    }
}

fn parse_condition(text: &str) -> Option<Condition> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("not(") && t.ends_with(')') {
        return Some(Condition::Not(Box::new(parse_condition(
            &t[4..t.len() - 1],
        )?)));
    }
    if lower.starts_with("startswith(") && t.ends_with(')') {
        let inner = &t[11..t.len() - 1];
        let (prop, value) = inner.split_once(',')?;
        let prop = canonical_prop(prop.trim())?;
        return match parse_value(value)? {
            Value::Str(prefix) => Some(Condition::StartsWith { prop, prefix }),
            _ => None,
        };
    }
    let compact: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    if compact == "assignedlicenses/$count eq 0" {
        return Some(Condition::LicenseCount { zero: true });
    }
    if compact == "assignedlicenses/$count ne 0" {
        return Some(Condition::LicenseCount { zero: false });
    }
    if lower.starts_with("assignedlicenses/any(") && t.ends_with(')') {
        // any(x:x/skuId eq GUID): the GUID literal has no quotes.
        let inner = &t[21..t.len() - 1];
        let (var, body) = inner.split_once(':')?;
        let words: Vec<&str> = body.split_whitespace().collect();
        if words.len() == 3
            && words[0].eq_ignore_ascii_case(&format!("{}/skuId", var.trim()))
            && words[1].eq_ignore_ascii_case("eq")
            && crate::ops::is_guid(words[2])
        {
            return Some(Condition::HasSku(words[2].to_ascii_lowercase()));
        }
        return None;
    }
    let mut words = t.splitn(3, ' ');
    let (prop, op, value) = (words.next()?, words.next()?, words.next()?);
    let prop = canonical_prop(prop)?;
    let equal = match op.to_ascii_lowercase().as_str() {
        "eq" => true,
        "ne" => false,
        _ => return None,
    };
    Some(Condition::Compare {
        prop,
        equal,
        value: parse_value(value)?,
    })
}

fn canonical_prop(name: &str) -> Option<String> {
    FILTERABLE
        .iter()
        .find(|p| p.eq_ignore_ascii_case(name))
        .map(|p| (*p).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_licensedesk_uses() {
        for (text, advanced) in [
            ("assignedLicenses/$count eq 0", true),
            (
                "assignedLicenses/any(x:x/skuId eq 05e9a617-0261-4cee-bb44-138d3ef5d965)",
                false,
            ),
            (
                "not(assignedLicenses/any(s:s/skuId eq 05e9a617-0261-4cee-bb44-138d3ef5d965))",
                true,
            ),
            ("department eq 'Sales'", false),
            ("startsWith(department,'Sa')", false),
            ("usageLocation eq 'US'", false),
            ("usageLocation eq null", true),
            ("department ne 'Sales'", true),
            (
                "assignedLicenses/$count eq 0 and usageLocation eq 'US'",
                true,
            ),
            ("department eq 'Sales' and accountEnabled eq true", false),
        ] {
            let f = Filter::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(f.is_advanced(), advanced, "{text}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        for text in [
            "department eq 'Sales' or department eq 'IT'",
            "shoeSize eq 42",
            "assignedLicenses/any(x:x/skuId eq 'not-a-guid')",
            "department eq 'unterminated",
            "",
        ] {
            assert!(Filter::parse(text).is_none(), "{text}");
        }
    }
}
