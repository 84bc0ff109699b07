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
    /// `signInActivity/lastSignInDateTime le 2026-09-01T00:00:00Z` (also `lt`, `ge`, `gt`, and
    /// `lastNonInteractiveSignInDateTime`): `at` in seconds since 1970. People who never signed
    /// in that way have no date and match no comparison.
    SignIn {
        non_interactive: bool,
        op: Order,
        at: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    Le,
    Lt,
    Ge,
    Gt,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    all_of: Vec<Condition>,
    /// The tenant's "now", to turn people's sign-ins (kept as seconds ago) into dates.
    clock: u64,
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
        (!all_of.is_empty()).then_some(Self { all_of, clock: 0 })
    }

    /// The same filter reading people's dates against the tenant's clock.
    pub fn at(mut self, clock: u64) -> Self {
        self.clock = clock;
        self
    }

    /// Whether it filters on `signInActivity`.
    pub fn on_sign_ins(&self) -> bool {
        self.all_of
            .iter()
            .any(|c| matches!(c, Condition::SignIn { .. }))
    }

    /// How many conditions it joins with `and`.
    pub fn len(&self) -> usize {
        self.all_of.len()
    }

    /// Whether Graph needs `ConsistencyLevel: eventual` and `$count=true` for this filter.
    pub fn is_advanced(&self) -> bool {
        self.all_of.iter().any(Condition::is_advanced)
    }

    pub fn matches(&self, user: &SimUser, now: Instant, advanced: bool) -> bool {
        self.all_of
            .iter()
            .all(|c| c.matches(user, now, advanced, self.clock))
    }
}

impl Condition {
    fn is_advanced(&self) -> bool {
        match self {
            Self::LicenseCount { .. } | Self::Not(_) => true,
            Self::SignIn { .. } => false,
            Self::Compare { equal, value, .. } => !*equal || *value == Value::Null,
            Self::HasSku(_) | Self::StartsWith { .. } => false,
        }
    }

    fn matches(&self, user: &SimUser, now: Instant, advanced: bool, clock: u64) -> bool {
        // Advanced queries read an index that lags behind writes.
        let (licenses, usage_location) = if advanced {
            user.indexed(now)
        } else {
            (user.licenses.as_slice(), user.usage_location.as_deref())
        };
        match self {
            Self::LicenseCount { zero } => licenses.is_empty() == *zero,
            Self::HasSku(sku) => licenses.iter().any(|l| l.sku_id.eq_ignore_ascii_case(sku)),
            Self::Not(inner) => !inner.matches(user, now, advanced, clock),
            Self::SignIn {
                non_interactive,
                op,
                at,
            } => {
                let ago = user.sign_in.as_ref().and_then(|s| {
                    if *non_interactive {
                        s.non_interactive
                    } else {
                        s.interactive
                    }
                });
                ago.is_some_and(|ago| {
                    let when = clock.saturating_sub(ago);
                    match op {
                        Order::Le => when <= *at,
                        Order::Lt => when < *at,
                        Order::Ge => when >= *at,
                        Order::Gt => when > *at,
                    }
                })
            }
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
    if let Some(field) = prop.to_ascii_lowercase().strip_prefix("signinactivity/") {
        let non_interactive = match field {
            "lastsignindatetime" => false,
            "lastnoninteractivesignindatetime" => true,
            _ => return None,
        };
        let op = match op.to_ascii_lowercase().as_str() {
            "le" => Order::Le,
            "lt" => Order::Lt,
            "ge" => Order::Ge,
            "gt" => Order::Gt,
            _ => return None,
        };
        return Some(Condition::SignIn {
            non_interactive,
            op,
            at: parse_datetime(value.trim())?,
        });
    }
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

/// `2026-09-01T00:00:00Z` (or with fractions of a second) to seconds since 1970.
fn parse_datetime(text: &str) -> Option<u64> {
    let t = text.strip_suffix('Z')?;
    let (date, time) = t.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.split('.').next()?;
    let mut h = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (h.next()??, h.next()??, h.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
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
    fn sign_in_dates_are_compared_against_the_tenants_clock() {
        let f = Filter::parse("signInActivity/lastSignInDateTime le 2026-09-01T00:00:00Z")
            .expect("parses");
        assert!(f.on_sign_ins() && !f.is_advanced());
        assert_eq!(parse_datetime("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(
            parse_datetime("2026-09-01T00:00:00.123Z"),
            Some(1_788_220_800)
        );
        assert!(parse_datetime("2026-13-01T00:00:00Z").is_none());
        assert!(
            Filter::parse("signInActivity/lastSignInDateTime le 2026-09-01").is_none(),
            "a date without a time"
        );
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
