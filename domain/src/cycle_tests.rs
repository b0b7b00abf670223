//! No circles between files. A Rust file depends on the module files its `crate::`/`super::`/`self::` paths name,
//! a re-export followed to the file that defines the item, except a parent on its own descendants (declaring and
//! re-exporting children is its job, and a child naming a parent's re-export reaches the sibling that defines it).
//! A browser module or build script depends on the files it imports statically (`import`/`export … from`).

use std::collections::{BTreeMap, BTreeSet};

use crate::source_tree::{files, repo_root};

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_worker_s_rust_files_form_no_cycle() {
    assert_no_cycle("src", &rust_graph("src"));
}

#[test]
fn the_domain_s_rust_files_form_no_cycle() {
    assert_no_cycle("domain/src", &rust_graph("domain/src"));
}

#[test]
fn the_browser_modules_and_build_scripts_form_no_cycle() {
    for dir in ["public/js", "scripts"] {
        assert_no_cycle(dir, &js_graph(dir));
    }
}

#[test]
fn the_graphs_see_the_edges_they_should() {
    let domain = rust_graph("domain/src");
    let edge = |from: &str, to: &str| domain.get(from).is_some_and(|to_set| to_set.contains(to));
    // A sibling named through the parent, a re-export followed to the file that defines it, a child test module.
    assert!(edge("domain/src/links.rs", "domain/src/ids.rs"));
    assert!(edge("domain/src/billing/problem.rs", "domain/src/stripe/event.rs"));
    assert!(edge("domain/src/props/providers.rs", "domain/src/stripe/envelope.rs"), "through event.rs's re-export");
    assert!(edge("domain/src/generation/tests.rs", "domain/src/generation/mod.rs"));
    assert!(!edge("domain/src/lib.rs", "domain/src/links.rs"), "a parent's own children are not edges");
    let worker = rust_graph("src");
    assert!(worker["src/store/billing.rs"].contains("src/store/ledger.rs"));
    let js = js_graph("public/js");
    assert!(js["public/js/detail.js"].contains("public/js/gallery.js"));
    let mut ring = Graph::new();
    ring.entry("a".into()).or_default().insert("b".into());
    ring.entry("b".into()).or_default().insert("a".into());
    assert_eq!(cycles(&ring), vec![vec!["a".to_owned(), "b".into(), "a".into()]]);
}

fn assert_no_cycle(dir: &str, graph: &Graph) {
    let found = cycles(graph);
    let shown: Vec<String> = found.iter().map(|cycle| cycle.join(" → ")).collect();
    assert!(found.is_empty(), "{dir} has import cycles:\n{}", shown.join("\n"));
}

/// One cycle per strongly connected group of files, each as the files in order, back to the first.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for start in graph.keys() {
        if seen.contains(start) {
            continue;
        }
        // The shortest path from `start` back to itself, if any.
        let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closed = None;
        while let Some(at) = queue.pop_front() {
            for next in graph.get(at).into_iter().flatten() {
                if next == start {
                    closed = Some(at);
                    break;
                }
                if !previous.contains_key(next) {
                    previous.insert(next, at);
                    queue.push_back(next);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        let Some(mut at) = closed else { continue };
        let mut middle = Vec::new();
        while at != start {
            middle.push(at.clone());
            at = previous[at];
        }
        middle.reverse();
        let cycle: Vec<String> =
            std::iter::once(start.clone()).chain(middle).chain(std::iter::once(start.clone())).collect();
        seen.extend(cycle.iter().cloned());
        found.push(cycle);
    }
    found
}

// ---- JavaScript: `import … from "./x.js"`, `export … from "./x.js"` and `import "./x.js"`.

fn js_graph(dir: &str) -> Graph {
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

fn rust_graph(dir: &str) -> Graph {
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

/// `mod name;` lines at the top level of a file (rustfmt puts them in column 0), with any `#[path = "…"]` above.
fn module_declarations(raw: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut path_attribute = None;
    for line in raw.lines() {
        if let Some(path) = line.strip_prefix("#[path = \"").and_then(|rest| rest.strip_suffix("\"]")) {
            path_attribute = Some(path.to_owned());
            continue;
        }
        if line.starts_with("#[") {
            continue;
        }
        let declaration = match line.strip_prefix("pub") {
            Some(rest) if rest.starts_with('(') => rest.split_once(") ").map_or(line, |(_, after)| after),
            Some(rest) => rest.trim_start(),
            None => line,
        };
        if let Some(name) = declaration.strip_prefix("mod ").and_then(|rest| rest.strip_suffix(';')) {
            found.push((name.trim().to_owned(), path_attribute.take()));
        }
        path_attribute = None;
    }
    found
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The spans of inline `mod name { … }` bodies.
fn inline_modules(code: &str) -> Vec<(usize, usize)> {
    let bytes = code.as_bytes();
    let mut spans = Vec::new();
    for (at, _) in code.match_indices("mod ") {
        if at > 0 && is_word(bytes[at - 1]) {
            continue;
        }
        let rest = &code[at + 4..];
        let name_end = rest.bytes().position(|b| !is_word(b)).unwrap_or(rest.len());
        if name_end == 0 || !rest[name_end..].trim_start().starts_with('{') {
            continue;
        }
        let open = at + 4 + name_end + rest[name_end..].find('{').unwrap();
        let mut depth = 0;
        for (offset, byte) in bytes[open..].iter().enumerate() {
            match byte {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        spans.push((open, open + offset));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

/// Every path starting `crate::`, `super::` or `self::`, with braces expanded (`use super::{a, b::c}`).
fn paths_in(code: &str) -> Vec<(usize, Vec<String>)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    for start in ["crate", "super", "self"] {
        for (at, _) in code.match_indices(start) {
            let before_ok = at == 0 || !(is_word(bytes[at - 1]) || code[..at].ends_with("::"));
            let after = at + start.len();
            if !before_ok
                || (after < bytes.len() && is_word(bytes[after]))
                || !code[after..].trim_start().starts_with("::")
            {
                continue;
            }
            let mut paths = Vec::new();
            use_tree(code, &mut at.clone(), Vec::new(), &mut paths);
            found.extend(paths.into_iter().map(|(path, _)| (at, path)));
        }
    }
    found
}

/// The names the file's top-level `use` items bind, with the path each stands for. Paths not starting
/// `crate`/`super`/`self` start at a child module here or name another crate (then they are not ours).
fn imports_in(code: &str, inline: &[(usize, usize)]) -> BTreeMap<String, Vec<String>> {
    let bytes = code.as_bytes();
    let mut imports = BTreeMap::new();
    for (at, _) in code.match_indices("use ") {
        if (at > 0 && is_word(bytes[at - 1])) || inline.iter().any(|(start, end)| *start <= at && at < *end) {
            continue;
        }
        let mut paths = Vec::new();
        use_tree(code, &mut (at + 4), Vec::new(), &mut paths);
        for (path, bound) in paths {
            if let Some(bound) = bound {
                imports.insert(bound, path);
            }
        }
    }
    imports
}

/// Reads a use tree at `*at` into `(path, the name it binds)` pairs: `a::{b, c::d as e, f::*}`.
fn use_tree(code: &str, at: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let bytes = code.as_bytes();
    let skip_space = |at: &mut usize| {
        while *at < bytes.len() && bytes[*at].is_ascii_whitespace() {
            *at += 1;
        }
    };
    let mut path = prefix;
    loop {
        skip_space(at);
        match bytes.get(*at) {
            Some(b'{') => {
                *at += 1;
                loop {
                    skip_space(at);
                    match bytes.get(*at) {
                        Some(b'}') | None => {
                            *at += 1;
                            return;
                        }
                        Some(b',') => *at += 1,
                        _ => {
                            let before = *at;
                            use_tree(code, at, path.clone(), out);
                            if *at == before {
                                *at += 1;
                            }
                        }
                    }
                }
            }
            Some(b'*') => {
                *at += 1;
                out.push((path, None));
                return;
            }
            _ => {}
        }
        let start = *at;
        while *at < bytes.len() && is_word(bytes[*at]) {
            *at += 1;
        }
        if start == *at {
            out.push((path, None));
            return;
        }
        let segment = code[start..*at].to_owned();
        path.push(segment.clone());
        skip_space(at);
        if code[*at..].starts_with("::") {
            *at += 2;
            continue;
        }
        let mut bound = if segment == "self" { path.iter().rev().nth(1).cloned() } else { Some(segment) };
        if code[*at..].starts_with("as ") {
            *at += 3;
            skip_space(at);
            let alias_start = *at;
            while *at < bytes.len() && is_word(bytes[*at]) {
                *at += 1;
            }
            bound = Some(code[alias_start..*at].to_owned()).filter(|alias| alias != "_");
        }
        out.push((path, bound));
        return;
    }
}

/// The code with comments removed and string and char literals emptied, so braces and paths are code only.
fn without_comments_and_strings(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut code = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.starts_with(b"//") {
            at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while at < bytes.len() {
                if bytes[at..].starts_with(b"/*") {
                    depth += 1;
                    at += 2;
                } else if bytes[at..].starts_with(b"*/") {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    at += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(rest) {
            // r"…", r#"…"#, br#"…"#: ends at the quote followed by as many hashes.
            let open = rest.iter().position(|&b| b == b'"').unwrap() + 1;
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let body = &rest[open..];
            let end = body.windows(close.len()).position(|w| w == close.as_slice()).unwrap_or(body.len());
            code.extend_from_slice(b"\"\"");
            at += open + end + close.len();
        } else if rest[0] == b'"' {
            at += 1;
            while at < bytes.len() && bytes[at] != b'"' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at += 1;
            code.extend_from_slice(b"\"\"");
        } else if rest[0] == b'\'' && char_literal_len(rest).is_some() {
            at += char_literal_len(rest).unwrap();
            code.extend_from_slice(b"' '");
        } else {
            code.push(rest[0]);
            at += 1;
        }
    }
    String::from_utf8(code).expect("only ASCII removed whole")
}

/// The number of `#` of a raw string starting here (`r"`, `r#"`, `br#"`), if one does (and not inside a word).
fn raw_string_start(rest: &[u8]) -> Option<usize> {
    let after_b = rest.strip_prefix(b"b").unwrap_or(rest);
    let after_r = after_b.strip_prefix(b"r")?;
    let hashes = after_r.iter().take_while(|&&b| b == b'#').count();
    (after_r.get(hashes) == Some(&b'"')).then_some(hashes)
}

/// The length of a char literal (`'a'`, `'\n'`, `'\u{7f}'`, `'é'`) starting here; `None` for a lifetime.
fn char_literal_len(rest: &[u8]) -> Option<usize> {
    if rest.get(1) == Some(&b'\\') {
        return rest[2..].iter().position(|&b| b == b'\'').map(|end| end + 3);
    }
    let text = std::str::from_utf8(&rest[1..rest.len().min(6)])
        .unwrap_or_else(|e| std::str::from_utf8(&rest[1..1 + e.valid_up_to()]).unwrap());
    let first = text.chars().next()?;
    (text[first.len_utf8()..].starts_with('\'')).then(|| 2 + first.len_utf8())
}
