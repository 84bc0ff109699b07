//! Role templates in the app: kept in `roles.json` in the app's data folder (the same file
//! format as the CLI's, licensing::roles), edited in Settings, imported and exported as a file
//! a team shares, and given from a person's panel (*Give a role…*). A role whose plan, app or
//! group is gone is shown broken with what to fix, and is never given half.

use std::sync::Mutex;

use licensing::roles::{FILE_NAME, MAX_BYTES, Role, RoleProblem, RolesFile};
use licensing::{RunTitle, ShortfallPolicy, WantedChange};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::runs::{PlanPreview, Request, Runs};
use crate::tenant::{Connection, TenantState};

/// Serialises reads and writes of the roles file within the app.
#[derive(Default)]
pub struct RolesStore(Mutex<()>);

impl RolesStore {
    fn read<R: Runtime>(&self, app: &AppHandle<R>) -> Result<RolesFile, CommandError> {
        let _held = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        load(app)
    }

    fn write<R: Runtime>(&self, app: &AppHandle<R>, file: &RolesFile) -> Result<(), CommandError> {
        let _held = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        save(app, file)
    }
}

/// The roles, each with what is wrong with it in this tenant (nothing: it can be given).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RolesView {
    pub roles: Vec<RoleView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RoleView {
    pub role: Role,
    /// What to fix before the role can be given; empty when it can.
    pub problems: Vec<RoleProblem>,
}

/// What a role can name in this tenant, for the editor: the plans people can be given, each
/// with its apps, and the groups that give licenses.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RoleChoices {
    pub plans: Vec<PlanChoice>,
    pub groups: Vec<GroupChoice>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanChoice {
    pub sku_id: String,
    /// What the roles file names it by (`SPE_E3`).
    pub part_number: String,
    pub name: String,
    pub apps: Vec<AppChoice>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppChoice {
    /// What the roles file names it by (`YAMMER_ENTERPRISE`).
    pub technical_name: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupChoice {
    /// What the roles file names it by: its name, or its id when another group has the same name.
    pub key: String,
    pub display_name: String,
}

fn path<R: Runtime>(app: &AppHandle<R>) -> Result<std::path::PathBuf, CommandError> {
    app.path()
        .app_data_dir()
        .map(|d| d.join(FILE_NAME))
        .map_err(|e| {
            CommandError::new(
                "kept.folder",
                "The app's data folder cannot be found.",
                Some(e.to_string()),
            )
        })
}

fn file_error(name: &str, message: String) -> CommandError {
    // The problems (English) go in the details too: the window words the code in its language.
    CommandError::new("roles.file", message.clone(), Some(message)).with("file", name)
}

/// Reads a roles file: bounded, UTF-8, strict; `None` when there is no such file.
fn read_if_any(path: &std::path::Path) -> Result<Option<RolesFile>, CommandError> {
    let name = crate::files::file_name(path);
    let bytes = match safe_files::read_at_most(path, MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(safe_files::FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => {
            return Err(file_error(
                &name,
                format!("{name} cannot be read: {e}. Nothing changed."),
            ));
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        file_error(
            &name,
            format!("{name} is not UTF-8 text, so it is not a roles file. Nothing changed."),
        )
    })?;
    RolesFile::parse(&text, &name)
        .map(Some)
        .map_err(|m| file_error(&name, m))
}

/// A roles file the person chose: it must be there.
fn read(path: &std::path::Path) -> Result<RolesFile, CommandError> {
    let name = crate::files::file_name(path);
    read_if_any(path)?.ok_or_else(|| {
        file_error(
            &name,
            format!("{name} is no longer there. Nothing changed."),
        )
    })
}

/// The roles kept; none when there is no file yet.
pub(crate) fn load<R: Runtime>(app: &AppHandle<R>) -> Result<RolesFile, CommandError> {
    Ok(read_if_any(&path(app)?)?.unwrap_or_default())
}

fn save<R: Runtime>(app: &AppHandle<R>, file: &RolesFile) -> Result<(), CommandError> {
    let path = path(app)?;
    let failed = |e: safe_files::FileError| {
        CommandError::new(
            "roles.save",
            "The roles could not be saved. Check that the disk has space and try again.",
            Some(e.to_string()),
        )
    };
    if let Some(dir) = path.parent() {
        safe_files::private_dir(dir).map_err(failed)?;
    }
    safe_files::write_replacing(&path, file.to_text().as_bytes()).map_err(failed)
}

/// What roles are checked against: the tenant's plans, and its license groups when a role
/// names any (read once, then used for the check and for giving the role alike).
struct TenantNow {
    skus: Vec<licensing::Sku>,
    groups: Vec<licensing::groups::LicenseGroup>,
}

impl TenantNow {
    async fn read(connection: &Connection, file: &RolesFile) -> Result<Self, CommandError> {
        let wants_groups = file.roles.iter().any(|r| !r.groups.is_empty());
        let (skus, groups) = tokio::try_join!(crate::groups::skus(connection), async {
            if wants_groups {
                crate::groups::license_groups(connection).await
            } else {
                Ok(Vec::new())
            }
        })?;
        Ok(Self { skus, groups })
    }

    /// Every role's problems: plans, apps, and groups among the license groups.
    fn problems(&self, file: &RolesFile) -> Vec<RoleProblem> {
        let mut out = file.problems(&self.skus, &crate::product_names::current());
        if file.roles.iter().any(|r| !r.groups.is_empty()) {
            out.extend(file.group_problems(&self.groups, "the Groups page"));
        }
        out
    }
}

/// Every role's problems in this tenant.
async fn problems(
    connection: &Connection,
    file: &RolesFile,
) -> Result<Vec<RoleProblem>, CommandError> {
    Ok(TenantNow::read(connection, file).await?.problems(file))
}

async fn view(connection: &Connection, file: RolesFile) -> Result<RolesView, CommandError> {
    let wrong = problems(connection, &file).await?;
    Ok(RolesView {
        roles: file
            .roles
            .into_iter()
            .map(|role| RoleView {
                problems: wrong
                    .iter()
                    .filter(|p| p.role == role.name)
                    .cloned()
                    .collect(),
                role,
            })
            .collect(),
    })
}

fn listed(problems: &[RoleProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("• {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plans and groups a role can name, for the editor.
#[tauri::command]
pub async fn roles_choices(state: State<'_, TenantState>) -> Result<RoleChoices, CommandError> {
    let connection = state.connection().await?;
    let (skus, groups) = tokio::try_join!(
        crate::groups::skus(&connection),
        crate::groups::license_groups(&connection)
    )?;
    let names = crate::product_names::current();
    let mut plans: Vec<PlanChoice> = skus
        .into_iter()
        .filter(|s| s.applies_to == licensing::AppliesTo::User)
        .map(|s| PlanChoice {
            name: names.display_name(&s.sku_id, &s.sku_part_number),
            apps: s
                .service_plans
                .iter()
                .map(|p| AppChoice {
                    technical_name: p.name.clone(),
                    name: licensing::app_display_name(&p.id, &p.name),
                })
                .collect(),
            sku_id: s.sku_id,
            part_number: s.sku_part_number,
        })
        .collect();
    plans.sort_by_key(|p| p.name.to_lowercase());
    let mut choices: Vec<GroupChoice> = groups
        .iter()
        .filter(|g| g.membership_rule.is_none())
        .map(|g| GroupChoice {
            key: match licensing::groups::find(&groups, &g.display_name) {
                Ok(_) => g.display_name.clone(),
                Err(_) => g.id.clone(),
            },
            display_name: g.display_name.clone(),
        })
        .collect();
    choices.sort_by_key(|g| g.display_name.to_lowercase());
    Ok(RoleChoices {
        plans,
        groups: choices,
    })
}

/// The roles, each with what to fix.
#[tauri::command]
pub async fn roles_get(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, RolesStore>,
) -> Result<RolesView, CommandError> {
    let file = store.read(&app)?;
    let connection = state.connection().await?;
    view(&connection, file).await
}

/// Saves the roles as edited in Settings. The shape is checked (names, limits); a role whose
/// plan is gone is kept and shown broken, so fixing one role never loses another.
#[tauri::command]
pub async fn roles_save(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, RolesStore>,
    roles: RolesFile,
) -> Result<RolesView, CommandError> {
    let shape = roles.shape_problems();
    if !shape.is_empty() {
        return Err(CommandError::new(
            "roles.invalid",
            format!("The roles were not saved:\n{}", listed(&shape)),
            Some(listed(&shape)),
        ));
    }
    store.write(&app, &roles)?;
    let connection = state.connection().await?;
    view(&connection, roles).await
}

/// Replaces the roles with those of a roles file, checked against this tenant first: a file
/// naming an unknown plan, app or group is refused whole and the roles stay as they were.
/// `None` when the person cancelled.
#[tauri::command]
pub async fn roles_import(
    app: AppHandle,
    state: State<'_, TenantState>,
    store: State<'_, RolesStore>,
    language: Option<String>,
) -> Result<Option<RolesView>, CommandError> {
    let filter = crate::commands::filter_name("roles", language.as_deref().unwrap_or("en"));
    let Some(path) = crate::commands::pick_with_dialog(&app, filter, &["json"]).await? else {
        return Ok(None);
    };
    let incoming = read(&path)?;
    let connection = state.connection().await?;
    let wrong = problems(&connection, &incoming).await?;
    if !wrong.is_empty() {
        let name = crate::files::file_name(&path);
        return Err(file_error(
            &name,
            format!(
                "{name} was not imported (the roles stay as they were):\n{}",
                listed(&wrong)
            ),
        ));
    }
    store.write(&app, &incoming)?;
    view(&connection, incoming).await.map(Some)
}

/// Writes the roles to a file to share with the team; the path, or `None` when cancelled.
#[tauri::command]
pub async fn roles_export(
    app: AppHandle,
    store: State<'_, RolesStore>,
    language: Option<String>,
) -> Result<Option<String>, CommandError> {
    let text = store.read(&app)?.to_text();
    let filter = crate::commands::filter_name("roles", language.as_deref().unwrap_or("en"));
    crate::commands::save_with_dialog(
        &app,
        filter,
        "json",
        "licensedesk-roles.json".into(),
        text.as_bytes(),
    )
    .await
}

/// Plans giving the role NAME to these people; the review that follows is the same as for
/// every change. A broken role is refused whole with what to fix. A role gives plans or
/// groups to join; one that gives both is refused with how to give it in two steps.
#[tauri::command]
pub async fn role_plan(
    app: AppHandle,
    state: State<'_, TenantState>,
    runs: State<'_, Runs>,
    store: State<'_, RolesStore>,
    name: String,
    user_ids: Vec<String>,
) -> Result<PlanPreview, CommandError> {
    let file = store.read(&app)?;
    let role = file.find(&name).cloned().ok_or_else(|| {
        CommandError::new(
            "roles.unknown",
            format!("There is no role “{name}” any more. Settings lists the roles."),
            None,
        )
        .with("role", &name)
    })?;
    let connection = state.connection().await?;
    let one = RolesFile {
        roles: vec![role.clone()],
    };
    let tenant = TenantNow::read(&connection, &one).await?;
    let wrong = tenant.problems(&one);
    if !wrong.is_empty() {
        return Err(CommandError::new(
            "roles.broken",
            format!(
                "The role “{}” cannot be given as it is (nothing was changed). Fix it in Settings:\n{}",
                role.name,
                listed(&wrong)
            ),
            Some(listed(&wrong)),
        )
        .with("role", &role.name));
    }
    let resolved = role
        .resolve(&tenant.skus, &crate::product_names::current())
        .map_err(|p| {
            CommandError::new("roles.broken", listed(&p), None).with("role", &role.name)
        })?;
    match (resolved.add.is_empty(), resolved.groups.is_empty()) {
        (false, true) => {
            let change = WantedChange {
                add: resolved.add,
                ..WantedChange::default()
            };
            let title = RunTitle::Role {
                name: role.name.clone(),
                people: u32::try_from(user_ids.len()).unwrap_or(u32::MAX),
            };
            let changes = user_ids.into_iter().map(|id| (id, change.clone())).collect();
            runs.plan(
                &connection,
                Request::Each { title, changes },
                ShortfallPolicy::Nobody,
            )
            .await
        }
        (true, false) => {
            let mut joining = Vec::new();
            for key in &resolved.groups {
                let group = licensing::groups::find(&tenant.groups, key).map_err(|_| {
                    CommandError::new(
                        "roles.broken",
                        format!(
                            "The role “{}” names the group “{key}”, which no longer gives licenses. Fix it in Settings.",
                            role.name
                        ),
                        None,
                    )
                    .with("role", &role.name)
                })?;
                joining.push(group.clone());
            }
            crate::groups::plan_membership(&connection, &runs, &joining, user_ids, true).await
        }
        _ => Err(CommandError::new(
            "roles.twoSteps",
            format!(
                "The role “{}” gives plans and groups together, which the app gives one at a time for now: give its plans with Give a license, then add the person to each group from the Groups page.",
                role.name
            ),
            None,
        )
        .with("role", &role.name)),
    }
}
