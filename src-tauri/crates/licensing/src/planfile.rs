//! Plans to approve: one administrator prepares a plan and saves it as a file; another opens it
//! (in the app, or `licensedesk-cli apply --plan`) and applies it. The file names its tenant and
//! carries a SHA-256 digest of its content and, when its author has a signing key, an Ed25519
//! signature of that content with the public key. A file for another tenant is refused.
//!
//! What the digest and the signature prove is narrow, and the front ends say so:
//! - the digest is not a secret: anyone can edit a file and compute it again. It only catches
//!   accidents (a truncated copy, an editor's change).
//! - a signature proves the content was signed with the private key whose public key the file
//!   carries, and has not changed since. Anyone can make a key, so a signature means something
//!   only when that key is one the approver trusts (their list, or the organisation's policy).
//!   An edited signed file fails its signature and is refused.
//! - nothing proves the file's title, author name or date: they are what the file says.
//!
//! Past 600 lines with its tests: every way a file can be edited, forged or out of date.
//!
//! Before it is applied the plan is worked out again on the tenant as it is now, and what
//! drifted (seats, people already changed, people gone) is shown.
//!
//! Only the format lives here (sealing, opening, re-planning): reading and writing the file, and
//! asking the tenant who it is, are the callers' (the app and the CLI), so both agree on every
//! byte and every check.
//!
//! Past 600 lines with its tests (signing, trust, tampering, drift), which are most of it.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
pub use ed25519_dalek::SigningKey;
use ed25519_dalek::{Signature, Signer as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{Plan, ShortfallPolicy, Sku, User, WantedChange};

const FORMAT: &str = "licensedesk-plan";
const VERSION: u32 = 1;

/// A plan file is a few hundred bytes per person; more than this is not one of ours.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// What the digest covers: everything in the file but the digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Body {
    pub format: String,
    pub version: u32,
    pub tenant_id: String,
    pub tenant_name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_by: String,
    /// What the plan does, in a few words ("Give Microsoft 365 E3 to 40 people").
    pub what: String,
    pub shortfall: ShortfallPolicy,
    /// Each person (by id) and the change asked for them.
    pub requests: Vec<(String, WantedChange)>,
    /// The plan as it was previewed when the file was written.
    pub plan: Plan,
}

impl Body {
    /// A new plan file's content (this format and version).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tenant_id: &str,
        tenant_name: &str,
        created_at: &str,
        created_by: &str,
        what: &str,
        shortfall: ShortfallPolicy,
        requests: Vec<(String, WantedChange)>,
        plan: Plan,
    ) -> Body {
        Body {
            format: FORMAT.into(),
            version: VERSION,
            tenant_id: tenant_id.into(),
            tenant_name: tenant_name.into(),
            created_at: created_at.into(),
            created_by: created_by.into(),
            what: what.into(),
            shortfall,
            requests,
            plan,
        }
    }

    /// Refuses a plan written for another tenant than `tenant_id`.
    pub fn check_tenant(&self, tenant_id: &str) -> Result<(), PlanFileError> {
        if self.tenant_id.eq_ignore_ascii_case(tenant_id) {
            Ok(())
        } else {
            Err(PlanFileError::OtherTenant {
                tenant_name: self.tenant_name.clone(),
                tenant_id: self.tenant_id.clone(),
            })
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    /// Kept apart from the digest (not flattened): serde's flatten does not read every type
    /// back, and the digest must be of exactly what is read.
    body: Body,
    /// SHA-256 of the body's JSON (hex).
    digest: String,
    /// Ed25519 over the body's JSON, with the key that made it. Absent: unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<FileSignature>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileSignature {
    algorithm: String,
    /// The signer's public key (32 bytes, base64).
    public_key: String,
    /// 64 bytes, base64.
    signature: String,
}

const ALGORITHM: &str = "ed25519";

/// Who signed an opened plan, as far as the file can prove it: a key, never a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
#[ts(export)]
pub enum Signer {
    /// The file carries no signature: anyone could have written it.
    Unsigned,
    /// Signed with this key (its signature checked against the content).
    Signed {
        /// The public key as written in trust lists (base64).
        public_key: String,
        /// A short form to compare by eye ("3F2A 91C0 …").
        fingerprint: String,
    },
}

/// A plan-signing key someone trusts: the approver's own list (Settings, or the CLI's
/// `trust add`) or the organisation's policy (`trustedPlanKeys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct TrustedKey {
    /// Who the key belongs to, in the words of whoever trusted it.
    pub name: String,
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
}

/// What the approver is told about who signed a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
#[ts(export)]
pub enum Trust {
    /// No signature: the file's claims (author, date, title) cannot be checked.
    Unsigned,
    /// Signed with a key nobody here trusts: it proves only that the file is unchanged since
    /// whoever holds that key signed it.
    UnknownKey { fingerprint: String },
    /// Signed with a key in a trust list.
    Trusted {
        fingerprint: String,
        /// The name the trust list gives the key.
        name: String,
        /// True when the organisation's policy trusts it (not only this person's list).
        by_policy: bool,
    },
}

/// Who signed, against the trust lists (the policy's first). With `require_signed` (the
/// policy's `requireSignedPlans`) anything but a trusted key is refused.
pub fn assess(
    signer: &Signer,
    policy_keys: &[TrustedKey],
    own_keys: &[TrustedKey],
    require_signed: bool,
) -> Result<Trust, PlanFileError> {
    let trust = match signer {
        Signer::Unsigned => Trust::Unsigned,
        Signer::Signed {
            public_key,
            fingerprint,
        } => {
            let find = |list: &[TrustedKey]| {
                list.iter()
                    .find(|k| k.public_key.trim() == public_key)
                    .map(|k| k.name.clone())
            };
            match (find(policy_keys), find(own_keys)) {
                (Some(name), _) => Trust::Trusted {
                    fingerprint: fingerprint.clone(),
                    name,
                    by_policy: true,
                },
                (None, Some(name)) => Trust::Trusted {
                    fingerprint: fingerprint.clone(),
                    name,
                    by_policy: false,
                },
                (None, None) => Trust::UnknownKey {
                    fingerprint: fingerprint.clone(),
                },
            }
        }
    };
    if require_signed && !matches!(trust, Trust::Trusted { .. }) {
        return Err(PlanFileError::NotTrusted);
    }
    Ok(trust)
}

/// The public key of a signing key, as trust lists hold it (base64 of its 32 bytes).
pub fn public_key_text(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().as_bytes())
}

/// A public key's fingerprint: the first 16 bytes of its SHA-256 in groups of four hex digits,
/// to compare by eye or read over the phone. Refuses text that is not a public key.
pub fn fingerprint(public_key: &str) -> Option<String> {
    let bytes = B64.decode(public_key.trim()).ok()?;
    let key: [u8; 32] = bytes.try_into().ok()?;
    VerifyingKey::from_bytes(&key).ok()?;
    let hash = Sha256::digest(key);
    let hex: Vec<String> = hash[..16]
        .chunks(2)
        .map(|c| format!("{:02X}{:02X}", c[0], c[1]))
        .collect();
    Some(hex.join(" "))
}

/// A signing key from its 32 secret bytes (as kept in the keychain, base64).
pub fn signing_key_from_text(text: &str) -> Option<SigningKey> {
    let bytes = B64.decode(text.trim()).ok()?;
    let seed: [u8; 32] = bytes.try_into().ok()?;
    Some(SigningKey::from_bytes(&seed))
}

/// A signing key's secret bytes as text (for the keychain only).
pub fn signing_key_text(key: &SigningKey) -> String {
    B64.encode(key.to_bytes())
}

/// A new signing key from 32 random bytes (the caller's source of randomness).
pub fn signing_key_from_seed(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

/// Why a file cannot be applied. Each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanFileError {
    /// Not JSON, or not shaped like a plan file.
    NotAPlan(String),
    /// A plan file of a format or version this build does not read.
    Unsupported { format: String, version: u32 },
    /// The digest does not match: edited since it was written.
    Edited,
    /// The signature does not match the content (or is not a signature): edited since it was
    /// signed, or signed by another key than the one it names.
    BadSignature,
    /// The organisation's policy accepts only plans signed with a key it trusts.
    NotTrusted,
    /// Written for another tenant.
    OtherTenant {
        tenant_name: String,
        tenant_id: String,
    },
}

impl std::fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanFileError::NotAPlan(why) => write!(
                f,
                "This is not a LicenseDesk plan file ({why}). Ask for the plan to be saved again from LicenseDesk."
            ),
            PlanFileError::Unsupported { format, version } => write!(
                f,
                "This plan file ({format}, version {version}) was written by another version of LicenseDesk. Update LicenseDesk, or ask for the plan to be saved again."
            ),
            PlanFileError::Edited => write!(
                f,
                "This plan file was changed after it was saved (its digest does not match), so it is not what was prepared. Nothing was applied. Ask for a new plan file."
            ),
            PlanFileError::BadSignature => write!(
                f,
                "This plan file's signature does not match its content: it was changed after it was signed. Nothing was applied. Ask for a new plan file."
            ),
            PlanFileError::NotTrusted => write!(
                f,
                "Your organisation's policy accepts only plans signed with a key it trusts, and this plan is not. Nothing was applied. Ask for the plan to be prepared by someone whose key is trusted."
            ),
            PlanFileError::OtherTenant {
                tenant_name,
                tenant_id,
            } => write!(
                f,
                "This plan is for {tenant_name} ({tenant_id}), not the tenant you are signed in to. Nothing was applied. Sign in to {tenant_name} to apply it."
            ),
        }
    }
}

impl std::error::Error for PlanFileError {}

fn digest(body: &Body) -> String {
    // Serializing these types cannot fail: no maps with non-string keys, no custom code.
    let bytes = serde_json::to_vec(body).expect("a plan serializes");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file's text: the body, its digest and, with a key, its signature.
pub fn seal(body: &Body, key: Option<&SigningKey>) -> String {
    let bytes = serde_json::to_vec(body).expect("a plan serializes");
    let file = File {
        digest: digest(body),
        body: body.clone(),
        signature: key.map(|k| FileSignature {
            algorithm: ALGORITHM.into(),
            public_key: public_key_text(k),
            signature: B64.encode(k.sign(&bytes).to_bytes()),
        }),
    };
    serde_json::to_string_pretty(&file).expect("a plan serializes")
}

/// A plan file as read: its content and who signed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub body: Body,
    pub signer: Signer,
}

/// Reads a file's text: refuses anything that is not a whole plan file of this version, and a
/// signed file whose signature does not match. The tenant is checked separately
/// (`Body::check_tenant`), by whoever knows it; whether the signer is trusted too.
pub fn open(text: &str) -> Result<Opened, PlanFileError> {
    let file: File = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        PlanFileError::NotAPlan(if e.is_syntax() || e.is_eof() {
            "it is not JSON".into()
        } else {
            e.to_string()
        })
    })?;
    if file.body.format != FORMAT || file.body.version != VERSION {
        return Err(PlanFileError::Unsupported {
            format: file.body.format,
            version: file.body.version,
        });
    }
    // Plan files carry license changes only: a group named in one would be the file's claim
    // (what it gives, whether it is dynamic), not Graph's. Membership is changed where it is
    // read from Graph.
    if file
        .body
        .requests
        .iter()
        .any(|(_, c)| !c.join_groups.is_empty() || !c.leave_groups.is_empty())
    {
        return Err(PlanFileError::NotAPlan(
            "it changes group membership, which plan files do not carry".into(),
        ));
    }
    let signer = match &file.signature {
        None => Signer::Unsigned,
        Some(sig) => {
            let bytes = serde_json::to_vec(&file.body).expect("a plan serializes");
            verify(sig, &bytes)?
        }
    };
    // Checked after the signature: a signed file edited and given a fresh digest is refused
    // for its signature, which is the check that means something.
    if digest(&file.body) != file.digest.to_ascii_lowercase() {
        return Err(PlanFileError::Edited);
    }
    Ok(Opened {
        body: file.body,
        signer,
    })
}

fn verify(sig: &FileSignature, content: &[u8]) -> Result<Signer, PlanFileError> {
    if sig.algorithm != ALGORITHM {
        return Err(PlanFileError::BadSignature);
    }
    let key_bytes: [u8; 32] = B64
        .decode(&sig.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(PlanFileError::BadSignature)?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| PlanFileError::BadSignature)?;
    let sig_bytes: [u8; 64] = B64
        .decode(&sig.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(PlanFileError::BadSignature)?;
    key.verify_strict(content, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| PlanFileError::BadSignature)?;
    Ok(Signer::Signed {
        fingerprint: fingerprint(&sig.public_key).ok_or(PlanFileError::BadSignature)?,
        public_key: B64.encode(key_bytes),
    })
}

/// Whether these first bytes of a file look like a plan file (so a file dropped on the window
/// or opened with the app goes to the plan, not to the import of an HR list).
pub fn looks_like_plan(head: &[u8]) -> bool {
    let head = String::from_utf8_lossy(head);
    head.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
        && head.contains(&format!("\"{FORMAT}\""))
}

/// One plan whose free seats are not what they were when the file was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SeatDrift {
    pub sku_id: String,
    pub sku_part_number: String,
    pub then: u32,
    pub now: u32,
}

/// What changed in the tenant since the plan was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Drift {
    /// People the plan named who are no longer in the tenant (user principal names).
    pub gone: Vec<String>,
    /// People whose outcome is not what was approved (already changed, now blocked, …).
    pub changed: Vec<String>,
    /// Plans whose free seats changed.
    pub seats: Vec<SeatDrift>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.gone.is_empty() && self.changed.is_empty() && self.seats.is_empty()
    }
}

/// The plan again, on the tenant as it is now (`people`: as many of the file's people as are
/// still there, read now; `skus`: the plans with their seats now), with `policy` for a seat
/// shortfall; the people it covers; and what drifted from the file's plan.
pub fn replan(
    body: &Body,
    people: &[User],
    skus: &[Sku],
    policy: ShortfallPolicy,
) -> (Plan, Vec<User>, Drift) {
    let by_id: HashMap<&str, &User> = people.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut drift = Drift::default();
    let requests: Vec<(&User, &WantedChange)> = body
        .requests
        .iter()
        .filter_map(|(id, change)| match by_id.get(id.as_str()) {
            Some(u) => Some((*u, change)),
            None => {
                let upn = body
                    .plan
                    .people
                    .iter()
                    .find(|p| &p.user_id == id)
                    .map(|p| p.user_principal_name.clone())
                    .unwrap_or_else(|| id.clone());
                drift.gone.push(upn);
                None
            }
        })
        .collect();
    let now = crate::plan_each(&requests, skus, policy);
    let then: HashMap<&str, &crate::PersonOutcome> = body
        .plan
        .people
        .iter()
        .map(|p| (p.user_id.as_str(), p))
        .collect();
    for p in &now.people {
        let same = then.get(p.user_id.as_str()).is_some_and(|t| {
            t.action == p.action
                && t.add == p.add
                && t.remove == p.remove
                && t.set_usage_location == p.set_usage_location
        });
        if !same {
            drift.changed.push(p.user_principal_name.clone());
        }
    }
    for s in &now.seats {
        if let Some(t) = body.plan.seats.iter().find(|t| t.sku_id == s.sku_id)
            && t.free_before != s.free_before
        {
            drift.seats.push(SeatDrift {
                sku_id: s.sku_id.clone(),
                sku_part_number: s.sku_part_number.clone(),
                then: t.free_before,
                now: s.free_before,
            });
        }
    }
    let users = requests.iter().map(|(u, _)| (*u).clone()).collect();
    (now, users, drift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, PlanToAdd};

    const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";

    fn sku(free: u32) -> Sku {
        Sku {
            sku_id: E3.into(),
            sku_part_number: "SPE_E3".into(),
            applies_to: crate::AppliesTo::User,
            capability_status: crate::CapabilityStatus::Enabled,
            seats: crate::SeatCounts {
                enabled: 10,
                consumed: 10 - free,
                ..Default::default()
            },
            service_plans: Vec::new(),
        }
    }

    fn person(id: &str, licensed: bool) -> User {
        User {
            id: id.into(),
            user_principal_name: format!("{id}@contoso.com"),
            display_name: id.into(),
            department: None,
            usage_location: Some("NL".into()),
            account_enabled: true,
            assignments: if licensed {
                vec![crate::LicenseAssignment {
                    sku_id: E3.into(),
                    disabled_plans: vec![],
                    assigned_by_group: None,
                    error: None,
                }]
            } else {
                vec![]
            },
        }
    }

    fn give() -> WantedChange {
        WantedChange {
            add: vec![PlanToAdd {
                sku_id: E3.into(),
                disabled_plans: vec![],
            }],
            remove: vec![],
            usage_location: None,
            keep_disabled_plans: false,
            as_direct: false,
            apps: Vec::new(),
            ..WantedChange::default()
        }
    }

    fn body(people: &[User], skus: &[Sku]) -> Body {
        let requests: Vec<(String, WantedChange)> =
            people.iter().map(|u| (u.id.clone(), give())).collect();
        let change = give();
        let plan = crate::plan(people, &change, skus, ShortfallPolicy::Nobody);
        Body::new(
            "tenant-a",
            "Contoso",
            "2026-11-30T12:00:00Z",
            "ann",
            "Give E3 to 3 people",
            ShortfallPolicy::Nobody,
            requests,
            plan,
        )
    }

    #[test]
    fn a_sealed_plan_opens_as_written_and_for_its_tenant_only() {
        let people = [person("a", false), person("b", false)];
        let b = body(&people, &[sku(5)]);
        let text = seal(&b, None);
        assert!(looks_like_plan(text.as_bytes()));
        let opened = open(&text).expect("opens");
        assert_eq!(opened.signer, Signer::Unsigned);
        let opened = opened.body;
        assert_eq!(opened, b);
        assert_eq!(opened.check_tenant("TENANT-A"), Ok(()));
        let other = opened.check_tenant("tenant-b").expect_err("other tenant");
        assert!(other.to_string().contains("Contoso"), "{other}");
    }

    /// A group's plans and kind would be the file's claims: plan files carry license changes
    /// only, and one naming a group is refused even when sealed (signed or not).
    #[test]
    fn a_plan_that_changes_group_membership_is_refused() {
        let people = [person("a", false)];
        let mut b = body(&people, &[sku(5)]);
        b.requests[0].1.join_groups = vec![crate::membership::GroupRef {
            id: "g1".into(),
            display_name: "Sales".into(),
            sku_ids: vec![E3.into()],
            dynamic: false,
        }];
        let text = seal(&b, None);
        let Err(refused) = open(&text) else {
            panic!("a plan changing group membership was opened")
        };
        assert!(
            matches!(&refused, PlanFileError::NotAPlan(why) if why.contains("group membership")),
            "{refused}"
        );
    }

    #[test]
    fn any_edit_is_refused() {
        let people = [person("a", false), person("b", false)];
        let text = seal(&body(&people, &[sku(5)]), None);
        // One person taken out of what was approved, one person added, a seat count changed:
        // each is caught.
        for (from, to) in [
            ("\"b\"", "\"c\""),
            ("Give E3", "Give E5"),
            ("\"freeBefore\": 5", "\"freeBefore\": 50"),
        ] {
            assert!(text.contains(from), "{from} in the file");
            let edited = text.replacen(from, to, 1);
            assert_eq!(open(&edited), Err(PlanFileError::Edited), "{from} → {to}");
        }
        assert!(matches!(
            open("name;country\nann;NL"),
            Err(PlanFileError::NotAPlan(_))
        ));
        assert!(!looks_like_plan(b"name;country\nann;NL"));
        assert!(matches!(
            open(&text.replace("\"version\": 1", "\"version\": 9")),
            Err(PlanFileError::Unsupported { version: 9, .. })
        ));
    }

    fn key(n: u8) -> SigningKey {
        signing_key_from_seed([n; 32])
    }

    #[test]
    fn a_signed_plan_names_its_key_and_any_edit_fails_its_signature_even_with_a_new_digest() {
        let people = [person("a", false), person("b", false)];
        let b = body(&people, &[sku(5)]);
        let text = seal(&b, Some(&key(7)));
        let opened = open(&text).expect("opens");
        let Signer::Signed {
            public_key,
            fingerprint: print,
        } = &opened.signer
        else {
            panic!("signed: {:?}", opened.signer)
        };
        assert_eq!(public_key, &public_key_text(&key(7)));
        assert_eq!(fingerprint(public_key).as_deref(), Some(print.as_str()));
        assert_eq!(print.len(), 39, "8 groups of 4: {print}");

        // An attacker edits the content (a removal in place of a gift) and writes the digest
        // again: the digest matches, the signature does not.
        let mut file: serde_json::Value = serde_json::from_str(&text).expect("json");
        file["body"]["what"] = "Give Microsoft Power Automate Free".into();
        file["body"]["requests"][0][1]["remove"] = serde_json::json!([E3]);
        let edited: Body = serde_json::from_value(file["body"].clone()).expect("body");
        file["digest"] = digest(&edited).into();
        let forged = serde_json::to_string(&file).expect("json");
        assert_eq!(open(&forged), Err(PlanFileError::BadSignature));

        // Signed again with the attacker's own key: it opens, but names that key, not ours.
        let resigned = seal(&edited, Some(&key(9)));
        let opened = open(&resigned).expect("opens");
        assert_ne!(
            opened.signer,
            open(&text).expect("opens").signer,
            "another key"
        );

        // The signature taken away: opens as unsigned, never as signed.
        file["body"] = serde_json::to_value(&b).expect("json");
        file["digest"] = digest(&b).into();
        file.as_object_mut().expect("object").remove("signature");
        let stripped = serde_json::to_string(&file).expect("json");
        assert_eq!(open(&stripped).expect("opens").signer, Signer::Unsigned);

        // A signature that is not one, or of another algorithm.
        let garbled = text.replacen("\"ed25519\"", "\"rsa\"", 1);
        assert_eq!(open(&garbled), Err(PlanFileError::BadSignature));
        assert_eq!(fingerprint("not a key"), None);
    }

    #[test]
    fn trust_comes_from_the_lists_never_from_the_file_and_policy_can_require_it() {
        let ours = TrustedKey {
            name: "Ann (IT)".into(),
            public_key: public_key_text(&key(1)),
        };
        let signed = |n: u8| Signer::Signed {
            public_key: public_key_text(&key(n)),
            fingerprint: fingerprint(&public_key_text(&key(n))).expect("key"),
        };
        assert!(matches!(
            assess(&signed(1), &[], std::slice::from_ref(&ours), false),
            Ok(Trust::Trusted { by_policy: false, ref name, .. }) if name == "Ann (IT)"
        ));
        assert!(matches!(
            assess(&signed(1), std::slice::from_ref(&ours), &[], false),
            Ok(Trust::Trusted {
                by_policy: true,
                ..
            })
        ));
        assert!(matches!(
            assess(&signed(2), &[], std::slice::from_ref(&ours), false),
            Ok(Trust::UnknownKey { .. })
        ));
        assert_eq!(
            assess(&Signer::Unsigned, &[], &[], false),
            Ok(Trust::Unsigned)
        );
        assert_eq!(
            assess(&Signer::Unsigned, &[], &[], true),
            Err(PlanFileError::NotTrusted)
        );
        assert_eq!(
            assess(&signed(2), &[], std::slice::from_ref(&ours), true),
            Err(PlanFileError::NotTrusted)
        );
    }

    #[test]
    fn drift_names_seats_people_changed_and_people_gone() {
        let people = [person("a", false), person("b", false), person("c", false)];
        let b = body(&people, &[sku(5)]);
        // Since: `a` got the license from someone else, `c` left, and 2 seats were taken.
        let now = [person("a", true), person("b", false)];
        let (plan, users, drift) = replan(&b, &now, &[sku(3)], ShortfallPolicy::Nobody);
        assert_eq!(drift.gone, vec!["c@contoso.com".to_string()]);
        assert_eq!(drift.changed, vec!["a@contoso.com".to_string()]);
        assert_eq!(
            drift.seats,
            vec![SeatDrift {
                sku_id: E3.into(),
                sku_part_number: "SPE_E3".into(),
                then: 5,
                now: 3
            }]
        );
        assert_eq!(users.len(), 2);
        assert_eq!(plan.people[0].action, Action::None, "a has it already");
        assert_eq!(plan.people[1].action, Action::Add);

        let (_, _, none) = replan(&b, &people, &[sku(5)], ShortfallPolicy::Nobody);
        assert!(none.is_empty(), "{none:?}");
    }
}
