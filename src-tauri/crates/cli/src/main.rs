//! `licensedesk-cli`: LicenseDesk for scripts and scheduled runs (see the library).

fn main() -> std::process::ExitCode {
    licensedesk_cli::main_with_args(std::env::args_os())
}
