//! SQL LIKE patterns -> anchored regular expressions with every metacharacter escaped.

/// Converts a LIKE pattern to a regex: `%` -> `.*`, `_` -> `.`, the escape character (default `\`) makes the
/// next character literal; everything else is escaped. Anchored at both ends. `None` for a pattern ending in
/// a lone escape character (PG: "LIKE pattern must not end with escape character").
pub(crate) fn like_to_regex(pattern: &str, escape: Option<char>) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    out.push('^');
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            let next = chars.next()?;
            push_literal(&mut out, next);
        } else if c == '%' {
            out.push_str(".*");
        } else if c == '_' {
            out.push('.');
        } else {
            push_literal(&mut out, c);
        }
    }
    out.push('$');
    Some(out)
}

fn push_literal(out: &mut String, c: char) {
    if "\\.+*?()|[]{}^$#&-~/".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metacharacters_are_escaped() {
        let cases = [
            ("product:%", Some('\\'), "^product:.*$"),
            ("a_b", Some('\\'), "^a.b$"),
            ("50\\%", Some('\\'), "^50%$"),
            (
                "a.b*c+(d)[e]{f}|g^h$i?",
                Some('\\'),
                "^a\\.b\\*c\\+\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\?$",
            ),
            ("x!%y", Some('!'), "^x%y$"),
            ("back\\\\slash", Some('\\'), "^back\\\\slash$"),
        ];
        for (p, e, want) in cases {
            assert_eq!(like_to_regex(p, e).as_deref(), Some(want), "{p}");
        }
        assert_eq!(like_to_regex("abc\\", Some('\\')), None);
    }
}
