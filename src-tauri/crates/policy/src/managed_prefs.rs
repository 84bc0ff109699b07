//! The policy as Mac administrators deploy it: a configuration profile (Jamf, Intune, any
//! MDM) whose custom settings for `app.licensedesk.desktop` macOS writes as a property list
//! under `/Library/Managed Preferences/`. The keys are the Linux file's, with their plist
//! types (strings; `<true/>`/`<false/>` for the switches; an array of dictionaries with
//! `name` and `publicKey` for `trustedPlanKeys`), turned into the file's JSON and checked by
//! the same strict rules: an unknown key or a wrong type is an error naming it. The keys a
//! profile adds about itself (`Payload…`) are passed over.
//!
//! The mapping is plain Rust tested on every system; only reading the file at its place is
//! macOS code, which has not been built or run yet.

use serde_json::{Map, Number, Value};

/// Where macOS puts the machine's managed preferences for the app.
pub const MACHINE_PLIST: &str = "/Library/Managed Preferences/app.licensedesk.desktop.plist";

fn to_json(value: &plist::Value, path: &str) -> Result<Value, String> {
    Ok(match value {
        plist::Value::String(s) => Value::String(s.clone()),
        plist::Value::Boolean(b) => Value::Bool(*b),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(|n| Value::Number(Number::from(n)))
            .ok_or_else(|| format!("{path}: the number is too large"))?,
        plist::Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| to_json(v, &format!("{path}[{}]", i + 1)))
                .collect::<Result<_, _>>()?,
        ),
        plist::Value::Dictionary(dict) => {
            let mut out = Map::new();
            for (key, v) in dict {
                out.insert(key.clone(), to_json(v, &format!("{path}.{key}"))?);
            }
            Value::Object(out)
        }
        _ => return Err(format!("{path} is not a string, a true/false or a list")),
    })
}

/// A managed-preferences property list (XML or binary) as the policy's JSON text, for
/// `parse` to check.
pub fn to_policy_json(bytes: &[u8]) -> Result<String, String> {
    let value = plist::Value::from_reader(std::io::Cursor::new(bytes))
        .map_err(|e| format!("it is not a property list ({e})"))?;
    let plist::Value::Dictionary(dict) = value else {
        return Err("it is not a dictionary of settings".into());
    };
    let mut out = Map::new();
    for (key, v) in &dict {
        if key.starts_with("Payload") {
            continue;
        }
        out.insert(key.clone(), to_json(v, key)?);
    }
    serde_json::to_string_pretty(&Value::Object(out)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=";

    fn xml(body: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>{body}</dict></plist>"#
        )
        .into_bytes()
    }

    #[test]
    fn a_profiles_settings_become_the_policy_and_are_checked_like_the_file() {
        let bytes = xml(&format!(
            "<key>PayloadUUID</key><string>5A4F</string>\
             <key>tenant</key><string>contoso.onmicrosoft.com</string>\
             <key>clientId</key><string>11111111-2222-3333-4444-555555555555</string>\
             <key>locked</key><true/>\
             <key>allowDemo</key><false/>\
             <key>trustedPlanKeys</key><array><dict><key>name</key><string>Ann (IT)</string>\
             <key>publicKey</key><string>{KEY}</string></dict></array>"
        ));
        let json = to_policy_json(&bytes).expect("mapped");
        let policy = crate::parse(&json).expect("a good policy");
        assert_eq!(policy.tenant.as_deref(), Some("contoso.onmicrosoft.com"));
        assert!(policy.locked);
        assert!(!policy.demo_allowed());
        assert_eq!(policy.trusted_plan_keys.len(), 1);
        assert_eq!(policy.trusted_plan_keys[0].name, "Ann (IT)");

        // The same settings written as a binary property list read the same.
        let value = plist::Value::from_reader(std::io::Cursor::new(&bytes)).expect("xml");
        let mut binary = Vec::new();
        value.to_writer_binary(&mut binary).expect("binary");
        assert_eq!(to_policy_json(&binary).expect("binary mapped"), json);
    }

    #[test]
    fn a_typo_a_wrong_type_or_not_a_plist_is_refused_with_what_is_wrong() {
        // An unknown key: refused by the same strict parse as the file.
        let json = to_policy_json(&xml("<key>lockd</key><true/>")).expect("mapped");
        let (_, why) = crate::parse(&json).expect_err("unknown key");
        assert!(why.contains("lockd"), "{why}");
        // A switch written as text.
        let json = to_policy_json(&xml("<key>locked</key><string>yes</string>")).expect("mapped");
        assert!(crate::parse(&json).is_err());
        // A date where nothing takes one.
        let e = to_policy_json(&xml("<key>tenant</key><date>2026-12-05T00:00:00Z</date>"))
            .expect_err("a date");
        assert!(e.contains("tenant"), "{e}");
        // Not a property list at all.
        assert!(
            to_policy_json(b"{\"tenant\": \"contoso.onmicrosoft.com\"}")
                .expect_err("json")
                .contains("not a property list")
        );
    }
}
