//! The CLI against a Graph that sends hostile text, huge errors or asks to wait: a raw HTTP
//! listener on 127.0.0.1 that answers what each test scripts, reached with --graph-endpoint
//! and --access-token-env.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Serves each connection's first request with `reply(n, target)` (n counts from 0) on a
/// thread, and counts the requests.
struct Fake {
    endpoint: String,
    requests: Arc<AtomicUsize>,
    targets: Arc<Mutex<Vec<String>>>,
}

fn fake(reply: impl Fn(usize, &str) -> Vec<u8> + Send + 'static) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let targets = Arc::new(Mutex::new(Vec::new()));
    let (count, seen) = (requests.clone(), targets.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // The rest of the head; GET requests carry no body.
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
                    break;
                }
            }
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            seen.lock().expect("targets").push(target.clone());
            let n = count.fetch_add(1, Ordering::SeqCst);
            let _ = stream.write_all(&reply(n, &target));
            let _ = stream.flush();
        }
    });
    Fake {
        endpoint,
        requests,
        targets,
    }
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

fn run(fake: &Fake, token: &str, args: &[&str]) -> Output {
    let config = std::env::temp_dir().join(format!("ld-hostile-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"))
        .env("LICENSEDESK_CONFIG_DIR", config)
        .env("HOSTILE_TOKEN", token)
        .args([
            "--graph-endpoint",
            &fake.endpoint,
            "--access-token-env",
            "HOSTILE_TOKEN",
        ])
        .args(args)
        .output()
        .expect("runs")
}

const SKU_WITH_ESCAPES: &str = r#"{"value":[{"skuId":"05e9a617-0261-4cee-bb44-138d3ef5d965","skuPartNumber":"SPE_E3\u001b]0;pwned\u0007\u001b[2J\u009b31m","appliesTo":"User","capabilityStatus":"Enabled","consumedUnits":1,"prepaidUnits":{"enabled":5,"suspended":0,"warning":0,"lockedOut":0},"servicePlans":[]}]}"#;

/// Before: an OSC title sequence and `ESC[2J` from Graph reached the terminal through `skus`.
#[test]
fn control_sequences_from_graph_never_reach_the_terminal() {
    let fake = fake(|_, _| http("200 OK", &[], SKU_WITH_ESCAPES));
    let out = run(&fake, "t", &["skus"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SPE_E3"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters printed: {text:?}"
    );
}

/// Before: a 20 MB error message was printed whole.
#[test]
fn a_huge_error_message_is_cut_on_the_terminal() {
    let message = format!("Bad thing \u{1b}[2J{}", "x".repeat(20 * 1024 * 1024));
    let body = serde_json::json!({"error": {"code": "Request_BadRequest", "message": message}})
        .to_string();
    let fake = fake(move |_, _| http("400 Bad Request", &[], &body));
    let out = run(&fake, "t", &["skus"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.len() < 10_000, "{} bytes on stderr", said.len());
    assert!(said.contains("Bad thing"), "{said}");
    assert!(said.contains("more characters"), "{said}");
    assert!(!said.contains('\u{1b}'));
}

/// Before: a token with a line break failed every request as "could not reach Microsoft
/// Graph", retried, exit 1.
#[test]
fn a_token_with_a_line_break_is_a_usage_error_and_nothing_is_sent() {
    let fake = fake(|_, _| http("200 OK", &[], r#"{"value":[]}"#));
    let out = run(&fake, "eyJ0.eyJ1\n.sig", &["skus"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("line break"), "{said}");
    assert_eq!(fake.requests.load(Ordering::SeqCst), 0);
}

/// Before: the CLI waited silently for as long as Graph asked.
#[test]
fn the_cli_says_when_graph_asks_it_to_wait() {
    let fake = fake(|n, _| match n {
        0 => http(
            "429 Too Many Requests",
            &[("Retry-After", "3")],
            r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#,
        ),
        _ => http("200 OK", &[], r#"{"value":[]}"#),
    });
    let out = run(&fake, "t", &["skus", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Microsoft Graph asked LicenseDesk to wait 3 s"),
        "{said}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    assert_eq!(fake.targets.lock().expect("targets").len(), 2);
}
