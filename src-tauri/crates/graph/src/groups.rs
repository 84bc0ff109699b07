//! Group-based licensing through Graph: the groups that give licenses, their members with
//! their license states, membership changes and reprocessing
//! (shared/reference/reclaim-groups-shipping.md, "Group-based licensing").

use reqwest::Method;
use serde_json::json;

use crate::client::encode_segment;
use crate::{GraphClient, GraphError, models};

/// What a group is read with.
const GROUP_SELECT: &str =
    "id,displayName,assignedLicenses,groupTypes,membershipRule,licenseProcessingState";

/// What each member is read with: enough to say where they stand with the group's licenses.
pub const MEMBER_SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates";

/// What a membership write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipEffect {
    Changed,
    /// Already so (a member already, or not one): Graph refused it as a repeat, nothing changed.
    AlreadySo,
}

/// Whether Graph's refusal of a membership write means it is already so: adding someone who
/// is a member (400, "One or more added object references already exist…"), or removing
/// someone who is not one (404: whatever Graph names as missing — the membership, or the
/// person — the person is not in the group, which is what was asked).
pub(crate) fn is_already_so(join: bool, status: u16, body: &serde_json::Value) -> bool {
    if join {
        status == 400
            && body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("already exist")
    } else {
        status == 404
    }
}

impl GraphClient {
    /// Every group that gives licenses: `$filter=assignedLicenses/$count ne 0`, an advanced
    /// query (`ConsistencyLevel: eventual` with `$count=true`).
    pub async fn license_groups(&self) -> Result<Vec<models::Group>, GraphError> {
        let mut url = self.endpoint().v1("groups");
        url.query_pairs_mut()
            .append_pair("$filter", "assignedLicenses/$count ne 0")
            .append_pair("$count", "true")
            .append_pair("$select", GROUP_SELECT)
            .append_pair("$top", "999");
        self.get_all(url, &[("ConsistencyLevel", "eventual")]).await
    }

    /// One group with its licenses and processing state.
    pub async fn group(&self, id: &str) -> Result<models::Group, GraphError> {
        let mut url = self
            .endpoint()
            .v1(&format!("groups/{}", encode_segment(id)));
        url.query_pairs_mut().append_pair("$select", GROUP_SELECT);
        self.get_json(url, &[]).await
    }

    /// A group's members, 999 a page, each with their license states, page by page.
    pub async fn group_members_by_page(
        &self,
        id: &str,
        on_page: impl FnMut(Vec<models::User>),
    ) -> Result<usize, GraphError> {
        self.members_with(id, MEMBER_SELECT, on_page).await
    }

    /// A group's members, 999 a page, with the properties `select` names.
    async fn members_with(
        &self,
        id: &str,
        select: &str,
        on_page: impl FnMut(Vec<models::User>),
    ) -> Result<usize, GraphError> {
        let mut url = self
            .endpoint()
            .v1(&format!("groups/{}/members", encode_segment(id)));
        url.query_pairs_mut()
            .append_pair("$select", select)
            .append_pair("$top", "999");
        self.get_pages(url, &[], on_page).await
    }

    /// The ids of everyone in these groups (their direct members), for leaving a whole group
    /// out of a reclaim: the people of a "Service accounts" or "On leave" group, whatever
    /// their licenses come from. A group that is gone (404) leaves nobody out.
    pub async fn members_of(
        &self,
        groups: impl IntoIterator<Item = &str>,
    ) -> Result<std::collections::HashSet<String>, GraphError> {
        let mut ids = std::collections::HashSet::new();
        for group in groups {
            // Only their ids: a group left out may be everyone in the company.
            let read = self
                .members_with(group, "id", |page| {
                    ids.extend(page.into_iter().map(|u| u.id.to_ascii_lowercase()));
                })
                .await;
            match read {
                Ok(_) => {}
                Err(e) if matches!(e.kind(), Some(crate::GraphErrorKind::NotFound)) => {
                    tracing::warn!(group, "a group left out of reclaims is gone");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(ids)
    }

    /// `POST /groups/{id}/members/$ref`. Sent again after a lost answer, Graph says the member
    /// is already there: that is success.
    pub async fn add_member(
        &self,
        group: &str,
        user_id: &str,
    ) -> Result<MembershipEffect, GraphError> {
        let url = self
            .endpoint()
            .v1(&format!("groups/{}/members/$ref", encode_segment(group)));
        let reference = self
            .endpoint()
            .v1(&format!("directoryObjects/{}", encode_segment(user_id)));
        let body = json!({ "@odata.id": reference.as_str() });
        let response = self.send(Method::POST, url, Some(&body), &[], true).await?;
        if (200..300).contains(&response.status) {
            return Ok(MembershipEffect::Changed);
        }
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        if is_already_so(true, response.status, &body) {
            return Ok(MembershipEffect::AlreadySo);
        }
        Err(response.into_error())
    }

    /// `DELETE /groups/{id}/members/{userId}/$ref`. Sent again after a lost answer, Graph
    /// says there is no such member: that is success.
    pub async fn remove_member(
        &self,
        group: &str,
        user_id: &str,
    ) -> Result<MembershipEffect, GraphError> {
        let url = self.endpoint().v1(&format!(
            "groups/{}/members/{}/$ref",
            encode_segment(group),
            encode_segment(user_id)
        ));
        let response = self.send(Method::DELETE, url, None, &[], true).await?;
        if (200..300).contains(&response.status) {
            return Ok(MembershipEffect::Changed);
        }
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        if is_already_so(false, response.status, &body) {
            return Ok(MembershipEffect::AlreadySo);
        }
        Err(response.into_error())
    }

    /// Reprocesses each person, a few at a time (each is one write); the answers in order.
    pub async fn reprocess_each(&self, ids: &[String]) -> Vec<Result<(), GraphError>> {
        const AT_ONCE: usize = 8;
        let mut answers: Vec<Option<Result<(), GraphError>>> = ids.iter().map(|_| None).collect();
        for (c, chunk) in ids.chunks(AT_ONCE).enumerate() {
            let mut tasks = tokio::task::JoinSet::new();
            for (i, id) in chunk.iter().enumerate() {
                let (client, id) = (self.clone(), id.clone());
                tasks.spawn(async move { (c * AT_ONCE + i, client.reprocess(&id).await) });
            }
            while let Some(joined) = tasks.join_next().await {
                if let Ok((i, answer)) = joined {
                    answers[i] = Some(answer);
                }
            }
        }
        answers
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|| {
                    Err(GraphError::Decode(
                        "the request stopped unexpectedly".into(),
                    ))
                })
            })
            .collect()
    }

    /// `POST /users/{id}/reprocessLicenseAssignment`: the person's group licenses are worked
    /// out again (after a seat was freed or a conflict removed). Repeating it is harmless.
    pub async fn reprocess(&self, user: &str) -> Result<(), GraphError> {
        let url = self.endpoint().v1(&format!(
            "users/{}/reprocessLicenseAssignment",
            encode_segment(user)
        ));
        let response = self.send(Method::POST, url, None, &[], true).await?;
        if (200..300).contains(&response.status) {
            Ok(())
        } else {
            Err(response.into_error())
        }
    }
}
