//! Finding the licenses that look wasted, the same in the app and the CLI.
//!
//! Everyone is read page by page (with sign-in activity where Graph allows it), and each page
//! is turned into people and judged on another thread while the next page is read: a scan of
//! 100,000 people takes little more than the reading (BENCHMARKS.md, the reclaim scan).

use graph::{GraphClient, GraphError, SignInsUnavailable};
use licensing::reclaim::{Activity, Candidate, Rules, find};
use licensing::{Sku, User};

/// What a scan found.
pub struct Scan {
    /// Everyone read, with their activity: planning the removals needs their licenses.
    pub people: Vec<(User, Activity)>,
    /// One per person and license that looks wasted, for the rules given.
    pub candidates: Vec<Candidate>,
    /// Why sign-in activity could not be read (then nobody is called inactive); `None` when it
    /// was.
    pub sign_ins_unavailable: Option<SignInsUnavailable>,
}

/// Scans the tenant for `rules`. The members of `rules.excluded_groups` are read first and
/// left out too, whatever their licenses come from. `rules.sign_ins_known` is set per page
/// from what Graph answered, whatever it was.
pub async fn scan(
    client: &GraphClient,
    skus: &[Sku],
    mut rules: Rules,
) -> Result<Scan, GraphError> {
    if !rules.excluded_groups.is_empty() {
        let members = client
            .members_of(rules.excluded_groups.iter().map(String::as_str))
            .await?;
        rules.excluded_people.extend(members);
    }
    let (pages, to_judge) = std::sync::mpsc::channel::<(Vec<graph::models::User>, bool)>();
    let judge = {
        let skus = skus.to_vec();
        std::thread::spawn(move || {
            let mut people = Vec::new();
            let mut candidates = Vec::new();
            for (page, sign_ins) in to_judge {
                let rules = Rules {
                    sign_ins_known: sign_ins,
                    ..rules.clone()
                };
                let these: Vec<_> = page
                    .into_iter()
                    .map(|u| (u.to_domain(), u.activity()))
                    .collect();
                candidates.extend(find(&these, &skus, &rules));
                people.extend(these);
            }
            (people, candidates)
        })
    };
    let read = client
        .people_with_activity_by_page(|page, sign_ins| {
            // The judge only stops early by panicking, which the join below passes on.
            let _ = pages.send((page, sign_ins));
        })
        .await;
    drop(pages);
    let (people, candidates) = match judge.join() {
        Ok(judged) => judged,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let sign_ins_unavailable = read?;
    tracing::debug!(
        people = people.len(),
        candidates = candidates.len(),
        "read and judged"
    );
    Ok(Scan {
        people,
        candidates,
        sign_ins_unavailable,
    })
}
