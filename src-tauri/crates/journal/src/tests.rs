use std::collections::HashMap;

use licensing::{LicenseAssignment, PlanToAdd};

use super::*;

const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";

fn user(n: u32, licenses: &[&str], location: Option<&str>) -> User {
    User {
        id: format!("id{n}"),
        user_principal_name: format!("p{n}@contoso.com"),
        display_name: format!("Person {n}"),
        department: None,
        usage_location: location.map(str::to_owned),
        account_enabled: true,
        assignments: licenses
            .iter()
            .map(|s| LicenseAssignment {
                sku_id: (*s).into(),
                disabled_plans: vec!["B-PLAN".into(), "a-plan".into()],
                assigned_by_group: None,
                error: None,
            })
            .collect(),
    }
}

fn outcome(u: &User, action: Action, add: &[&str], remove: &[&str]) -> PersonOutcome {
    PersonOutcome {
        user_id: u.id.clone(),
        user_principal_name: u.user_principal_name.clone(),
        display_name: u.display_name.clone(),
        action,
        set_usage_location: None,
        add: add
            .iter()
            .map(|s| PlanToAdd {
                sku_id: (*s).into(),
                disabled_plans: vec![],
            })
            .collect(),
        remove: remove.iter().map(|s| s.to_string()).collect(),
        reason: None,
        join_groups: vec![],
        leave_groups: vec![],
    }
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("journal-test-{}-{}", std::process::id(), new_id()));
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn begin(journal: &Journal, people: &[User], plan: &Plan) -> String {
    journal
        .begin(&NewRun {
            tenant_id: "t1",
            tenant_name: "Contoso",
            started_by: "admin@contoso.com",
            source: "cli",
            title: &licensing::RunTitle::Words {
                text: "Give Microsoft 365 E3".into(),
            },
            undoes: None,
            plan,
            plan_names: &HashMap::from([(E3.to_string(), "Microsoft 365 E3".to_string())]),
            people,
        })
        .expect("begin")
}

#[test]
fn a_run_is_written_before_sending_and_followed_to_its_end() {
    let d = dir();
    let journal = Journal::open(&d.join("journal.sqlite")).expect("open");
    let people = [user(1, &[], Some("NL")), user(2, &[E5], Some("DE"))];
    let mut blocked = outcome(&people[1], Action::Blocked, &[], &[]);
    blocked.reason = Some(licensing::Reason::NoUsageLocation);
    let plan = Plan {
        people: vec![outcome(&people[0], Action::Add, &[E3], &[]), blocked],
        seats: vec![],
    };
    let id = begin(&journal, &people, &plan);
    let lock = journal.lock(&id).expect("lock");
    assert!(matches!(journal.lock(&id), Err(JournalError::Busy(_))));
    let s = journal.summary(&id).expect("summary");
    assert_eq!((s.state, s.total, s.open), (RunState::Running, 2, 1));

    journal.mark_sent(&id, &[0]).expect("sent");
    assert_eq!(
        journal.detail(&id).expect("detail").changes[0].status,
        ChangeStatus::Sent
    );
    // The process dies here: nobody holds the lock, the run is interrupted.
    drop(lock);
    assert_eq!(
        journal.summary(&id).expect("summary").state,
        RunState::Interrupted
    );
    assert_eq!(journal.interrupted("t1").expect("list").len(), 1);
    assert!(journal.interrupted("other").expect("list").is_empty());

    let _lock = journal.lock(&id).expect("lock again");
    journal
        .record(
            &id,
            &[Outcome {
                seq: 0,
                status: ChangeStatus::Done,
                error: None,
                error_code: None,
            }],
        )
        .expect("record");
    journal.finish(&id, false).expect("finish");
    let detail = journal.detail(&id).expect("detail");
    assert_eq!(detail.summary.state, RunState::Finished);
    assert_eq!((detail.summary.done, detail.summary.open), (1, 0));
    assert_eq!(detail.changes[1].status, ChangeStatus::Skipped);
    assert_eq!(detail.changes[1].before.direct[0].sku_id, E5);
    assert_eq!(
        detail.changes[1].before.direct[0].disabled_plans,
        ["a-plan", "b-plan"]
    );
    assert_eq!(detail.plan_names[E3], "Microsoft 365 E3");
    assert_eq!(journal.find(&id[..4]).expect("by prefix"), id);

    // Opened again (another process, a restart): everything is still there.
    drop(journal);
    let again = Journal::open(&d.join("journal.sqlite")).expect("reopen");
    assert_eq!(again.runs().expect("runs")[0].id, id);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_foreign_or_truncated_file_is_refused_and_left_as_it_was() {
    let d = dir();
    // Someone else's SQLite database.
    let other = d.join("other.sqlite");
    {
        let c = Connection::open(&other).expect("sqlite");
        c.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
            .expect("write");
    }
    let before = std::fs::read(&other).expect("read");
    assert!(matches!(
        Journal::open(&other),
        Err(JournalError::Foreign { .. })
    ));
    assert_eq!(std::fs::read(&other).expect("read"), before);

    // A text file.
    let text = d.join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, just some words\n".repeat(200),
    )
    .expect("w");
    let before = std::fs::read(&text).expect("read");
    let e = Journal::open(&text).err().expect("refused");
    assert!(e.to_string().contains("left it as it is"), "{e}");
    assert_eq!(std::fs::read(&text).expect("read"), before);

    // A journal cut in half (a copy that stopped, a full disk).
    let good = d.join("journal.sqlite");
    {
        let journal = Journal::open(&good).expect("open");
        let people: Vec<User> = (0..300).map(|n| user(n, &[], Some("NL"))).collect();
        let plan = Plan {
            people: people
                .iter()
                .map(|u| outcome(u, Action::Add, &[E3], &[]))
                .collect(),
            seats: vec![],
        };
        begin(&journal, &people, &plan);
        let conn = journal.conn();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("checkpoint");
    }
    let _ = std::fs::remove_file(good.with_extension("sqlite-wal"));
    let _ = std::fs::remove_file(good.with_extension("sqlite-shm"));
    let whole = std::fs::read(&good).expect("read");
    let cut = d.join("cut.sqlite");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    let e = Journal::open(&cut)
        .and_then(|j| j.runs().map(|_| j))
        .err()
        .expect("refused");
    assert!(
        matches!(
            e,
            JournalError::Damaged { .. } | JournalError::Foreign { .. }
        ),
        "{e}"
    );
    assert_eq!(
        std::fs::read(&cut).expect("read"),
        &whole[..whole.len() / 2],
        "never overwritten"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_state_after_a_change_is_worked_out_from_the_state_before() {
    let u = user(1, &[E5], None);
    let before = Licensing::of(&u);
    let mut swap = outcome(&u, Action::Swap, &[E3], &[E5]);
    swap.set_usage_location = Some("NL".into());
    let after = before.after(&swap);
    assert_eq!(after.usage_location.as_deref(), Some("NL"));
    assert_eq!(after.direct.len(), 1);
    assert_eq!(after.direct[0].sku_id, E3);
    assert!(!after.same_licenses(&before));
    // Nothing to do leaves everything as it was.
    assert_eq!(before.after(&outcome(&u, Action::None, &[], &[])), before);
}

#[test]
fn reports_in_csv_and_excel_in_the_ui_language_with_formulas_made_text() {
    use calamine::{Reader, Xlsx};
    let d = dir();
    let journal = Journal::open(&d.join("journal.sqlite")).expect("open");
    let mut people = [user(1, &[], Some("NL")), user(2, &[], Some("NL"))];
    people[0].display_name = "=HYPERLINK(\"http://x\")".into();
    let plan = Plan {
        people: people
            .iter()
            .map(|u| outcome(u, Action::Add, &[E3], &[]))
            .collect(),
        seats: vec![],
    };
    let id = begin(&journal, &people, &plan);
    journal
        .record(
            &id,
            &[
                Outcome {
                    seq: 0,
                    status: ChangeStatus::Done,
                    error: None,
                    error_code: None,
                },
                Outcome {
                    seq: 1,
                    status: ChangeStatus::Failed,
                    error: Some("No free seat".into()),
                    error_code: Some("noFreeSeat".into()),
                },
            ],
        )
        .expect("record");
    let detail = journal.detail(&id).expect("detail");

    let csv = String::from_utf8(
        report::to_csv(&detail, &report::Labels::for_language("nl-NL")).expect("csv"),
    )
    .expect("utf-8");
    // What run, when, by whom and its state; then the table, `;` between fields (Dutch
    // Excel), every field quoted, the screen's words.
    assert!(csv.starts_with("\u{feff}\"Run\";\""), "{csv}");
    assert!(csv.contains("\"Door\";\"admin@contoso.com\""), "{csv}");
    assert!(
        csv.contains("\"Status\";\"Bezig\"") || csv.contains("\"Status\";\"Onderbroken\""),
        "{csv}"
    );
    assert!(
        csv.contains("\"Naam\";\"Gebruikersnaam (UPN)\";\"Wijziging\""),
        "{csv}"
    );
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(csv.contains("\"Microsoft 365 E3\";\"\";\"Klaar\""), "{csv}");
    assert!(csv.contains("\"Mislukt\";\"No free seat\""), "{csv}");
    // Read back as Excel would with `;`: every data line has the header's nine fields.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let header = records
        .iter()
        .position(|r| r.get(0) == Some("Naam"))
        .expect("header");
    assert!(records[header..].iter().all(|r| r.len() == 9));
    assert_eq!(records.len() - header - 1, 2);

    let en = String::from_utf8(
        report::to_csv(&detail, &report::Labels::for_language("en")).expect("csv"),
    )
    .expect("utf-8");
    assert!(
        en.contains("\"Give\",\"\",\"Microsoft 365 E3\",\"\",\"Done\""),
        "{en}"
    );

    let bytes = report::to_xlsx(&detail, &report::Labels::for_language("en")).expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("Result").expect("the sheet");
    let cell = |r: u32, c: u32| {
        sheet
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(0, 0), "Run");
    assert_eq!(cell(2, 1), "admin@contoso.com");
    assert_eq!(cell(6, 0), "Name");
    assert_eq!(cell(7, 0), "'=HYPERLINK(\"http://x\")");
    assert_eq!(cell(7, 6), "Done");
    assert_eq!(cell(8, 6), "Failed");
    assert_eq!(cell(8, 8), id);

    // An undone run says so.
    journal.finish(&id, false).expect("finish");
    let undo = journal
        .begin(&NewRun {
            tenant_id: "t1",
            tenant_name: "Contoso",
            started_by: "admin@contoso.com",
            source: "cli",
            title: &licensing::RunTitle::Words {
                text: "Undo".into(),
            },
            undoes: Some(&id),
            plan: &Plan {
                people: vec![outcome(&people[0], Action::Remove, &[], &[E3])],
                seats: vec![],
            },
            plan_names: &HashMap::new(),
            people: &people,
        })
        .expect("undo");
    journal
        .record(
            &undo,
            &[Outcome {
                seq: 0,
                status: ChangeStatus::Done,
                error: None,
                error_code: None,
            }],
        )
        .expect("record");
    journal.finish(&undo, false).expect("finish");
    let detail = journal.detail(&id).expect("detail");
    let en = String::from_utf8(
        report::to_csv(&detail, &report::Labels::for_language("en")).expect("csv"),
    )
    .expect("utf-8");
    assert!(en.contains("\"State\",\"Undone\""), "{en}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn several_programs_open_and_write_the_same_new_journal_at_once() {
    let d = dir();
    let path = d.join("journal.sqlite");
    let people = [user(1, &[], Some("NL"))];
    let plan = Plan {
        people: vec![outcome(&people[0], Action::Add, &[E3], &[])],
        seats: vec![],
    };
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            let people = people.clone();
            let plan = plan.clone();
            std::thread::spawn(move || {
                let journal = Journal::open(&path).map_err(|e| e.to_string())?;
                let id = begin(&journal, &people, &plan);
                journal.mark_sent(&id, &[0]).map_err(|e| e.to_string())?;
                journal.finish(&id, false).map_err(|e| e.to_string())
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread").expect("opened and written");
    }
    assert_eq!(
        Journal::open(&path)
            .expect("open")
            .runs()
            .expect("runs")
            .len(),
        8
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[cfg(unix)]
#[test]
fn the_journal_is_private_never_follows_a_link_and_never_adopts_a_planted_empty_file() {
    use std::os::unix::fs::PermissionsExt;
    let base = dir();
    let folder = base.join("data");
    let path = folder.join("journal.sqlite");
    let journal = Journal::open(&path).expect("open");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700, "the folder");
    assert_eq!(mode(&path), 0o600, "the journal");
    let id = begin(&journal, &[], &Plan::default());
    let lock = journal.lock(&id).expect("lock");
    let lock_file = std::fs::read_dir(&folder)
        .expect("dir")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".lock"))
        .expect("a lock file")
        .path();
    assert_eq!(mode(&lock_file), 0o600, "the lock file");
    drop(lock);
    drop(journal);

    // A link in the journal's place, to a file of the person's: refused, the file untouched.
    let victim = base.join("victim.txt");
    std::fs::write(&victim, b"precious").expect("write");
    let link = base.join("linked.sqlite");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    assert!(matches!(
        Journal::open(&link),
        Err(JournalError::Foreign { .. })
    ));
    assert_eq!(std::fs::read(&victim).expect("read"), b"precious");

    // An empty file left for us by someone (readable by others): not adopted.
    let planted = base.join("planted.sqlite");
    std::fs::write(&planted, b"").expect("write");
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    assert!(matches!(
        Journal::open(&planted),
        Err(JournalError::Foreign { .. })
    ));
    assert_eq!(std::fs::metadata(&planted).expect("meta").len(), 0);
}

#[test]
fn an_undo_that_changed_nobody_does_not_mark_the_run_undone() {
    let journal = Journal::open(&dir().join("journal.sqlite")).expect("open");
    let people: Vec<User> = (0..2).map(|n| user(n, &[], Some("NL"))).collect();
    let plan = Plan {
        people: people
            .iter()
            .map(|u| outcome(u, Action::Add, &[E3], &[]))
            .collect(),
        seats: vec![],
    };
    let run = begin(&journal, &people, &plan);
    journal.finish(&run, false).expect("finish");
    let undo = |changes: &Plan| {
        journal
            .begin(&NewRun {
                tenant_id: "t1",
                tenant_name: "Contoso",
                started_by: "admin@contoso.com",
                source: "cli",
                title: &licensing::RunTitle::Words {
                    text: "Undo".into(),
                },
                undoes: Some(&run),
                plan: changes,
                plan_names: &HashMap::new(),
                people: &people,
            })
            .expect("begin")
    };
    // Every change failed (someone else changed the people): nothing was reversed.
    let failed = undo(&plan);
    journal
        .record(
            &failed,
            &[0, 1].map(|seq| Outcome {
                seq,
                status: ChangeStatus::Failed,
                error: Some("no".into()),
                error_code: None,
            }),
        )
        .expect("record");
    journal.finish(&failed, false).expect("finish");
    assert_eq!(
        journal.summary(&run).expect("run").state,
        RunState::Finished
    );

    // A real undo later reverses one: now the run is undone.
    let real = undo(&plan);
    journal
        .record(
            &real,
            &[Outcome {
                seq: 0,
                status: ChangeStatus::Done,
                error: None,
                error_code: None,
            }],
        )
        .expect("record");
    journal.finish(&real, false).expect("finish");
    assert_eq!(journal.summary(&run).expect("run").state, RunState::Undone);
}

/// A run keeps its title as facts for the window to word, with its English words beside; a
/// journal written before titles (version 1) is upgraded in place and its runs keep their words.
#[test]
fn titles_are_kept_as_facts_and_old_journals_are_upgraded() {
    let d = dir();
    let path = d.join("journal.sqlite");
    {
        // A version 1 journal as LicenseDesk 0.x wrote it: no title column.
        let conn = Connection::open(&path).expect("v1");
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID};
             PRAGMA user_version = 1;
             CREATE TABLE runs (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, tenant_name TEXT NOT NULL,
                 started_by TEXT NOT NULL, source TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
                 what TEXT NOT NULL, undoes TEXT, undone_by TEXT, state TEXT NOT NULL, seats TEXT NOT NULL,
                 plan_names TEXT NOT NULL);
             CREATE TABLE changes (run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
                 user_id TEXT NOT NULL, outcome TEXT NOT NULL, before TEXT NOT NULL, status TEXT NOT NULL,
                 error TEXT, error_code TEXT, PRIMARY KEY (run_id, seq));
             INSERT INTO runs VALUES ('old1', 't1', 'Contoso', 'me', 'cli', '2026-01-01T00:00:00Z',
                 '2026-01-01T00:00:01Z', 'Give Microsoft 365 E3 — 2 people', NULL, NULL, 'finished', '[]', '{{}}');"
        ))
        .expect("v1 tables");
    }
    let journal = Journal::open(&path).expect("upgraded");
    let old = journal.summary("old1").expect("old run");
    assert_eq!(
        old.title,
        licensing::RunTitle::Words {
            text: "Give Microsoft 365 E3 — 2 people".into()
        }
    );
    let title = licensing::RunTitle::Undo {
        of: Box::new(licensing::RunTitle::Change {
            give: vec!["Microsoft 365 E3".into()],
            take: vec![],
            apps: vec![],
            location: Some("NL".into()),
            people: 2,
        }),
    };
    let people = [user(1, &[], Some("NL"))];
    let plan = Plan {
        people: vec![outcome(&people[0], Action::Add, &[E3], &[])],
        seats: vec![],
    };
    let id = journal
        .begin(&NewRun {
            tenant_id: "t1",
            tenant_name: "Contoso",
            started_by: "me",
            source: "app",
            title: &title,
            undoes: Some("old1"),
            plan: &plan,
            plan_names: &HashMap::new(),
            people: &people,
        })
        .expect("begin");
    let s = journal.summary(&id).expect("summary");
    assert_eq!(s.title, title);
    assert_eq!(
        s.what,
        "Undo: Give Microsoft 365 E3 (usage location NL) — 2 people"
    );
    drop(journal);
    let version: i64 = Connection::open(&path)
        .expect("reopen")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
}
