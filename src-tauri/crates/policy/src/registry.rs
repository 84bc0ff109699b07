//! The policy as Windows administrators deploy it: values under
//! `HKLM\SOFTWARE\Policies\LicenseDesk` (Group Policy or Intune), read into the same keys as
//! the Linux file and checked by the same rules.
//!
//! | value | type | key |
//! |---|---|---|
//! | `tenant`, `clientId`, `cloud` | REG_SZ | as in the file |
//! | `locked`, `allowDemo`, `productNamesRefresh`, `requireSignedPlans` | REG_DWORD, 0 or 1 | as in the file |
//! | `trustedPlanKeys` | REG_MULTI_SZ, one `name=publicKey` per line | as in the file |
//!
//! The mapping is plain Rust, tested on every system; only the few lines that open the key
//! (`read_machine_policy`) are Windows code, and they have not been built or run yet.

use serde_json::{Map, Value};

/// A registry value as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegValue {
    Text(String),
    Number(u32),
    Texts(Vec<String>),
}

/// The key's values (name, value) as the policy's JSON text, for `parse` to check: a value of
/// the wrong type or an unknown name is an error naming it.
pub fn to_policy_json(values: &[(String, RegValue)]) -> Result<String, String> {
    let mut out = Map::new();
    for (name, value) in values {
        let json = match (name.as_str(), value) {
            ("tenant" | "clientId" | "cloud", RegValue::Text(t)) => Value::String(t.clone()),
            (
                "locked" | "allowDemo" | "productNamesRefresh" | "requireSignedPlans",
                RegValue::Number(n @ (0 | 1)),
            ) => Value::Bool(*n == 1),
            ("trustedPlanKeys", RegValue::Texts(lines)) => Value::Array(
                lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| {
                        let (name, key) = l.split_once('=').ok_or_else(|| {
                            format!("trustedPlanKeys: \"{l}\" is not name=publicKey")
                        })?;
                        Ok(serde_json::json!({ "name": name.trim(), "publicKey": key.trim() }))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            (
                "tenant"
                | "clientId"
                | "cloud"
                | "locked"
                | "allowDemo"
                | "productNamesRefresh"
                | "requireSignedPlans"
                | "trustedPlanKeys",
                other,
            ) => {
                return Err(format!("{name} has the wrong type or value ({other:?})"));
            }
            _ => return Err(format!("unknown value {name}")),
        };
        out.insert(name.clone(), json);
    }
    serde_json::to_string_pretty(&Value::Object(out)).map_err(|e| e.to_string())
}

/// The values under HKLM\SOFTWARE\Policies\LicenseDesk; `None` when the key does not exist.
#[cfg(windows)]
pub fn read_machine_policy() -> std::io::Result<Option<Vec<(String, RegValue)>>> {
    use winreg::RegKey;
    use winreg::enums::{HKEY_LOCAL_MACHINE, RegType};
    let key = match RegKey::predef(HKEY_LOCAL_MACHINE).open_subkey(r"SOFTWARE\Policies\LicenseDesk")
    {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut values = Vec::new();
    for item in key.enum_values() {
        let (name, raw) = item?;
        let value = match raw.vtype {
            RegType::REG_SZ | RegType::REG_EXPAND_SZ => RegValue::Text(key.get_value(&name)?),
            RegType::REG_DWORD => RegValue::Number(key.get_value(&name)?),
            RegType::REG_MULTI_SZ => RegValue::Texts(key.get_value(&name)?),
            _ => RegValue::Text(String::new()),
        };
        values.push((name, value));
    }
    Ok(Some(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> RegValue {
        RegValue::Text(s.into())
    }

    #[test]
    fn registry_values_become_the_same_policy_as_the_file() {
        let json = to_policy_json(&[
            ("tenant".into(), text("contoso.onmicrosoft.com")),
            (
                "clientId".into(),
                text("11111111-2222-3333-4444-555555555555"),
            ),
            ("locked".into(), RegValue::Number(1)),
            ("allowDemo".into(), RegValue::Number(0)),
            (
                "trustedPlanKeys".into(),
                RegValue::Texts(vec![
                    "Ann (IT)=O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=".into(),
                    "".into(),
                ]),
            ),
        ])
        .expect("json");
        let p = crate::parse(&json).expect("a policy");
        assert!(p.locked && !p.demo_allowed());
        assert_eq!(p.trusted_plan_keys[0].name, "Ann (IT)");
        assert_eq!(
            p.trusted_plan_keys[0].public_key,
            "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="
        );
    }

    #[test]
    fn a_wrong_type_or_unknown_value_is_named() {
        let e = to_policy_json(&[("locked".into(), text("yes"))]).expect_err("a string lock");
        assert!(e.contains("locked"), "{e}");
        let e = to_policy_json(&[("locked".into(), RegValue::Number(2))]).expect_err("2");
        assert!(e.contains("locked"), "{e}");
        let e = to_policy_json(&[("lockd".into(), RegValue::Number(1))]).expect_err("typo");
        assert!(e.contains("lockd"), "{e}");
        let e = to_policy_json(&[(
            "trustedPlanKeys".into(),
            RegValue::Texts(vec!["Ann".into()]),
        )])
        .expect_err("no key");
        assert!(e.contains("name=publicKey"), "{e}");
    }
}
