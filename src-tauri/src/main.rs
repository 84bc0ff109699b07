// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // `licensedesk --cli ARGS` is `licensedesk-cli ARGS`: the Linux packages install
    // /usr/bin/licensedesk-cli as a two-line script that runs this, so the CLI adds no second
    // copy of the engine to the package. (Windows builds are GUI programs without a console:
    // there the installers carry the separate licensedesk-cli.exe.)
    #[cfg(not(windows))]
    {
        let mut args = std::env::args_os();
        let program = args.next();
        let mut rest = args.peekable();
        if rest.peek().is_some_and(|a| a == "--cli") {
            rest.next();
            return licensedesk_cli::main_with_args(
                std::iter::once(std::ffi::OsString::from("licensedesk-cli")).chain(rest),
            );
        }
        drop(program);
    }
    licensedesk_lib::run();
    std::process::ExitCode::SUCCESS
}
