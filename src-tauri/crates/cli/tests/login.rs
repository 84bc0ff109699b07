//! `login`, `whoami`, `logout` against `sim serve`, as a script would run them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const CLIENT: &str = "0f5b2a3c-1111-4e22-9c33-44d5e6f7a8b9";

struct Server {
    child: Child,
    endpoint: String,
    hello: Value,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ld-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn serve(dir: &Path) -> Server {
    serve_with(dir, &[])
}

fn serve_with(dir: &Path, extra: &[&str]) -> Server {
    let scenario = dir.join("scenario.json");
    std::fs::write(
        &scenario,
        r#"{"name":"login-test","tenant":{"displayName":"Contoso","domain":"contoso.onmicrosoft.com","tenantId":"4d3c2b1a-0f9e-4d8c-b7a6-5e4f3a2b1c0d","seed":1,"users":50},"identity":{"deviceCodeIntervalSecs":1}}"#,
    )
    .expect("scenario");
    let mut child = Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"))
        .args(["sim", "serve", "--scenario"])
        .arg(&scenario)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("hello line");
    let hello: Value = serde_json::from_str(&line).expect("json");
    Server {
        child,
        endpoint: hello["graphEndpoint"]
            .as_str()
            .expect("endpoint")
            .to_string(),
        hello,
    }
}

fn cli(config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"));
    c.env("LICENSEDESK_CONFIG_DIR", config);
    c
}

/// Runs `login --device-code`, approving the code the CLI prints on stderr.
fn device_login(server: &Server, config: &Path, extra_env: &[(&str, &str)]) -> (bool, String) {
    device_login_to(server, config, "organizations", CLIENT, &[], extra_env)
}

/// `login --device-code` to `tenant` with the app registration `client`, approving the code.
fn device_login_to(
    server: &Server,
    config: &Path,
    tenant: &str,
    client: &str,
    extra_args: &[&str],
    extra_env: &[(&str, &str)],
) -> (bool, String) {
    let mut login = cli(config);
    login
        .args([
            "login",
            "--tenant",
            tenant,
            "--client-id",
            client,
            "--device-code",
            "--authority-host",
            &server.endpoint,
            "--graph-endpoint",
            &server.endpoint,
        ])
        .args(extra_args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        login.env(k, v);
    }
    let mut child = login.spawn().expect("login runs");
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    // With LICENSEDESK_LOG set, log lines come first; the prompt is the line with the code.
    let mut before = String::new();
    let first = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).expect("stderr") > 0,
            "no prompt: {before}"
        );
        if line.contains("enter the code") {
            break line;
        }
        before.push_str(&line);
    };
    let code = first.trim().rsplit(' ').next().expect("code").to_string();
    assert!(first.contains("/devicelogin"), "{first}");
    let approved = reqwest::blocking_post(
        &format!("{}/_sim/devicecode/{code}/approve", server.endpoint),
        server.hello["caCertificatePem"].as_str(),
    );
    assert_eq!(approved, 204, "approved {code}");
    let mut rest = String::new();
    for line in reader.lines() {
        rest.push_str(&line.expect("line"));
        rest.push('\n');
    }
    let status = child.wait().expect("exit");
    (status.success(), format!("{before}{first}{rest}"))
}

/// A tiny blocking POST without pulling a blocking HTTP client into the tests.
mod reqwest {
    pub fn blocking_post(url: &str, ca_pem: Option<&str>) -> u16 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut client = ::reqwest::Client::builder();
        if let Some(pem) = ca_pem {
            client = client.add_root_certificate(
                ::reqwest::Certificate::from_pem(pem.as_bytes()).expect("pem"),
            );
        }
        let client = client.build().expect("client");
        rt.block_on(async {
            client
                .post(url)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
    }
}

/// No access token (the emulator's are JWTs: "eyJ…") and no refresh token ("rt." and 64 hex
/// digits) in `text`.
fn assert_no_token(text: &str) {
    let refresh = text.match_indices("rt.").any(|(at, _)| {
        let rest = &text[at + 3..];
        rest.len() >= 16 && rest[..16].chars().all(|c| c.is_ascii_hexdigit())
    });
    assert!(!text.contains("eyJ") && !refresh, "a token in: {text}");
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring under dbus-run-session): run by `make test`"]
fn login_whoami_use_and_logout_with_the_keychain() {
    let dir = temp_dir("login");
    let config = dir.join("config");
    let server = serve(&dir);
    // Everything logged, at the most detailed level, and still no token in it.
    let (ok, said) = device_login(&server, &config, &[("LICENSEDESK_LOG", "trace")]);
    assert!(ok, "{said}");
    assert!(said.contains("Signed in as megan.bowen@"), "{said}");
    assert!(said.lines().count() > 20, "trace logging was on: {said}");
    assert_no_token(&said);

    let who = whoami_json(&config);
    assert_eq!(who["tenantId"], "4d3c2b1a-0f9e-4d8c-b7a6-5e4f3a2b1c0d");
    assert!(
        who["userPrincipalName"]
            .as_str()
            .is_some_and(|u| u.starts_with("megan.bowen@"))
    );
    let scopes: Vec<&str> = who["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        scopes.contains(&"LicenseAssignment.ReadWrite.All")
            && !scopes.contains(&"User.ReadWrite.All")
    );

    // Later commands use the saved session.
    let skus = json_of(&config, &["skus", "--json"]);
    assert_eq!(skus.as_array().map(Vec::len), Some(14));

    // No token on disk: only the non-secret profile is there.
    let files = files_under(&config);
    assert_eq!(files.len(), 1, "{files:?}");
    for f in files {
        assert_no_token(&std::fs::read_to_string(&f).expect("text"));
    }

    let out = cli(&config).arg("logout").output().expect("logout");
    assert!(out.status.success());
    let out = cli(&config).args(["whoami"]).output().expect("whoami");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not signed in"));
}

#[test]
fn without_a_keychain_the_session_stays_in_memory_and_nothing_is_written() {
    let dir = temp_dir("nokeychain");
    let config = dir.join("config");
    let server = serve(&dir);
    // No D-Bus session bus: the Secret Service cannot answer.
    let (ok, said) = device_login(
        &server,
        &config,
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/licensedesk-test",
        )],
    );
    assert!(ok, "{said}");
    assert!(said.contains("No keychain is available"), "{said}");
    assert!(files_under(&config).is_empty(), "nothing written to disk");
    let out = cli(&config).args(["whoami"]).output().expect("whoami");
    assert_eq!(out.status.code(), Some(2));
}

/// `sim serve --tls` with a client certificate written to `dir/app.pfx`, and its authority's
/// PEM in `dir/ca.pem`.
fn serve_tls(dir: &Path) -> Server {
    let pfx = dir.join("app.pfx");
    let server = serve_with(
        dir,
        &[
            "--tls",
            "--client-certificate-out",
            pfx.to_str().expect("utf-8 path"),
        ],
    );
    assert!(server.endpoint.starts_with("https://127.0.0.1:"));
    std::fs::write(
        dir.join("ca.pem"),
        server.hello["caCertificatePem"].as_str().expect("pem"),
    )
    .expect("ca.pem");
    server
}

fn hello(server: &Server, key: &str) -> String {
    server.hello[key].as_str().expect(key).to_string()
}

/// `login` as the emulator's confidential client, trusting nothing beyond the system's roots.
fn app_login_command(server: &Server, dir: &Path, config: &Path) -> Command {
    let mut c = cli(config);
    c.current_dir(dir)
        .args([
            "login",
            "--tenant",
            "contoso.onmicrosoft.com",
            "--client-id",
        ])
        .arg(hello(server, "confidentialClientId"))
        .args([
            "--authority-host",
            &server.endpoint,
            "--graph-endpoint",
            &server.endpoint,
        ]);
    c
}

/// `login` as the emulator's confidential client, trusting the run's authority (`ca.pem`).
fn app_login(
    server: &Server,
    dir: &Path,
    config: &Path,
    how: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut c = app_login_command(server, dir, config);
    c.args(["--ca-certificate", "ca.pem"]).args(how);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("login runs")
}

/// Runs a command that must succeed and print JSON.
fn json_of(config: &Path, args: &[&str]) -> Value {
    let out = cli(config).args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn whoami_json(config: &Path) -> Value {
    json_of(config, &["whoami", "--json"])
}

#[test]
#[ignore = "needs a Secret Service (gnome-keyring under dbus-run-session): run by `make test`"]
fn app_only_with_a_secret_and_with_a_certificate_over_tls() {
    let dir = temp_dir("apponly");
    let config = dir.join("config");
    let server = serve_tls(&dir);
    let secret = hello(&server, "clientSecret");
    let client_id = hello(&server, "confidentialClientId");

    let out = app_login(
        &server,
        &dir,
        &config,
        &["--client-secret-env", "APP_SECRET"],
        &[("APP_SECRET", &secret), ("LICENSEDESK_LOG", "trace")],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Signed in as the app"), "{said}");
    assert_no_token(&said);
    assert!(!said.contains(&secret), "the client secret in the log");
    let who = whoami_json(&config);
    assert_eq!(who["signInKind"], "app");
    assert_eq!(who["appId"], client_id.as_str());
    assert_eq!(who["tenantId"], "4d3c2b1a-0f9e-4d8c-b7a6-5e4f3a2b1c0d");
    assert!(who["userPrincipalName"].is_null());
    assert!(
        who["scopes"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "LicenseAssignment.ReadWrite.All"))
    );

    // Later commands, from another folder, sign the app in again from the keychain and trust
    // the authority saved at login: the certificate itself, so replacing the file given at
    // login changes nothing (before, its path was saved and whatever was there was trusted).
    std::fs::write(dir.join("ca.pem"), "not a certificate any more").expect("overwrite");
    let skus = json_of(&config, &["skus", "--json"]);
    assert_eq!(skus.as_array().map(Vec::len), Some(14));
    let profile = std::fs::read_to_string(config.join("cli-session.json")).expect("profile");
    assert!(profile.contains("BEGIN CERTIFICATE"), "{profile}");
    std::fs::write(
        dir.join("ca.pem"),
        server.hello["caCertificatePem"].as_str().expect("pem"),
    )
    .expect("restore");

    // The secret is in the keychain, not on disk.
    for f in files_under(&config) {
        let text = std::fs::read_to_string(&f).expect("text");
        assert!(!text.contains(&secret), "the secret in {}", f.display());
    }

    // A certificate instead: its password goes to the keychain, the file stays where it is.
    let out = app_login(
        &server,
        &dir,
        &config,
        &[
            "--certificate",
            "app.pfx",
            "--certificate-password-env",
            "PFX_PASSWORD",
        ],
        &[("PFX_PASSWORD", &hello(&server, "clientCertificatePassword"))],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(whoami_json(&config)["appId"], client_id.as_str());
    let users = json_of(&config, &["users", "--json"]);
    assert!(users.as_array().is_some_and(|u| !u.is_empty()));
    let profile = std::fs::read_to_string(config.join("cli-session.json")).expect("profile");
    assert!(
        profile.contains("app.pfx") && !profile.contains("graph-sim\""),
        "{profile}"
    );

    let out = cli(&config).arg("logout").output().expect("logout");
    assert!(out.status.success());
    let out = cli(&config).args(["skus"]).output().expect("skus");
    assert_eq!(out.status.code(), Some(2), "signed out");
}

#[test]
fn app_only_refusals_say_what_to_fix() {
    let dir = temp_dir("apponly-refused");
    let config = dir.join("config");
    let server = serve_tls(&dir);
    let no_keychain = (
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/licensedesk-test",
    );

    let out = app_login(
        &server,
        &dir,
        &config,
        &["--client-secret-env", "APP_SECRET"],
        &[("APP_SECRET", "wrong"), no_keychain],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("client secret is wrong"));

    let out = app_login(
        &server,
        &dir,
        &config,
        &["--client-secret-env", "UNSET_VAR_FOR_TEST"],
        &[no_keychain],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing variable is a usage error"
    );

    // Without --ca-certificate the emulator's certificate is not trusted.
    let out = app_login_command(&server, &dir, &config)
        .args(["--client-secret-env", "APP_SECRET"])
        .env("APP_SECRET", hello(&server, "clientSecret"))
        .env(no_keychain.0, no_keychain.1)
        .output()
        .expect("login");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ca-certificate"));

    // The right secret but no keychain: signed in for this command only, nothing written.
    let out = app_login(
        &server,
        &dir,
        &config,
        &["--client-secret-env", "APP_SECRET"],
        &[("APP_SECRET", &hello(&server, "clientSecret")), no_keychain],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("No keychain is available"));
    assert!(files_under(&config).is_empty());
}

/// The same tenant and app registration for a scheduled job (app-only, its own config folder)
/// and a person (device code): before, both used one keychain entry, so the job's login
/// replaced the person's refresh token with the client secret and the person's logout deleted
/// the job's secret.
#[test]
#[ignore = "needs a Secret Service (gnome-keyring under dbus-run-session): run by `make test`"]
fn a_person_and_a_job_on_one_app_registration_keep_separate_keychain_entries() {
    let dir = temp_dir("collide");
    let server = serve_tls(&dir);
    let client_id = hello(&server, "confidentialClientId");
    let ca = dir.join("ca.pem");
    let ca = ca.to_str().expect("utf-8 path");
    let person = dir.join("person");
    let job = dir.join("job");

    let (ok, said) = device_login_to(
        &server,
        &person,
        "contoso.onmicrosoft.com",
        &client_id,
        &["--ca-certificate", ca],
        &[],
    );
    assert!(ok, "{said}");
    let out = app_login(
        &server,
        &dir,
        &job,
        &["--client-secret-env", "APP_SECRET"],
        &[("APP_SECRET", &hello(&server, "clientSecret"))],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The person's sign-in survived the job's login, and both work.
    assert_eq!(whoami_json(&person)["signInKind"], "user");
    assert_eq!(whoami_json(&job)["signInKind"], "app");

    // The person signs out; the job's secret stays.
    let out = cli(&person).arg("logout").output().expect("logout");
    assert!(out.status.success());
    let skus = json_of(&job, &["skus", "--json"]);
    assert_eq!(skus.as_array().map(Vec::len), Some(14));
    let out = cli(&job).arg("logout").output().expect("logout");
    assert!(out.status.success());
}
