//! PostgreSQL's one-dimensional array input syntax (`'{a,"b c",NULL}'`), read at translation time.

/// The elements of a one-dimensional array literal, `None` for an unquoted `NULL`, or PostgreSQL's
/// complaint ("malformed array literal: ...") for text that is not one; nested braces (a
/// multi-dimensional array, which BSON cannot hold as PostgreSQL does) are `Err` too.
pub(crate) fn parse_array_literal(text: &str) -> Result<Vec<Option<String>>, String> {
    let bad = || format!("malformed array literal: \"{text}\"");
    let inner = text
        .trim()
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .ok_or_else(bad)?;
    let mut out = Vec::new();
    if inner.trim().is_empty() {
        return Ok(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let mut quoted = false;
        let mut pending_ws = String::new();
        loop {
            match chars.peek().copied() {
                None | Some(',') => break,
                Some('"') if item.is_empty() && !quoted => {
                    chars.next();
                    quoted = true;
                    loop {
                        match chars.next() {
                            None => return Err(bad()),
                            Some('"') => break,
                            Some('\\') => item.push(chars.next().ok_or_else(bad)?),
                            Some(c) => item.push(c),
                        }
                    }
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    if !matches!(chars.peek(), None | Some(',')) {
                        return Err(bad());
                    }
                }
                Some('{') | Some('}') | Some('"') => {
                    return Err(format!(
                        "{}: multi-dimensional or nested arrays are not translated",
                        bad()
                    ))
                }
                Some('\\') => {
                    chars.next();
                    item.push_str(&pending_ws);
                    pending_ws.clear();
                    item.push(chars.next().ok_or_else(bad)?);
                }
                Some(c) if c.is_whitespace() => {
                    chars.next();
                    pending_ws.push(c);
                }
                Some(c) => {
                    chars.next();
                    item.push_str(&pending_ws);
                    pending_ws.clear();
                    item.push(c);
                }
            }
        }
        if item.is_empty() && !quoted {
            return Err(bad());
        }
        if !quoted && item.eq_ignore_ascii_case("null") {
            out.push(None);
        } else {
            out.push(Some(item));
        }
        if chars.next().is_none() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_array_literal;

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn elements_quotes_nulls_and_spaces() {
        assert_eq!(parse_array_literal("{a,b}").unwrap(), some(&["a", "b"]));
        assert_eq!(
            parse_array_literal(" { 1 , 2 } ").unwrap(),
            some(&["1", "2"])
        );
        assert_eq!(
            parse_array_literal("{}").unwrap(),
            Vec::<Option<String>>::new()
        );
        assert_eq!(
            parse_array_literal(r#"{"a b","NULL",NULL,null,x\,y, in ner }"#).unwrap(),
            vec![
                Some("a b".into()),
                Some("NULL".into()),
                None,
                None,
                Some("x,y".into()),
                Some("in ner".into())
            ]
        );
        assert_eq!(parse_array_literal(r#"{"q\"t"}"#).unwrap(), some(&["q\"t"]));
    }

    #[test]
    fn malformed_literals_are_errors() {
        for bad in [
            "a,b",
            "{a,,b}",
            "{a,}",
            "{{1,2},{3,4}}",
            "{\"a\"b}",
            "{\"a}",
            "{a\\}",
        ] {
            assert!(parse_array_literal(bad).is_err(), "{bad}");
        }
    }
}
