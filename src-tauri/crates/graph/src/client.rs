//! The Graph client: one place for authentication, paging and turning error bodies into errors.

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::models::{self, ErrorEnvelope, Page};
use crate::{AccessToken, GraphEndpoint, GraphError, GraphErrorKind};

/// Properties LicenseDesk needs of a user. Graph returns most of them only when selected (§4.2).
pub const USER_SELECT: &str = "id,displayName,userPrincipalName,accountEnabled,usageLocation,department,assignedLicenses,licenseAssignmentStates";

/// Graph's largest page for /users; fewer pages means fewer requests against the quota.
const MAX_PAGE_SIZE: u32 = 999;

#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    endpoint: GraphEndpoint,
    token: AccessToken,
}

impl GraphClient {
    pub fn new(endpoint: GraphEndpoint, token: AccessToken) -> Result<Self, GraphError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("LicenseDesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| GraphError::Network(e.to_string()))?;
        Ok(Self {
            http,
            endpoint,
            token,
        })
    }

    pub fn endpoint(&self) -> &GraphEndpoint {
        &self.endpoint
    }

    /// `GET /subscribedSkus`: every license plan the tenant owns (one response, no paging).
    pub async fn subscribed_skus(&self) -> Result<Vec<models::SubscribedSku>, GraphError> {
        self.get_all(self.endpoint.v1("subscribedSkus")).await
    }

    /// `GET /users` with the properties LicenseDesk needs, following every page.
    pub async fn users(&self) -> Result<Vec<models::User>, GraphError> {
        self.users_with_page_size(MAX_PAGE_SIZE).await
    }

    /// Like [`Self::users`] with a chosen `$top` (Graph accepts 1 to 999).
    pub async fn users_with_page_size(
        &self,
        page_size: u32,
    ) -> Result<Vec<models::User>, GraphError> {
        let mut url = self.endpoint.v1("users");
        url.query_pairs_mut()
            .append_pair("$select", USER_SELECT)
            .append_pair("$top", &page_size.to_string());
        self.get_all(url).await
    }

    /// GETs a collection and follows `@odata.nextLink` unchanged until it ends. The link is
    /// opaque (it carries a `$skiptoken`) so it is never parsed or rebuilt, but it must point at
    /// the same service, or the token would be sent to whoever wrote the link.
    pub async fn get_all<T: DeserializeOwned>(&self, first: Url) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let page: Page<T> = self.get_json(url).await?;
            items.extend(page.value);
            if let Some(link) = page.next_link {
                let link_url = Url::parse(&link)
                    .map_err(|e| GraphError::Decode(format!("bad @odata.nextLink: {e}")))?;
                if !self.endpoint.owns(&link_url) {
                    return Err(GraphError::ForeignNextLink(link));
                }
                next = Some(link_url);
            }
        }
        Ok(items)
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, GraphError> {
        tracing::debug!(%url, "GET");
        let response = self
            .http
            .get(url)
            .bearer_auth(self.token.secret())
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| GraphError::Network(e.without_url().to_string()))?;
        let status = response.status();
        let request_id = response
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| GraphError::Network(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(api_error(status.as_u16(), &body, request_id));
        }
        serde_json::from_slice(&body).map_err(|e| GraphError::Decode(e.to_string()))
    }
}

fn api_error(status: u16, body: &[u8], request_id: Option<String>) -> GraphError {
    let (code, message, inner_id) = match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(env) => (
            env.error.code,
            env.error.message,
            env.error.inner_error.and_then(|i| i.request_id),
        ),
        Err(_) => (
            String::new(),
            String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned(),
            None,
        ),
    };
    GraphError::Api {
        kind: GraphErrorKind::from_status(status),
        status,
        code,
        message,
        request_id: request_id.or(inner_id),
    }
}
