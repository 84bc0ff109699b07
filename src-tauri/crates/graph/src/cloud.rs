//! Where Graph lives: the four national clouds, or a custom endpoint (the emulator, a proxy).

use std::net::IpAddr;
use std::str::FromStr;

use url::Url;

use crate::GraphError;

/// The national clouds (shared/reference/graph-licensing.md §9.4). GCC uses Global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Global,
    /// US Government L4 (GCC High).
    UsGov,
    /// US Government L5 (DoD).
    UsGovDod,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    pub fn graph_root(self) -> &'static str {
        match self {
            Self::Global => "https://graph.microsoft.com",
            Self::UsGov => "https://graph.microsoft.us",
            Self::UsGovDod => "https://dod-graph.microsoft.us",
            Self::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    pub fn authority_host(self) -> &'static str {
        match self {
            Self::Global => "https://login.microsoftonline.com",
            Self::UsGov | Self::UsGovDod => "https://login.microsoftonline.us",
            Self::China => "https://login.chinacloudapi.cn",
        }
    }

    pub fn endpoint(self) -> GraphEndpoint {
        // The roots above are constants known to parse.
        GraphEndpoint::new(self.graph_root()).unwrap_or_else(|_| unreachable!())
    }
}

impl FromStr for Cloud {
    type Err = GraphError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "global" | "public" | "gcc" => Ok(Self::Global),
            "usgov" | "gcchigh" | "gcc-high" => Ok(Self::UsGov),
            "usgov-dod" | "dod" => Ok(Self::UsGovDod),
            "china" => Ok(Self::China),
            other => Err(GraphError::InvalidEndpoint(format!(
                "unknown cloud '{other}': use global, usgov, usgov-dod or china"
            ))),
        }
    }
}

/// The root of a Graph service (without `/v1.0`). Plain `http` is allowed only on loopback, so a
/// token can never travel unencrypted over a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEndpoint {
    root: Url,
}

impl GraphEndpoint {
    pub fn new(root: &str) -> Result<Self, GraphError> {
        let mut root = Url::parse(root.trim())
            .map_err(|e| GraphError::InvalidEndpoint(format!("'{root}' is not a URL: {e}")))?;
        match root.scheme() {
            "https" => {}
            "http" if is_loopback(&root) => {}
            "http" => {
                return Err(GraphError::InvalidEndpoint(format!(
                    "'{root}' uses plain http, which is allowed only for 127.0.0.1, ::1 or localhost: use https"
                )));
            }
            other => {
                return Err(GraphError::InvalidEndpoint(format!(
                    "'{root}' has scheme '{other}': use https"
                )));
            }
        }
        if root.host_str().is_none() {
            return Err(GraphError::InvalidEndpoint(format!("'{root}' has no host")));
        }
        root.set_query(None);
        root.set_fragment(None);
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        Ok(Self { root })
    }

    /// `{root}/v1.0/{path}`.
    pub fn v1(&self, path: &str) -> Url {
        let joined = format!("v1.0/{}", path.trim_start_matches('/'));
        // Joining a relative path onto a valid base cannot fail.
        self.root
            .join(&joined)
            .unwrap_or_else(|_| unreachable!("relative join"))
    }

    /// True when `url` points at this endpoint: same scheme, host and port, under the root's
    /// path, and with no user name or password (reqwest would add a Basic header beside the
    /// Bearer one). A nextLink that fails this is refused, so the token is never sent
    /// anywhere else.
    pub fn owns(&self, url: &Url) -> bool {
        url.scheme() == self.root.scheme()
            && url.host_str() == self.root.host_str()
            && url.port_or_known_default() == self.root.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
            && url.path().starts_with(self.root.path())
    }

    pub fn as_str(&self) -> &str {
        self.root.as_str()
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_its_documented_graph_root() {
        assert_eq!(
            Cloud::Global.endpoint().v1("subscribedSkus").as_str(),
            "https://graph.microsoft.com/v1.0/subscribedSkus"
        );
        assert_eq!(
            "usgov-dod".parse::<Cloud>().map(Cloud::graph_root).ok(),
            Some("https://dod-graph.microsoft.us")
        );
        assert_eq!(
            Cloud::China.graph_root(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
        assert_eq!(
            Cloud::UsGov.authority_host(),
            "https://login.microsoftonline.us"
        );
        assert!("mars".parse::<Cloud>().is_err());
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(GraphEndpoint::new("http://127.0.0.1:5555").is_ok());
        assert!(GraphEndpoint::new("http://127.8.0.1:5555").is_ok());
        assert!(GraphEndpoint::new("http://[::1]:5555").is_ok());
        assert!(GraphEndpoint::new("http://localhost:5555").is_ok());
        assert!(GraphEndpoint::new("https://graph.contoso.example").is_ok());
        for bad in [
            "http://graph.contoso.example",
            "http://10.0.0.5:80",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            assert!(GraphEndpoint::new(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn custom_root_with_a_path_keeps_it() {
        let e = GraphEndpoint::new("https://proxy.example/graph").expect("valid");
        assert_eq!(
            e.v1("/users").as_str(),
            "https://proxy.example/graph/v1.0/users"
        );
    }

    #[test]
    fn owns_only_its_own_origin() {
        let e = GraphEndpoint::new("http://127.0.0.1:5555").expect("valid");
        let own = Url::parse("http://127.0.0.1:5555/v1.0/users?$skiptoken=x").expect("url");
        let other = Url::parse("http://127.0.0.1:6666/v1.0/users").expect("url");
        let evil = Url::parse("https://evil.example/v1.0/users").expect("url");
        assert!(e.owns(&own));
        assert!(!e.owns(&other));
        assert!(!e.owns(&evil));
        let with_userinfo =
            Url::parse("http://evil:pw@127.0.0.1:5555/v1.0/users?$skiptoken=x").expect("url");
        assert!(!e.owns(&with_userinfo));
        let user_only = Url::parse("http://evil@127.0.0.1:5555/v1.0/users").expect("url");
        assert!(!e.owns(&user_only));
    }

    #[test]
    fn a_custom_root_owns_only_its_path() {
        let e = GraphEndpoint::new("https://proxy.example/graph").expect("valid");
        let inside =
            Url::parse("https://proxy.example/graph/v1.0/users?$skiptoken=x").expect("url");
        let beside = Url::parse("https://proxy.example/other/v1.0/users").expect("url");
        let prefix_only = Url::parse("https://proxy.example/graphx/v1.0/users").expect("url");
        assert!(e.owns(&inside));
        assert!(!e.owns(&beside));
        assert!(!e.owns(&prefix_only));
    }
}
