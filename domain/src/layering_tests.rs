//! Guards the Worker's layering (ARCHITECTURE.md): the core never reaches up into HTTP, and handlers reach the
//! store, R2 and the outbound clients only through use cases. Reads `src/` as text, every file of every directory.

use std::fs;
use std::path::{Path, PathBuf};

fn worker_src() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../src"))
}

fn rust_files(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).expect("a readable directory") {
            rust_files(&entry.expect("a directory entry").path(), found);
        }
    } else if path.extension().is_some_and(|ext| ext == "rs") {
        found.push(path.to_path_buf());
    }
}

/// `(file, line)` for every line of code (comments skipped) under `paths` naming one of `forbidden`.
fn offences(paths: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    for path in paths {
        let path = worker_src().join(path);
        assert!(path.exists(), "{} is missing: update this guard with the layout", path.display());
        rust_files(&path, &mut files);
    }
    assert!(!files.is_empty(), "no Rust files found under {paths:?}");
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("a readable source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if forbidden.iter().any(|name| code.contains(name)) {
                found.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_core_never_imports_http() {
    let core = ["usecases", "jobs", "store", "clients", "log.rs", "privacy.rs"];
    let found = offences(&core, &["crate::http", "super::http"]);
    assert!(found.is_empty(), "the core reaches into the http layer:\n{}", found.join("\n"));
}

#[test]
fn handlers_reach_store_and_clients_only_through_use_cases() {
    let adapters = ["crate::store", "crate::clients", "crate::blobs", "super::store", "super::clients", "super::blobs"];
    let found = offences(&["http"], &adapters);
    assert!(found.is_empty(), "an http module uses the store or a client directly:\n{}", found.join("\n"));
}
