//! Graph v1.0's wire format for the resources LicenseDesk reads, as documented (see
//! shared/reference/graph-licensing.md §1, §4). Fields Graph may omit or send as `null` default.

use serde::{Deserialize, Deserializer, Serialize};

/// One page of a collection.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    /// Present on the first page of a `$count=true` query only.
    #[serde(rename = "@odata.count", default)]
    pub count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub account_name: Option<String>,
    #[serde(default)]
    pub applies_to: Option<String>,
    #[serde(default)]
    pub capability_status: Option<String>,
    #[serde(default)]
    pub consumed_units: Option<i64>,
    #[serde(default)]
    pub prepaid_units: Option<LicenseUnitsDetail>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub service_plans: Vec<ServicePlanInfo>,
    pub sku_id: String,
    #[serde(default)]
    pub sku_part_number: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub subscription_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseUnitsDetail {
    #[serde(default)]
    pub enabled: Option<i64>,
    #[serde(default)]
    pub locked_out: Option<i64>,
    #[serde(default)]
    pub suspended: Option<i64>,
    #[serde(default)]
    pub warning: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlanInfo {
    pub service_plan_id: String,
    #[serde(default)]
    pub service_plan_name: Option<String>,
    #[serde(default)]
    pub provisioning_status: Option<String>,
    #[serde(default)]
    pub applies_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub usage_location: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub assigned_licenses: Vec<AssignedLicense>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub license_assignment_states: Vec<LicenseAssignmentState>,
    /// Only when selected.
    #[serde(default)]
    pub created_date_time: Option<String>,
    /// Only when selected, with Entra ID P1/P2 and AuditLog.Read.All; absent for people who
    /// never signed in.
    #[serde(default)]
    pub sign_in_activity: Option<SignInActivity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInActivity {
    #[serde(default)]
    pub last_sign_in_date_time: Option<String>,
    #[serde(default)]
    pub last_non_interactive_sign_in_date_time: Option<String>,
    #[serde(default)]
    pub last_successful_sign_in_date_time: Option<String>,
}

/// One of `GET /directory/subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanySubscription {
    pub id: String,
    #[serde(default)]
    pub sku_id: Option<String>,
    #[serde(default)]
    pub sku_part_number: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub total_licenses: Option<i64>,
    #[serde(default)]
    pub is_trial: Option<bool>,
    #[serde(default)]
    pub created_date_time: Option<String>,
    #[serde(default)]
    pub next_lifecycle_date_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    pub sku_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub disabled_plans: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseAssignmentState {
    #[serde(default)]
    pub sku_id: Option<String>,
    /// `None` when assigned directly; the group's id when inherited.
    #[serde(default)]
    pub assigned_by_group: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub disabled_plans: Vec<String>,
    /// `None`, `CountViolation`, … Older docs said `Others`, the API says `Other`.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_subcode: Option<String>,
    #[serde(default)]
    pub last_updated_date_time: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

/// One entry of `GET /users/{id}/licenseDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseDetails {
    #[serde(default)]
    pub id: Option<String>,
    pub sku_id: String,
    #[serde(default)]
    pub sku_part_number: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub service_plans: Vec<ServicePlanInfo>,
}

/// `GET /organization`: the tenant's name and domains, for the header.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub verified_domains: Vec<VerifiedDomain>,
}

impl Organization {
    /// The domain the tenant presents itself with: the default one, else the initial
    /// (`*.onmicrosoft.com`) one.
    pub fn default_domain(&self) -> Option<&str> {
        self.verified_domains
            .iter()
            .find(|d| d.is_default)
            .or_else(|| self.verified_domains.iter().find(|d| d.is_initial))
            .map(|d| d.name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub is_initial: bool,
}

/// The answer to a `$batch` envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct BatchResponse {
    #[serde(default)]
    pub responses: Vec<BatchItemResponse>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BatchItemResponse {
    pub id: String,
    pub status: u16,
    #[serde(default)]
    pub headers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub body: serde_json::Value,
}

/// Graph's error envelope: `{"error":{"code","message","innerError":{…}}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub inner_error: Option<InnerError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InnerError {
    #[serde(rename = "request-id", default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// `GET /groups/{id}`: a group, for naming where a license comes from, and (with the rest
/// selected) a group that gives licenses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub assigned_licenses: Vec<AssignedLicense>,
    /// `DynamicMembership` for a dynamic group.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub group_types: Vec<String>,
    #[serde(default)]
    pub membership_rule: Option<String>,
    #[serde(default)]
    pub license_processing_state: Option<LicenseProcessingState>,
}

impl Group {
    /// Members follow a rule and cannot be added or removed.
    pub fn is_dynamic(&self) -> bool {
        self.group_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case("DynamicMembership"))
    }
}

/// `licenseProcessingState`: `QueuedForProcessing`, `ProcessingInProgress`,
/// `ProcessingComplete`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseProcessingState {
    #[serde(default)]
    pub state: Option<String>,
}
