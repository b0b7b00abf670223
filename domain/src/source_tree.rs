//! The repository's own sources read at test time, every file of every folder, for guards that keep no lists.

use std::fs;
use std::path::{Path, PathBuf};

/// The repository root: the domain crate's parent folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `(path from the repository root, text)` of every file under `dir` (from the root) ending in one of
/// `extensions`, sorted by path. A missing folder fails: the guard must follow a change of layout.
pub fn files(dir: &str, extensions: &[&str]) -> Vec<(String, String)> {
    let root = repo_root();
    let start = root.join(dir);
    assert!(start.is_dir(), "{} is missing: update this guard with the layout", start.display());
    let mut paths = Vec::new();
    walk(&start, extensions, &mut paths);
    paths.sort();
    assert!(!paths.is_empty(), "no {extensions:?} files under {dir}");
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("a readable source file");
            let relative = path.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
            (relative, text)
        })
        .collect()
}

fn walk(path: &Path, extensions: &[&str], found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).expect("a readable directory") {
            walk(&entry.expect("a directory entry").path(), extensions, found);
        }
    } else if path.extension().is_some_and(|ext| extensions.iter().any(|wanted| ext == *wanted)) {
        found.push(path.to_path_buf());
    }
}
