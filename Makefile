# LicenseDesk developer commands. On a fresh machine run `bash .ci/setup <target>` instead of
# `make <target>`: it installs what is missing first.

SHELL := /bin/bash
APP := target/debug/licensedesk
TAURI := ui/node_modules/.bin/tauri
# WebKitGTK draws a blank window under Xvfb and in many VMs with its DMA-BUF renderer.
export WEBKIT_DISABLE_DMABUF_RENDERER := 1
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: bench installers test-installers demo app test lint test-rust bindings-check test-ui test-keychain test-e2e test-sdk test-fuzz screenshot clean bench-users-page

## demo: build the app and open it on the built-in demo tenant
demo: app
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found: run this on a desktop session (or 'make screenshot' to see it under Xvfb)." >&2; exit 1; fi
	$(APP)

## app: the desktop app with its web UI embedded (debug build, no installer)
app:
	@# The Tauri CLI reads CI as its --ci flag and refuses anything but true/false (CI=1 is common).
	CI=true $(TAURI) build --debug --no-bundle

## installers: the Linux packages (.deb and .rpm with licensedesk-cli inside) in
## target/release/bundle. Windows and macOS installers are built by .github/workflows/release.yml
## on those systems.
installers:
	CI=true $(TAURI) build --bundles deb,rpm
	@# Tauri writes the .deb with gzip; xz (which every dpkg reads) makes it about a quarter smaller.
	bash packaging/linux/repack-deb.sh target/release/bundle/deb/*.deb

## test-installers: build the packages, unpack the .deb into a temporary root and run what is in it
test-installers: installers
	cargo test -p licensedesk-tests --test installers -- --ignored --nocapture
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d) && \
	  echo licensedesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	  root=$$(mktemp -d) && dpkg-deb -x target/release/bundle/deb/*.deb $$root && \
	  LICENSEDESK_APP_BINARY=$$root/usr/bin/licensedesk $(XVFB) \
	    cargo test -p licensedesk-tests --test e2e -- --ignored --exact plans_page_shows_the_demo_tenants_seats'

## test: every test there is (lint, Rust, generated bindings, UI, end-to-end)
test: lint test-rust bindings-check test-ui test-keychain test-sdk test-fuzz test-e2e test-installers
	@echo "All LicenseDesk test suites passed."

# The app embeds the built web UI (tauri/custom-protocol, on in every build so that one build
# serves all suites): anything that compiles the app needs ui/dist first.
UI_DIST := ui/dist/index.html
$(UI_DIST):
	npm --prefix ui run build

lint: $(UI_DIST)
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	python3 tests/tools/licenses.py --check
	@if command -v cargo-hakari >/dev/null; then \
	  cargo hakari generate --diff --quiet && cargo hakari manage-deps --dry-run --quiet || \
	  { echo "The workspace-hack is out of date: run 'cargo hakari generate && cargo hakari manage-deps -y'"; exit 1; }; \
	else echo "cargo-hakari is not installed: not checking the workspace-hack (see README, Development)"; fi

test-rust: $(UI_DIST)
	cargo test --workspace

# Running the Rust tests regenerates ui/src/bindings; a difference means someone changed a Rust
# type without committing its TypeScript twin.
bindings-check: test-rust
	@changed=$$(git status --porcelain -- ui/src/bindings); \
	if [ -n "$$changed" ]; then echo "TypeScript bindings are out of date; commit them:"; echo "$$changed"; exit 1; fi

test-ui:
	npm --prefix ui run typecheck
	npm --prefix ui test

# The real OS keychain: a private D-Bus session with a fresh, unlocked gnome-keyring (its own
# data folder, so a developer's own keyring is neither touched nor in the way).
test-keychain:
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d) && \
	  echo licensedesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	  cargo test -p graph --test keychain -- --ignored && \
	  cargo test -p licensedesk-cli --test login -- --ignored && \
	  cargo test -p licensedesk-cli --test runs -- --ignored'

# The app under Xvfb in a private D-Bus session with a fresh, unlocked keyring. (The CLI too:
# one test prepares a plan with it for the app to approve.)
test-e2e: app
	cargo build -p licensedesk-cli
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d) && \
	  echo licensedesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	  $(XVFB) cargo test -p licensedesk-tests --test e2e -- --ignored --test-threads=1 --skip bench_'

## bench: start-up time and memory of the release build under Xvfb, and the CLI (BENCHMARKS.md)
bench: installers
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d) && \
	  echo licensedesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	  LICENSEDESK_APP_BINARY=$(CURDIR)/target/release/licensedesk $(XVFB) \
	    cargo test -p licensedesk-tests --test e2e -- --ignored --nocapture --exact bench_start_and_memory'

## bench-users-page: the Users page on 100,000 people in the real app (BENCHMARKS.md)
bench-users-page: app
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d) && \
	  echo licensedesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	  $(XVFB) cargo test -p licensedesk-tests --test e2e -- --ignored --nocapture bench_users_page'

# The readers of the files people hand LicenseDesk, fuzzed (libFuzzer through cargo-fuzz) for a
# bounded time each under a memory cap: a file that makes a reader panic, hang or take more
# than 2 GB fails the run. Seeded with the hostile workbooks found by review. cargo-fuzz needs
# a nightly feature flag: RUSTC_BOOTSTRAP lets the stable toolchain give it.
FUZZ_SECONDS ?= 45
FUZZ_DIR := src-tauri/crates/hr-import/fuzz
test-fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked --quiet
	mkdir -p $(FUZZ_DIR)/corpus/read_file $(FUZZ_DIR)/corpus/read_workbook
	printf 'user;country;license\nann@contoso.com;Nederland;E3\n' > $(FUZZ_DIR)/corpus/read_file/seed.csv
	cp src-tauri/crates/hr-import/tests/hostile/*.xlsx $(FUZZ_DIR)/corpus/read_workbook/
	cd $(FUZZ_DIR) && for target in read_file read_workbook; do \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run -O --sanitizer none $$target corpus/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=20 || exit 1; \
	done

# Microsoft's own Graph SDK for Python drives the emulator, so that what real clients send is what
# it is built for. The SDK comes from PyPI into a virtual environment under target/.
SDK_VENV := target/sdk-venv
test-sdk:
	cargo build -p licensedesk-cli
	@if [ ! -x $(SDK_VENV)/bin/python ] || ! $(SDK_VENV)/bin/python -c 'import msgraph' 2>/dev/null; then \
	  python3 -m venv $(SDK_VENV) && $(SDK_VENV)/bin/pip install --quiet --disable-pip-version-check msgraph-sdk==1.65.0; fi
	$(SDK_VENV)/bin/python tests/tools/graph_sdk_check.py target/debug/licensedesk-cli

## screenshot: the Plans page as the README shows it
screenshot: app
	dbus-run-session -- tests/scripts/screenshot.sh ui/screenshots/plans-page.png

clean:
	cargo clean
	rm -rf ui/dist target/e2e
