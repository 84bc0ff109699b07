//! `roles`, `roles import FILE`, `roles export FILE`, and what `--role NAME` gives: role
//! templates kept in `roles.json` in the CLI's config folder (licensing::roles).

use clap::Subcommand;
use licensing::roles::{FILE_NAME, MAX_BYTES, RoleProblem, RolesFile};
use licensing::{Sku, WantedChange};
use serde::Serialize;

use crate::CliError;
use crate::connection::Connection;
use crate::output::{print_json, print_text};
use crate::profile::config_dir;

#[derive(Subcommand, Debug)]
pub enum RolesCommand {
    /// Replace the roles with those of a roles file, checked against this tenant first: a file
    /// naming an unknown plan, app or group is refused whole and the roles stay as they were.
    Import { file: std::path::PathBuf },
    /// Write the roles to a file to share with the team.
    Export { file: std::path::PathBuf },
}

fn path() -> Result<std::path::PathBuf, CliError> {
    Ok(config_dir()?.join(FILE_NAME))
}

/// A roles file read whole (bounded, UTF-8, strict); `None` when there is none.
fn read_if_any(path: &std::path::Path) -> Result<Option<RolesFile>, CliError> {
    let bytes = match safe_files::read_at_most(path, MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(CliError::Usage(format!("{}: {e}", path.display()))),
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Usage(format!("{} is not UTF-8 text", path.display())))?;
    RolesFile::parse(&text, &path.display().to_string())
        .map(Some)
        .map_err(CliError::Usage)
}

/// A roles file someone names: it must be there.
fn read(path: &std::path::Path) -> Result<RolesFile, CliError> {
    read_if_any(path)?.ok_or_else(|| CliError::Usage(format!("{}: no such file", path.display())))
}

/// The roles kept; none when there is no file yet.
pub fn load() -> Result<RolesFile, CliError> {
    Ok(read_if_any(&path()?)?.unwrap_or_default())
}

fn save(file: &RolesFile) -> Result<(), CliError> {
    let path = path()?;
    if let Some(dir) = path.parent() {
        safe_files::private_dir(dir)
            .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    safe_files::write_replacing(&path, file.to_text().as_bytes())
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))
}

/// Every role's problems against the tenant: its plans and apps, and its groups among the
/// tenant's license groups.
async fn problems(
    connection: &Connection,
    file: &RolesFile,
    skus: &[Sku],
) -> Result<Vec<RoleProblem>, CliError> {
    let mut out = file.problems(skus, connection.names());
    if file.roles.iter().any(|r| !r.groups.is_empty()) {
        let groups: Vec<licensing::groups::LicenseGroup> = connection
            .client()
            .license_groups()
            .await?
            .iter()
            .map(|g| g.to_domain())
            .collect();
        out.extend(file.group_problems(&groups, "`licensedesk-cli groups`"));
    }
    Ok(out)
}

/// `roles`, `roles import FILE`, `roles export FILE`.
pub async fn roles(
    connection: &Connection,
    command: Option<&RolesCommand>,
    as_json: bool,
) -> Result<(), CliError> {
    let skus = connection.skus().await?;
    match command {
        Some(RolesCommand::Import { file }) => {
            let incoming = read(file)?;
            let wrong = problems(connection, &incoming, &skus).await?;
            if !wrong.is_empty() {
                return Err(CliError::Usage(format!(
                    "{} was not imported (the roles stay as they were):\n{}",
                    file.display(),
                    wrong
                        .iter()
                        .map(|p| format!("  {p}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )));
            }
            save(&incoming)?;
        }
        Some(RolesCommand::Export { file }) => {
            let kept = load()?;
            safe_files::write_replacing(file, kept.to_text().as_bytes())
                .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", file.display())))?;
        }
        None => {}
    }
    let kept = load()?;
    let wrong = problems(connection, &kept, &skus).await?;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Line<'a> {
        name: &'a str,
        plans: Vec<String>,
        groups: &'a [String],
        /// What to fix before the role can be used; empty when it can.
        problems: Vec<String>,
    }
    let lines: Vec<Line> = kept
        .roles
        .iter()
        .map(|r| Line {
            name: &r.name,
            plans: r
                .plans
                .iter()
                .map(|p| {
                    if p.disabled_plans.is_empty() {
                        p.sku.clone()
                    } else {
                        format!("{} without {}", p.sku, p.disabled_plans.join(", "))
                    }
                })
                .collect(),
            groups: &r.groups,
            problems: wrong
                .iter()
                .filter(|p| p.role == r.name)
                .map(|p| format!("{}: {}", p.entry, p.problem))
                .collect(),
        })
        .collect();
    if as_json {
        return print_json(&lines);
    }
    if lines.is_empty() {
        return print_text(
            "No roles yet: `licensedesk-cli roles import FILE` reads a team's roles file.\n",
        );
    }
    let mut text = String::new();
    for l in &lines {
        let gives: Vec<String> = l
            .plans
            .iter()
            .cloned()
            .chain(l.groups.iter().map(|g| format!("the group {g}")))
            .collect();
        text.push_str(&format!("{}: {}\n", l.name, gives.join(" + ")));
        for p in &l.problems {
            text.push_str(&format!("  BROKEN — {p}\n"));
        }
    }
    print_text(&text)
}

/// What giving the role NAME asks for. A broken role is refused whole (exit 2, with what to
/// fix). A role gives plans, or groups to join; one that gives both is given in two steps.
pub async fn wanted(
    connection: &Connection,
    name: &str,
    skus: &[Sku],
) -> Result<WantedChange, CliError> {
    let kept = load()?;
    let role = kept.find(name).ok_or_else(|| {
        CliError::Usage(format!(
            "no role '{name}': `licensedesk-cli roles` lists them"
        ))
    })?;
    let wrong = problems(
        connection,
        &RolesFile {
            roles: vec![role.clone()],
        },
        skus,
    )
    .await?;
    if !wrong.is_empty() {
        return Err(CliError::Usage(format!(
            "the role “{}” cannot be given as it is (nothing was changed):\n{}",
            role.name,
            wrong
                .iter()
                .map(|p| format!("  {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    let resolved = role
        .resolve(skus, connection.names())
        .map_err(|p| CliError::Usage(format!("{}", p[0])))?;
    match (resolved.add.is_empty(), resolved.groups.is_empty()) {
        (false, true) => Ok(WantedChange {
            add: resolved.add,
            ..WantedChange::default()
        }),
        (true, false) => {
            let mut join = Vec::new();
            for g in &resolved.groups {
                let group = crate::groups::find_group(connection, g).await?;
                join.push(crate::groups::group_ref(&group));
            }
            Ok(WantedChange {
                join_groups: join,
                ..WantedChange::default()
            })
        }
        _ => Err(CliError::Usage(format!(
            "the role “{}” gives plans and groups: the CLI gives them in two steps for now — the plans with `assign`, the groups with `add-to-group`",
            role.name
        ))),
    }
}
