//! What the CLI's tests against `sim serve` share: the emulator started on a scenario, the CLI
//! run against it with its own config folder, and the emulator's request log.
// Each test file uses some of these, not all.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub struct Sim {
    child: Child,
    pub endpoint: String,
    pub token: String,
    pub home: PathBuf,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// The emulator serving `scenario` (a bundled name, or the JSON of a scenario to write).
pub fn sim(scenario: &Value, name: &str) -> Sim {
    let home = std::env::temp_dir().join(format!("ld-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("home");
    let arg = match scenario {
        Value::String(bundled) => bundled.clone(),
        file => {
            let path = home.join("scenario.json");
            std::fs::write(&path, file.to_string()).expect("scenario");
            path.display().to_string()
        }
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"))
        .args(["sim", "serve", "--scenario", &arg])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("hello line");
    let hello: Value = serde_json::from_str(&line).expect("json");
    Sim {
        child,
        endpoint: hello["graphEndpoint"].as_str().expect("endpoint").into(),
        token: hello["accessToken"].as_str().expect("token").into(),
        home,
    }
}

impl Sim {
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    /// The CLI with these environment variables set as well.
    pub fn run_with(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        self.command(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("runs")
    }

    /// The CLI against this emulator with its own config folder, to run or to spawn (and
    /// kill mid-run) as a test needs.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_licensedesk-cli"));
        command
            .env("LICENSEDESK_CONFIG_DIR", &self.home)
            .env_remove("LICENSEDESK_JOURNAL")
            .env("SIM_TOKEN", &self.token)
            .args([
                "--graph-endpoint",
                &self.endpoint,
                "--access-token-env",
                "SIM_TOKEN",
            ])
            .args(args);
        command
    }

    pub fn json(&self, args: &[&str], code: i32) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    pub fn requests(&self) -> Vec<Value> {
        let url = format!("{}/_sim/requests", self.endpoint);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async {
                reqwest::get(&url)
                    .await
                    .expect("log")
                    .json::<Vec<Value>>()
                    .await
                    .expect("json")
            })
    }
}

impl Sim {
    pub fn delete(&self, path: &str) -> u16 {
        let url = format!("{}{path}", self.endpoint);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async {
                reqwest::Client::new()
                    .delete(&url)
                    .bearer_auth(&self.token)
                    .send()
                    .await
                    .expect("answer")
                    .status()
                    .as_u16()
            })
    }
}
