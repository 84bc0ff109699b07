//! The tenant's people as the app holds them: read page by page in the background on first
//! use, queried a screenful at a time (the webview never receives the whole list), and kept up
//! to date after each change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use graph::GraphClient;
use licensing::{Sku, User, UsersPage, UsersQuery, users_page};
use serde::Serialize;
use tokio::sync::Notify;
use ts_rs::TS;

use crate::error::CommandError;

/// The directory of one connection (one tenant, one sign-in).
#[derive(Default)]
pub struct Directory {
    users: RwLock<Vec<User>>,
    skus: RwLock<Vec<Sku>>,
    started: AtomicBool,
    loading: AtomicBool,
    failed: RwLock<Option<CommandError>>,
    /// Wakes whoever waits for the first page.
    first_page: Notify,
    group_names: RwLock<HashMap<String, String>>,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Directory {
    /// Starts reading the directory (once); returns when the first page is in or the
    /// reading has ended.
    pub async fn ensure_started(
        self: &Arc<Self>,
        client: &GraphClient,
    ) -> Result<(), CommandError> {
        if !self.started.swap(true, Ordering::SeqCst) {
            self.loading.store(true, Ordering::SeqCst);
            let me = self.clone();
            let client = client.clone();
            let waiting = self.first_page.notified();
            tokio::spawn(async move { me.load(client).await });
            waiting.await;
        }
        match read(&self.failed).clone() {
            Some(e) if read(&self.users).is_empty() => Err(e),
            _ => Ok(()),
        }
    }

    async fn load(&self, client: GraphClient) {
        match client.subscribed_skus().await {
            Ok(skus) => *write(&self.skus) = skus.iter().map(|s| s.to_domain()).collect(),
            Err(e) => {
                *write(&self.failed) = Some(e.into());
                self.loading.store(false, Ordering::SeqCst);
                self.first_page.notify_waiters();
                return;
            }
        }
        let mut first = true;
        let result = client
            .users_by_page(|page| {
                write(&self.users).extend(page.iter().map(|u| u.to_domain()));
                if first {
                    first = false;
                    self.first_page.notify_waiters();
                }
            })
            .await;
        match result {
            Ok(count) => tracing::info!(people = count, "directory read"),
            Err(e) => {
                tracing::warn!("reading the directory stopped: {e}");
                *write(&self.failed) = Some(e.into());
            }
        }
        self.loading.store(false, Ordering::SeqCst);
        self.first_page.notify_waiters();
    }

    /// Waits until everyone has been read: a file's names are checked against the whole
    /// directory, so a half-read one would call real people unknown.
    pub async fn ensure_complete(
        self: &Arc<Self>,
        client: &GraphClient,
    ) -> Result<(), CommandError> {
        self.ensure_started(client).await?;
        loop {
            // Registered before the check: the reader's last notify cannot slip between.
            let woken = self.first_page.notified();
            if !self.loading.load(Ordering::SeqCst) {
                break;
            }
            woken.await;
        }
        match read(&self.failed).clone() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Runs `f` over everyone read so far, without copying them.
    pub fn with_people<T>(&self, f: impl FnOnce(&[User]) -> T) -> T {
        f(&read(&self.users))
    }

    pub fn skus(&self) -> Vec<Sku> {
        read(&self.skus).clone()
    }

    pub fn page(&self, query: &UsersQuery, offset: u32, limit: u32) -> UsersPage {
        tracing::debug!(
            offset,
            limit,
            loading = self.loading.load(Ordering::SeqCst),
            "users page"
        );
        let users = read(&self.users);
        users_page(
            &users,
            query,
            offset,
            limit,
            &read(&self.skus),
            &crate::product_names::current(),
            self.loading.load(Ordering::SeqCst),
        )
    }

    /// The ids of everyone `query` matches ("select all 1,204 matching").
    pub fn matching_ids(&self, query: &UsersQuery) -> Vec<String> {
        read(&self.users)
            .iter()
            .filter(|u| licensing::matches(u, query))
            .map(|u| u.id.clone())
            .collect()
    }

    /// The people with these ids, in the order given (unknown ids are left out).
    pub fn people(&self, ids: &[String]) -> Vec<User> {
        let users = read(&self.users);
        let index: HashMap<&str, &User> = users.iter().map(|u| (u.id.as_str(), u)).collect();
        ids.iter()
            .filter_map(|id| index.get(id.as_str()).map(|u| (*u).clone()))
            .collect()
    }

    /// Puts a person as just read from Graph in place of the one held.
    pub fn replace(&self, user: User) {
        let mut users = write(&self.users);
        match users.iter_mut().find(|u| u.id == user.id) {
            Some(held) => *held = user,
            None => users.push(user),
        }
    }

    /// The plans as just read again (after a change, the seats moved).
    pub fn set_skus(&self, skus: Vec<Sku>) {
        *write(&self.skus) = skus;
    }

    pub fn group_names(&self) -> HashMap<String, String> {
        read(&self.group_names).clone()
    }

    /// Names for groups not named yet (best effort; unknown ones keep their id).
    pub async fn name_groups(
        &self,
        client: &GraphClient,
        ids: Vec<String>,
    ) -> HashMap<String, String> {
        let missing: Vec<String> = {
            let known = read(&self.group_names);
            ids.into_iter()
                .filter(|id| !known.contains_key(id))
                .collect()
        };
        if !missing.is_empty() {
            let found = client.group_names(&missing).await;
            write(&self.group_names).extend(found);
        }
        self.group_names()
    }
}

/// A country for the usage-location picker: its code; the webview names it in the UI's
/// language (Intl.DisplayNames).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Country {
    pub code: String,
    /// The English name, for searching when the webview has no name for the code.
    pub english_name: String,
}

pub fn countries() -> Vec<Country> {
    licensing::countries::all_codes()
        .into_iter()
        .map(|code| Country {
            english_name: licensing::country_name(&code, "en").unwrap_or_else(|| code.clone()),
            code,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::{AccessToken, GraphEndpoint};
    use graph_sim::{RunningSim, Scenario};

    #[tokio::test]
    async fn the_directory_loads_everyone_and_says_when_it_is_done() {
        let sim = RunningSim::start(&Scenario::demo()).await.expect("sim");
        let client = GraphClient::new(
            GraphEndpoint::new(&sim.graph_endpoint()).expect("endpoint"),
            AccessToken::new(sim.access_token()),
        )
        .expect("client");
        let directory = Arc::new(Directory::default());
        directory.ensure_started(&client).await.expect("first page");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let page = directory.page(&UsersQuery::default(), 0, 50);
            if !page.loading {
                assert_eq!(page.total as usize, sim.tenant().users.len());
                assert_eq!(page.rows.len(), 50);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "still loading");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}
