//! Finds every status condition in the Worker's SQL (migrations, store .sql files, SQL in Rust strings) with the
//! table it tests, so the guards on each status enum read every file rather than a list of them.

/// Every SQL text the Worker holds, read at test time so a new file cannot escape: the migrations and every
/// Rust and .sql file under src/, with comment lines blanked so prose about a status is not read as SQL.
fn sql_sources() -> Vec<(String, String)> {
    let mut sources = crate::source_tree::files("migrations", &["sql"]);
    sources.extend(crate::source_tree::files("src", &["rs", "sql"]));
    let uncommented = |text: &str| {
        let code = |line: &str| !line.trim_start().starts_with("//") && !line.trim_start().starts_with("--");
        text.lines().map(|line| if code(line) { line } else { "" }).collect::<Vec<_>>().join("\n")
    };
    sources.into_iter().map(|(file, text)| (file, uncommented(&text))).collect()
}

/// The tables the migrations give a `status` column: each status condition tests one of them.
fn tables_with_status(sources: &[(String, String)]) -> Vec<String> {
    let mut tables = Vec::new();
    for (_, text) in sources.iter().filter(|(file, _)| file.starts_with("migrations/")) {
        for (at, found) in text.match_indices("CREATE TABLE ") {
            let rest = &text[at + found.len()..];
            let name = rest.split(|c: char| !is_word(c)).next().unwrap_or_default();
            let body = &rest[..rest.find(");").unwrap_or(rest.len())];
            if body.lines().any(|line| line.trim_start().starts_with("status ")) && !tables.contains(&name.to_owned()) {
                tables.push(name.to_owned());
            }
        }
    }
    assert!(tables.contains(&"generations".to_owned()), "{tables:?}");
    tables
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `text` names `word` whole (not as part of `generation_images` or `generations_unfinished`).
fn names(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_none_or(|c| !is_word(c));
        let after = text[at + word.len()..].chars().next().is_none_or(|c| !is_word(c));
        before && after
    })
}

/// The statement around byte `at`: the Rust string literal it sits in, or the `;`-separated SQL statement.
fn statement<'a>(file: &str, text: &'a str, at: usize) -> &'a str {
    let (start, end) = if file.ends_with(".rs") {
        let quote = |i: &usize| text.as_bytes()[*i] == b'"' && (*i == 0 || text.as_bytes()[*i - 1] != b'\\');
        ((0..at).rev().find(quote).map_or(0, |i| i + 1), (at..text.len()).find(quote).unwrap_or(text.len()))
    } else {
        (text[..at].rfind(';').map_or(0, |i| i + 1), text[at..].find(';').map_or(text.len(), |i| at + i))
    };
    &text[start..end]
}

/// A status condition found in SQL: whose status it is, and the quoted values (`'a', 'b'`) or the one value.
pub struct StatusCondition {
    pub place: String,
    pub table: Result<String, String>,
    pub value: Value,
}

pub enum Value {
    List { list: String, in_check: bool },
    Single(String),
}

/// Every `status [NOT] IN (…)` and `status =, != or <> '…'` in every SQL source (however spaced), with its
/// table: the qualifier's (`payments.status`, or the table a `g.status` alias stands for in that file), else the
/// one status table its statement names.
pub fn conditions() -> Vec<StatusCondition> {
    let sources = sql_sources();
    let tables = tables_with_status(&sources);
    let mut found = Vec::new();
    for (file, text) in &sources {
        for (at, word) in text.match_indices("status") {
            let (before, after) = (&text[..at], &text[at + word.len()..]);
            let qualifier = before.strip_suffix('.').map(|q| &q[q.rfind(|c| !is_word(c)).map_or(0, |i| i + 1)..]);
            let glued = |s: Option<char>| s.is_some_and(is_word);
            if glued(after.chars().next()) || (qualifier.is_none() && glued(before.chars().next_back())) {
                continue; // another word, such as `payment_status` or `statuses`
            }
            let after = after.trim_start();
            let list = after.strip_prefix("NOT").unwrap_or(after).trim_start().strip_prefix("IN");
            let value = if let Some(rest) = list.and_then(|r| r.trim_start().strip_prefix('(')) {
                let list = rest[..rest.find(')').expect("an IN list closes")].to_owned();
                Value::List { list, in_check: before.trim_end().ends_with("CHECK (") }
            } else if let Some(rest) =
                ["!=", "<>", "="].iter().find_map(|op| after.strip_prefix(op)?.trim_start().strip_prefix('\''))
            {
                Value::Single(rest[..rest.find('\'').expect("a quoted value closes")].to_owned())
            } else {
                continue; // not compared with literals here (a bound value, a shared list, a column name)
            };
            let table = match qualifier {
                Some(q) if tables.iter().any(|t| t == q) => Ok(q.to_owned()),
                Some(alias) => {
                    let aliased =
                        |t: &&String| names(text, &format!("{t} {alias}")) || names(text, &format!("{t} AS {alias}"));
                    match tables.iter().filter(aliased).collect::<Vec<_>>()[..] {
                        [one] => Ok(one.clone()),
                        ref many => Err(format!("`{alias}.status` could be any of {many:?}")),
                    }
                }
                None => {
                    let around = statement(file, text, at);
                    match tables.iter().filter(|t| names(around, t)).collect::<Vec<_>>()[..] {
                        [one] => Ok(one.clone()),
                        ref many => Err(format!("an unqualified status where the statement names {many:?}")),
                    }
                }
            };
            let line = before.matches('\n').count() + 1;
            found.push(StatusCondition { place: format!("{file}:{line}"), table, value });
        }
    }
    found
}

#[test]
fn every_status_in_sql_belongs_to_one_table() {
    let unclear: Vec<_> =
        conditions().into_iter().filter_map(|c| c.table.err().map(|why| format!("{}: {why}", c.place))).collect();
    assert!(unclear.is_empty(), "qualify these statuses with their table:\n{}", unclear.join("\n"));
}
