//! SQL with named parameters (`:account`) rewritten to the numbered ones D1 binds (`?1`), with the names in bind
//! order: statements say which value goes where, so a reordered or lengthened list cannot shift one into another
//! column.

/// A statement's text as D1 takes it, and the name each `?N` stands for (`names[N - 1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedSql {
    pub sql: String,
    pub names: Vec<String>,
}

/// Rewrites each `:name` outside string literals to `?N`, N numbering names in order of first use (a name used
/// twice binds once).
pub fn number(sql: &str) -> NumberedSql {
    let mut out = String::with_capacity(sql.len());
    let mut names: Vec<String> = Vec::new();
    let mut in_literal = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\'' {
            in_literal = !in_literal;
            out.push(c);
            continue;
        }
        let starts_name = c == ':' && !in_literal && chars.peek().is_some_and(|(_, next)| is_name_start(*next));
        if !starts_name {
            out.push(c);
            continue;
        }
        let start = at + 1;
        let mut end = start;
        while let Some((i, next)) = chars.peek().copied() {
            if !is_name_char(next) {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        let name = &sql[start..end];
        let index = match names.iter().position(|known| known == name) {
            Some(index) => index,
            None => {
                names.push(name.to_owned());
                names.len() - 1
            }
        };
        out.push('?');
        out.push_str(&(index + 1).to_string());
    }
    NumberedSql { sql: out, names }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_lowercase() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

impl NumberedSql {
    /// The values in `?N` order, taken by name from `binds`; every name must be given and every bind used, so a
    /// typo fails at once instead of binding NULL.
    pub fn order<'v, V>(&self, binds: &'v [(&str, V)]) -> Result<Vec<&'v V>, String> {
        if let Some((unused, _)) = binds.iter().find(|(name, _)| !self.names.iter().any(|known| known == name)) {
            return Err(format!("the statement has no parameter :{unused}"));
        }
        self.names
            .iter()
            .map(|name| {
                binds
                    .iter()
                    .find(|(given, _)| given == name)
                    .map(|(_, value)| value)
                    .ok_or_else(|| format!("no value bound for :{name}"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_numbers_in_order_of_first_use() {
        let numbered = number("SELECT 1 FROM t WHERE a = :account AND b > :now - 60000 AND c = :account");
        assert_eq!(numbered.sql, "SELECT 1 FROM t WHERE a = ?1 AND b > ?2 - 60000 AND c = ?1");
        assert_eq!(numbered.names, ["account", "now"]);
    }

    #[test]
    fn colons_inside_literals_and_json_paths_are_left_alone() {
        let numbered = number("SELECT json_extract(x, '$.a:b') FROM t WHERE r = '16:9' AND id = :id_2");
        assert_eq!(numbered.sql, "SELECT json_extract(x, '$.a:b') FROM t WHERE r = '16:9' AND id = ?1");
        assert_eq!(numbered.names, ["id_2"]);
    }

    #[test]
    fn binds_are_ordered_by_name_whatever_order_they_are_given_in() {
        let numbered = number("INSERT INTO t (a, b) VALUES (:alpha, :beta)");
        let binds = [("beta", 2), ("alpha", 1)];
        assert_eq!(numbered.order(&binds).unwrap(), [&1, &2]);
    }

    #[test]
    fn a_missing_or_unknown_name_is_refused() {
        let numbered = number("UPDATE t SET a = :alpha WHERE id = :id");
        assert_eq!(numbered.order(&[("alpha", 1)]).unwrap_err(), "no value bound for :id");
        assert_eq!(
            numbered.order(&[("alpha", 1), ("id", 2), ("idd", 3)]).unwrap_err(),
            "the statement has no parameter :idd"
        );
    }

    #[test]
    fn a_statement_without_names_is_unchanged() {
        let sql = "SELECT credits FROM accounts WHERE id = ?1";
        assert_eq!(number(sql), NumberedSql { sql: sql.to_owned(), names: Vec::new() });
    }
}
