//! Nothing to export: this package only holds tests (see e2e.rs).
