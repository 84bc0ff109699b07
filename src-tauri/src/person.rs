//! One person as the side panel shows them, read fresh from Graph: who they are, each license
//! with where it comes from (directly, or the group by name) and its apps with their state.

use serde::Serialize;
use ts_rs::TS;

use crate::error::CommandError;
use crate::tenant::Connection;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServicePlanState {
    pub id: String,
    /// The app's friendly name ("Exchange Online (Plan 2)"), Microsoft's internal name when
    /// the shipped list does not know it.
    pub name: String,
    /// Microsoft's internal name (`EXCHANGE_S_ENTERPRISE`), for the ticket.
    pub technical_name: String,
    /// Graph's provisioning status (`Success`, `PendingInput`, `Disabled`, …).
    pub status: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PersonLicense {
    pub sku_id: String,
    pub name: String,
    pub part_number: String,
    /// `null` when assigned directly.
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    /// Why the group could not give it, if it could not.
    pub error: Option<String>,
    pub service_plans: Vec<ServicePlanState>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PersonDetail {
    pub row: licensing::UserRow,
    pub licenses: Vec<PersonLicense>,
}

pub async fn read(connection: &Connection, id: &str) -> Result<PersonDetail, CommandError> {
    connection
        .directory
        .ensure_started(&connection.client)
        .await?;
    let (user, details) = tokio::try_join!(
        connection.client.user(id),
        connection.client.license_details(id)
    )?;
    let user = user.to_domain();
    connection.directory.replace(user.clone());
    let skus = connection.directory.skus();
    let groups: Vec<String> = user
        .assignments
        .iter()
        .filter_map(|a| a.assigned_by_group.clone())
        .collect();
    let group_names = connection
        .directory
        .name_groups(&connection.client, groups)
        .await;
    let row = licensing::row(&user, &skus, &crate::product_names::current());
    let licenses = user
        .assignments
        .iter()
        .zip(&row.licenses)
        .map(|(a, shown)| {
            let sku = skus
                .iter()
                .find(|s| s.sku_id.eq_ignore_ascii_case(&a.sku_id));
            let detail = details
                .iter()
                .find(|d| d.sku_id.eq_ignore_ascii_case(&a.sku_id));
            // The apps: Graph's provisioning status where it gave one, else the plan's list.
            let service_plans = match (detail, sku) {
                (Some(d), _) => d
                    .service_plans
                    .iter()
                    .map(|p| ServicePlanState {
                        id: p.service_plan_id.clone(),
                        name: licensing::app_display_name(
                            &p.service_plan_id,
                            p.service_plan_name.as_deref().unwrap_or_default(),
                        ),
                        technical_name: p.service_plan_name.clone().unwrap_or_default(),
                        status: p.provisioning_status.clone(),
                        enabled: !a
                            .disabled_plans
                            .iter()
                            .any(|x| x.eq_ignore_ascii_case(&p.service_plan_id)),
                    })
                    .collect(),
                (None, Some(s)) => s
                    .service_plans
                    .iter()
                    .map(|p| ServicePlanState {
                        id: p.id.clone(),
                        name: licensing::app_display_name(&p.id, &p.name),
                        technical_name: p.name.clone(),
                        status: None,
                        enabled: !a
                            .disabled_plans
                            .iter()
                            .any(|x| x.eq_ignore_ascii_case(&p.id)),
                    })
                    .collect(),
                (None, None) => Vec::new(),
            };
            PersonLicense {
                sku_id: a.sku_id.clone(),
                name: shown.name.clone(),
                part_number: sku.map(|s| s.sku_part_number.clone()).unwrap_or_default(),
                group_id: a.assigned_by_group.clone(),
                group_name: a
                    .assigned_by_group
                    .as_ref()
                    .and_then(|g| group_names.get(g).cloned()),
                error: a.error.clone(),
                service_plans,
            }
        })
        .collect();
    Ok(PersonDetail { row, licenses })
}
