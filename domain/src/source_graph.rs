//! File-level dependency graphs of the repository's sources, read as text at test time: a Rust file depends on
//! the module files its `crate::`/`super::`/`self::` paths name (a re-export followed to the file that defines the
//! item; a parent never on its own descendants); a browser module or build script on the files it imports
//! statically (`import`/`export … from`).

use std::collections::{BTreeMap, BTreeSet};

use crate::rust_source::{imports_in, inline_modules, module_declarations, paths_in, without_comments_and_strings};
use crate::source_tree::{files, repo_root};

/// Each file (repository-relative path) and the files it depends on.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

pub fn js_graph(dir: &str) -> Graph {
    let sources = files(dir, &["js", "mjs"]);
    let known: BTreeSet<&String> = sources.iter().map(|(file, _)| file).collect();
    let mut graph = Graph::new();
    for (file, text) in &sources {
        let edges = graph.entry(file.clone()).or_default();
        let folder = file.rsplit_once('/').map_or("", |(folder, _)| folder);
        let code =
            text.lines().filter(|line| !line.trim_start().starts_with("//") && !line.trim_start().starts_with('*'));
        for line in code {
            for keyword in ["from ", "import "] {
                for (at, _) in line.match_indices(keyword) {
                    let rest = &line[at + keyword.len()..];
                    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
                    let Some(specifier) = rest[1..].split(quote).next().filter(|s| s.starts_with('.')) else {
                        continue;
                    };
                    let target = normalise(&format!("{folder}/{specifier}"));
                    assert!(known.contains(&target), "{file} imports {specifier}, not a file under {dir}");
                    edges.insert(target);
                }
            }
        }
    }
    graph
}

fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

// ---- Rust: the module tree from `mod` declarations, then every path resolved to the file that holds its item.

struct Module {
    file: String,
    parent: Option<usize>,
    children: BTreeMap<String, usize>,
    /// The file without comments, strings or char literals.
    code: String,
    /// Byte spans of inline `mod name { … }` bodies, where `super::` and `self::` stay in the file.
    inline: Vec<(usize, usize)>,
    /// Names brought in by the file's own `use` items, with the path they stand for.
    imports: BTreeMap<String, Vec<String>>,
}

pub fn rust_graph(dir: &str) -> Graph {
    let modules = module_tree(dir);
    let mut reached: BTreeSet<&str> = modules.iter().map(|m| m.file.as_str()).collect();
    for (file, _) in files(dir, &["rs"]) {
        assert!(reached.remove(file.as_str()), "{file} is not reached from {dir}/lib.rs by `mod` declarations");
    }
    let mut graph = Graph::new();
    for (index, module) in modules.iter().enumerate() {
        let edges = graph.entry(module.file.clone()).or_default();
        for (at, path) in paths_in(&module.code) {
            let depth = module.inline.iter().filter(|(start, end)| *start <= at && at < *end).count();
            let target = resolve(&modules, index, depth, &path, 0);
            if target != index && !is_descendant(&modules, target, index) {
                edges.insert(modules[target].file.clone());
            }
        }
    }
    graph
}

fn is_descendant(modules: &[Module], mut module: usize, ancestor: usize) -> bool {
    while let Some(parent) = modules[module].parent {
        if parent == ancestor {
            return true;
        }
        module = parent;
    }
    false
}

/// The module whose file holds what `path` names, followed from `from` (inside `depth` inline modules).
fn resolve(modules: &[Module], from: usize, depth: usize, path: &[String], hops: usize) -> usize {
    let (mut at, mut depth) = (from, depth);
    for (index, segment) in path.iter().enumerate() {
        match segment.as_str() {
            "crate" if index == 0 => (at, depth) = (0, 0),
            "super" if depth > 0 => depth -= 1,
            "super" => at = modules[at].parent.expect("`super` below the crate root"),
            "self" => {}
            _ if depth > 0 => break,
            name => {
                if let Some(&child) = modules[at].children.get(name) {
                    at = child;
                } else if let Some(imported) = modules[at].imports.get(name).filter(|_| hops < 8) {
                    let mut rest = imported.clone();
                    rest.extend(path[index + 1..].iter().cloned());
                    return resolve(modules, at, 0, &rest, hops + 1);
                } else {
                    break;
                }
            }
        }
    }
    at
}

fn module_tree(dir: &str) -> Vec<Module> {
    let root = repo_root();
    let mut modules = Vec::new();
    let mut queue = vec![(format!("{dir}/lib.rs"), None::<(usize, String)>)];
    while let Some((file, parent)) = queue.pop() {
        let raw = std::fs::read_to_string(root.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let code = without_comments_and_strings(&raw);
        let inline = inline_modules(&code);
        let index = modules.len();
        if let Some((parent, name)) = &parent {
            let parent: &mut Module = &mut modules[*parent];
            parent.children.insert(name.clone(), index);
        }
        let folder = file.rsplit_once('/').map_or("", |(folder, _)| folder).to_owned();
        let owns_folder = file.ends_with("/lib.rs") || file.ends_with("/mod.rs");
        let stem = file.rsplit('/').next().unwrap().trim_end_matches(".rs").to_owned();
        let children_folder = if owns_folder { folder.clone() } else { format!("{folder}/{stem}") };
        for (name, path_attribute) in module_declarations(&raw) {
            let child = match path_attribute {
                Some(path) => format!("{folder}/{path}"),
                None if root.join(format!("{children_folder}/{name}.rs")).exists() => {
                    format!("{children_folder}/{name}.rs")
                }
                None => format!("{children_folder}/{name}/mod.rs"),
            };
            queue.push((child, Some((index, name))));
        }
        let imports = imports_in(&code, &inline);
        modules.push(Module {
            file,
            parent: parent.map(|(parent, _)| parent),
            children: BTreeMap::new(),
            code,
            inline,
            imports,
        });
    }
    modules
}
