//! Reading Rust source as text for the dependency graphs: comments and strings blanked out, `mod` declarations,
//! inline modules, `use` trees and the `crate::`/`super::`/`self::` paths a file names.

use std::collections::BTreeMap;

/// `mod name;` lines at the top level of a file (rustfmt puts them in column 0), with any `#[path = "…"]` above.
pub fn module_declarations(raw: &str) -> Vec<(String, Option<String>)> {
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

pub fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The spans of inline `mod name { … }` bodies.
pub fn inline_modules(code: &str) -> Vec<(usize, usize)> {
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
pub fn paths_in(code: &str) -> Vec<(usize, Vec<String>)> {
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
pub fn imports_in(code: &str, inline: &[(usize, usize)]) -> BTreeMap<String, Vec<String>> {
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
pub fn use_tree(code: &str, at: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
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
pub fn without_comments_and_strings(raw: &str) -> String {
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
pub fn raw_string_start(rest: &[u8]) -> Option<usize> {
    let after_b = rest.strip_prefix(b"b").unwrap_or(rest);
    let after_r = after_b.strip_prefix(b"r")?;
    let hashes = after_r.iter().take_while(|&&b| b == b'#').count();
    (after_r.get(hashes) == Some(&b'"')).then_some(hashes)
}

/// The length of a char literal (`'a'`, `'\n'`, `'\u{7f}'`, `'é'`) starting here; `None` for a lifetime.
pub fn char_literal_len(rest: &[u8]) -> Option<usize> {
    if rest.get(1) == Some(&b'\\') {
        return rest[2..].iter().position(|&b| b == b'\'').map(|end| end + 3);
    }
    let text = std::str::from_utf8(&rest[1..rest.len().min(6)])
        .unwrap_or_else(|e| std::str::from_utf8(&rest[1..1 + e.valid_up_to()]).unwrap());
    let first = text.chars().next()?;
    (text[first.len_utf8()..].starts_with('\'')).then(|| 2 + first.len_utf8())
}
