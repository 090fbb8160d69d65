//! SQL LIKE / SIMILAR TO patterns -> anchored regular expressions with every metacharacter escaped: at
//! translation time for constant patterns, at run time (an aggregation expression building the regex from
//! the pattern's value) for computed ones, so a regex metacharacter in a value never acts as one.

use crate::mql::expr as ex;
use bson::{doc, Bson};

/// The characters escaped with a backslash in a regex built from a LIKE pattern.
const METACHARACTERS: &str = "\\.+*?()|[]{}^$#&-~/";

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
    if METACHARACTERS.contains(c) {
        out.push('\\');
    }
    out.push(c);
}

/// A LIKE pattern computed at run time -> an aggregation expression for its anchored regex (the rules of
/// [`like_to_regex`]). The pattern is cut into tokens by one `$regexFindAll` (the escape character and
/// the one after it, `%`, `_`, one regex metacharacter, or a run of other characters), each token becomes
/// its piece of the regex, and the pieces are joined: a handful of steps per pattern, not a document per
/// code point. A pattern ending in a lone escape character gives a regex with an unclosed `(`, which
/// `$regexMatch` refuses (PostgreSQL: "LIKE pattern must not end with escape character").
pub(crate) fn like_regex_expr(pattern: Bson, escape: Option<char>) -> Bson {
    if matches!(escape, Some('%' | '_')) {
        return like_regex_expr_by_chars(pattern, escape);
    }
    let class: String = METACHARACTERS.chars().flat_map(|c| ['\\', c]).collect();
    let esc = escape.map(|e| {
        let mut s = String::new();
        // Escaped when a regex metacharacter (the others are themselves, in a class too).
        push_literal(&mut s, e);
        (e, s)
    });
    let mut tokens = String::new();
    if let Some((_, e)) = &esc {
        tokens.push_str(&format!("{e}.|{e}|"));
    }
    tokens.push_str(&format!("%|_|[{class}]|[^{class}%_"));
    if let Some((_, e)) = &esc {
        tokens.push_str(e);
    }
    tokens.push_str("]+");
    let t = ex::var("t.match");
    let metas: Vec<Bson> = METACHARACTERS
        .chars()
        .map(|m| Bson::String(m.to_string()))
        .collect();
    let metas = ex::literal(Bson::Array(metas));
    let escaped = |c: Bson| -> Bson {
        ex::cond(
            ex::in_array(c.clone(), metas.clone()),
            ex::concat(vec![Bson::String("\\".into()), c.clone()]),
            c,
        )
        .into()
    };
    let mut branches = vec![
        (ex::eq(t.clone(), "%").into(), Bson::String(".*".into())),
        (ex::eq(t.clone(), "_").into(), Bson::String(".".into())),
    ];
    if let Some((e, _)) = &esc {
        let e = e.to_string();
        // A lone escape character can only be the last token.
        branches.push((
            ex::eq(t.clone(), e.as_str()).into(),
            Bson::String("(".into()),
        ));
        branches.push((
            ex::eq(ex::substr_cp(t.clone(), 0, 1), e.as_str()).into(),
            escaped(ex::substr_cp(t.clone(), 1, 1)),
        ));
    }
    let piece = ex::switch(branches, escaped(t.into()));
    let pieces = ex::map(ex::regex_find_all(pattern, tokens, "s"), Some("t"), piece);
    let joined = ex::reduce(
        pieces,
        "^",
        ex::concat(vec![ex::value().into(), ex::this().into()]),
    );
    // The regex's end anchor (a string starting with it is `$literal`-wrapped).
    ex::concat(vec![joined, ex::literal(String::from('$')).into()])
}

/// [`like_regex_expr`] for a pattern computed as a `$concat` of constant strings and computed parts (or one
/// computed part): the constant parts are converted here, and a computed part that holds neither the escape
/// character nor a regex metacharacter (one test by a constant regex per document) is its own regex piece,
/// its wildcards `%` and `_` turned into `.*` and `.` by two `$replaceAll`, so the regex is one `$concat` of
/// the pieces (`LIKE namespace || ':%'`: `^` + the namespace + `:.*$`; `api_v2` gives `api.v2`) instead of
/// the tokenizing plan. A computed part holding such a character (or not a string) takes the tokenizing
/// plan. `None` when the pattern is not of this shape or a
/// constant part ends in a lone escape character (the escape would reach into the next part).
pub(crate) fn like_regex_expr_of_parts(pattern: &Bson, escape: Option<char>) -> Option<Bson> {
    let single = [pattern.clone()];
    let parts: &[Bson] = match ex::concat_operands(pattern) {
        Some(parts) => parts,
        None if ex::constant_string(pattern).is_none() => &single,
        None => return None,
    };
    // What a computed part must not hold to be its own piece: a regex metacharacter or the escape
    // character. Its `%` and `_` (when not the escape character) become `.*` and `.` by `$replaceAll`.
    let mut class: String = METACHARACTERS.chars().flat_map(|c| ['\\', c]).collect();
    if let Some(e) = escape {
        push_literal(&mut class, e);
    }
    let special = format!("[{class}]");
    let mut vars = bson::Document::new();
    let mut guards = Vec::new();
    let mut pieces = vec![Bson::String("^".into())];
    for (i, part) in parts.iter().enumerate() {
        match ex::constant_string(part) {
            Some(s) => {
                let re = like_to_regex(s, escape)?;
                // Without its anchors.
                let inner = &re[1..re.len() - 1];
                if !inner.is_empty() {
                    pieces.push(ex::literal(inner).into());
                }
            }
            None => {
                let name = format!("lp{i}");
                vars.insert(&name, part.clone());
                let v = ex::var(&name);
                guards.push(ex::eq(ex::type_of(v.clone()), "string"));
                guards.push(ex::not(ex::regex_match(v.clone(), special.as_str(), "")));
                pieces.push(ex::replace_all(ex::replace_all(v, "%", ".*"), "_", "."));
            }
        }
    }
    if vars.is_empty() {
        return None;
    }
    pieces.push(ex::literal(String::from('$')).into());
    let computed: Vec<Bson> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| match ex::constant_string(part) {
            Some(_) => part.clone(),
            None => ex::var(&format!("lp{i}")).into(),
        })
        .collect();
    let whole = if computed.len() == 1 {
        computed.into_iter().next().unwrap_or(Bson::Null)
    } else {
        ex::concat(computed)
    };
    let general = if matches!(escape, Some('%' | '_')) {
        like_regex_expr_by_chars(whole, escape)
    } else {
        like_regex_expr(whole, escape)
    };
    Some(ex::let_in(
        vars,
        ex::cond(ex::and(guards), ex::concat(pieces), general),
    ))
}

/// [`like_regex_expr`] one code point at a time: the rules of [`like_to_regex`] applied by a `$reduce` over
/// the pattern's code points, its state a `{r, e}` document (the regex so far, whether the last character
/// was the escape). Used when the escape character is `%` or `_` (where the tokens of [`like_regex_expr`]
/// would be ambiguous), and by the tests as the reference. A pattern ending in a lone escape character
/// gives the regex `(`.
pub(crate) fn like_regex_expr_by_chars(pattern: Bson, escape: Option<char>) -> Bson {
    let c = ex::var("c");
    let r = ex::var("value.r");
    let metas: Vec<Bson> = METACHARACTERS
        .chars()
        .map(|m| Bson::String(m.to_string()))
        .collect();
    let literal = ex::cond(
        ex::in_array(c.clone(), ex::literal(Bson::Array(metas))),
        ex::concat(vec![Bson::String("\\".into()), c.clone().into()]),
        c.clone(),
    );
    let append = |piece: Bson| {
        Bson::Document(doc! {"r": ex::concat(vec![r.clone().into(), piece]), "e": false})
    };
    let unescaped = ex::switch(
        vec![
            (
                ex::eq(c.clone(), "%").into(),
                append(Bson::String(".*".into())),
            ),
            (
                ex::eq(c.clone(), "_").into(),
                append(Bson::String(".".into())),
            ),
        ],
        append(literal.clone().into()),
    );
    let step = match escape {
        Some(esc) => ex::cond(
            ex::var("value.e"),
            append(literal.into()),
            ex::cond(
                ex::eq(c.clone(), esc.to_string()),
                Bson::Document(doc! {"r": r.clone(), "e": true}),
                unescaped,
            ),
        ),
        None => unescaped.into(),
    };
    let body = ex::let_in(doc! {"c": ex::substr_cp(ex::var("p"), ex::this(), 1)}, step);
    let folded = ex::reduce(
        ex::range(0, ex::str_len_cp(ex::var("p"))),
        Bson::Document(doc! {"r": "", "e": false}),
        body,
    );
    ex::let_in(
        doc! {"p": pattern},
        ex::let_in(
            doc! {"f": folded},
            ex::cond(
                ex::var("f.e"),
                "(",
                ex::concat(vec![
                    Bson::String("^".into()),
                    ex::var("f.r").into(),
                    // The regex's end anchor (a string starting with it is `$literal`-wrapped).
                    ex::literal(String::from('$')).into(),
                ]),
            ),
        ),
    )
}

/// Converts a SIMILAR TO pattern to a regex as PostgreSQL's `similar_to_escape` does: the whole pattern
/// anchored as `^(?:...)$`; `%` -> `.*`, `_` -> `.`; `|`, `*`, `+`, `?`, `{m,n}`, `)` and bracket
/// expressions keep their regex meaning, `(` opens a non-capturing group; `.`, `^`, `$` and `\` are
/// literal; the escape character (default `\`) followed by a character gives that character escaped.
/// A trailing escape character is dropped (PostgreSQL); `Err` for the escape character before `"`
/// (SUBSTRING's separator, not translated).
pub(crate) fn similar_to_regex(pattern: &str, escape: Option<char>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 10);
    out.push_str("^(?:");
    let mut after_escape = false;
    // Square-bracket nesting ([[:alpha:]]) and the position inside a class: a `]` first (after an
    // optional `^`) is a literal member.
    let mut depth = 0usize;
    let mut class_pos = 0usize;
    for c in pattern.chars() {
        if after_escape {
            if c == '"' && depth == 0 {
                return Err("SIMILAR TO with the escape-double-quote separator".into());
            }
            out.push('\\');
            out.push(c);
            class_pos = 3;
            after_escape = false;
        } else if Some(c) == escape {
            after_escape = true;
        } else if depth > 0 {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
            if c == ']' && class_pos > 2 {
                depth -= 1;
            } else if c == '[' {
                depth += 1;
                class_pos = 3;
            } else if c == '^' {
                class_pos += 1;
            } else {
                class_pos = 3;
            }
        } else if c == '[' {
            out.push('[');
            depth = 1;
            class_pos = 1;
        } else if c == '%' {
            out.push_str(".*");
        } else if c == '_' {
            out.push('.');
        } else if c == '(' {
            out.push_str("(?:");
        } else if matches!(c, '\\' | '.' | '^' | '$') {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    // A trailing escape character is dropped, as PostgreSQL does.
    out.push_str(")$");
    Ok(out)
}

/// A SIMILAR TO pattern computed at run time -> an aggregation expression for its regex: [`similar_to_regex`]'s
/// rules applied by a `$reduce` over the pattern's code points, whose state carries what the constant
/// conversion keeps in variables (`r` the regex so far, `e` after the escape character, `d` the bracket
/// nesting, `k` the position inside a bracket expression). The escape character before `"` (SUBSTRING's
/// separator) gives the regex `(`, which `$regexMatch` refuses, as the constant form refuses it.
pub(crate) fn similar_regex_expr(pattern: Bson, escape: Option<char>) -> Bson {
    let c = ex::var("c");
    let (r, d, k) = (ex::var("value.r"), ex::var("value.d"), ex::var("value.k"));
    let state =
        |r: Bson, e: bool, d: Bson, k: Bson| Bson::Document(doc! {"r": r, "e": e, "d": d, "k": k});
    let append = |piece: Bson| ex::concat(vec![r.clone().into(), piece]);
    let escaped = |x: Bson| ex::concat(vec![Bson::String("\\".into()), x]);
    // Inside a bracket expression: the character as it is (a backslash escaped), then the nesting.
    let in_class = state(
        append(ex::cond(ex::eq(c.clone(), "\\"), "\\\\", c.clone()).into()),
        false,
        Bson::from(ex::cond(
            ex::and(vec![ex::eq(c.clone(), "]"), ex::gt(k.clone(), 2)]),
            ex::subtract(d.clone(), 1),
            ex::cond(
                ex::eq(c.clone(), "["),
                ex::add(vec![d.clone().into(), Bson::Int32(1)]),
                d.clone(),
            ),
        )),
        ex::switch(
            vec![
                (
                    Bson::from(ex::eq(c.clone(), "]")),
                    ex::cond(ex::gt(k.clone(), 2), k.clone(), Bson::Int32(3)).into(),
                ),
                (
                    ex::eq(c.clone(), "^").into(),
                    ex::add(vec![k.clone().into(), Bson::Int32(1)]),
                ),
            ],
            Bson::Int32(3),
        ),
    );
    let outside = ex::switch(
        vec![
            (
                ex::eq(c.clone(), "[").into(),
                state(append("[".into()), false, Bson::Int32(1), Bson::Int32(1)),
            ),
            (
                ex::eq(c.clone(), "%").into(),
                state(
                    append(".*".into()),
                    false,
                    d.clone().into(),
                    k.clone().into(),
                ),
            ),
            (
                ex::eq(c.clone(), "_").into(),
                state(
                    append(".".into()),
                    false,
                    d.clone().into(),
                    k.clone().into(),
                ),
            ),
            (
                ex::eq(c.clone(), "(").into(),
                state(
                    append("(?:".into()),
                    false,
                    d.clone().into(),
                    k.clone().into(),
                ),
            ),
            (
                ex::in_array(
                    c.clone(),
                    ex::literal(Bson::Array(
                        "\\.^$"
                            .chars()
                            .map(|m| Bson::String(m.to_string()))
                            .collect(),
                    )),
                ),
                state(
                    append(escaped(c.clone().into())),
                    false,
                    d.clone().into(),
                    k.clone().into(),
                ),
            ),
        ],
        state(
            append(c.clone().into()),
            false,
            d.clone().into(),
            k.clone().into(),
        ),
    );
    let unescaped = ex::cond(ex::gt(d.clone(), 0), in_class, outside);
    let after_escape = ex::cond(
        ex::and(vec![ex::eq(c.clone(), "\""), ex::eq(d.clone(), 0)]),
        state("(".into(), true, Bson::Int32(-1), k.clone().into()),
        state(
            append(escaped(c.clone().into())),
            false,
            d.clone().into(),
            Bson::Int32(3),
        ),
    );
    let not_after_escape = match escape {
        Some(esc) => ex::cond(
            ex::eq(c.clone(), esc.to_string()),
            state(r.clone().into(), true, d.clone().into(), k.clone().into()),
            unescaped,
        ),
        None => unescaped,
    };
    // `d` is -1 once the pattern is refused: the regex stays `(`.
    let step = ex::cond(
        ex::eq(d.clone(), -1),
        ex::var("value"),
        ex::cond(ex::var("value.e"), after_escape, not_after_escape),
    );
    let body = ex::let_in(doc! {"c": ex::substr_cp(ex::var("p"), ex::this(), 1)}, step);
    let folded = ex::reduce(
        ex::range(0, ex::str_len_cp(ex::var("p"))),
        state("".into(), false, Bson::Int32(0), Bson::Int32(0)),
        body,
    );
    ex::let_in(
        doc! {"p": pattern},
        ex::let_in(
            doc! {"f": folded},
            ex::cond(
                ex::eq(ex::var("f.d"), -1),
                "(",
                ex::concat(vec![
                    Bson::String("^(?:".into()),
                    ex::var("f.r").into(),
                    ex::literal(String::from(")$")).into(),
                ]),
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::expr::{Expr as Compiled, Vars};
    use proptest::prelude::*;

    /// The regex a run-time pattern plan computes, evaluated by the embedded engine.
    fn computed(plan: Bson) -> Option<Bson> {
        Compiled::compile(&plan)
            .and_then(|c| {
                c.eval(
                    &bson::Document::new(),
                    &Vars::new(bson::DateTime::from_millis(0)),
                )
            })
            .expect("the plan evaluates")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The tokenizing plan and the one-code-point-at-a-time plan compute the regex the constant
        /// translation writes (a lone trailing escape: a regex that does not compile), for any escape.
        #[test]
        fn run_time_patterns_equal_the_constant_translation(
            chars in prop::collection::vec(
                prop::sample::select(vec!["a", "B", "%", "_", "\\", ".", "*", "(", "[", "]", "^", "$", "-", "&", "#", "~", "/", "{", "é", "\n", "!", "<", "xyz"]),
                0..9,
            ),
            escape in prop::sample::select(vec![None, Some('\\'), Some('!'), Some('a'), Some('%'), Some('_'), Some('.'), Some('é')]),
        ) {
            let p: String = chars.concat();
            let want = like_to_regex(&p, escape);
            for plan in [
                like_regex_expr(ex::literal(p.as_str()).into(), escape),
                like_regex_expr_by_chars(ex::literal(p.as_str()).into(), escape),
            ] {
                let got = computed(plan);
                match (&want, got) {
                    (Some(w), got) => prop_assert_eq!(got, Some(Bson::String(w.clone())), "{:?} {:?}", p, escape),
                    (None, Some(Bson::String(re))) => {
                        prop_assert!(regex::Regex::new(&re).is_err(), "{:?} {:?} -> {}", p, escape, re)
                    }
                    (None, other) => prop_assert!(false, "{:?} {:?} -> {:?}", p, escape, other),
                }
            }
        }
    }

    /// A part of a computed pattern: a constant, or a field of the document holding a value.
    fn part() -> impl Strategy<Value = (bool, Bson)> {
        let text = prop::collection::vec(
            prop::sample::select(vec![
                "a", "B", "%", "_", "\\", ".", "*", "(", "-", "é", "!", "xyz", ":",
            ]),
            0..4,
        )
        .prop_map(|v| v.concat());
        prop_oneof![
            text.clone().prop_map(|t| (true, Bson::String(t))),
            text.clone().prop_map(|t| (false, Bson::String(t))),
            Just((false, Bson::Null)),
            Just((false, Bson::Int32(7))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The regex of a pattern computed from parts, with its computed parts used as they are (their
        /// wildcards replaced) when they hold no metacharacter nor the escape character, equals the tokenizing plan's for the whole pattern (the same string, or the
        /// same error), evaluated by the embedded engine on documents holding the parts.
        #[test]
        fn pieces_as_they_are_equal_the_tokenizing_plan(
            parts in prop::collection::vec(part(), 1..4),
            escape in prop::sample::select(vec![None, Some('\\'), Some('!'), Some('%'), Some('.'), Some('a')]),
        ) {
            let mut doc = bson::Document::new();
            let mut operands = Vec::new();
            for (i, (constant, v)) in parts.iter().enumerate() {
                if *constant {
                    operands.push(ex::literal(v.clone()).into());
                } else {
                    let f = format!("f{i}");
                    doc.insert(&f, v.clone());
                    operands.push(Bson::from(ex::field(&f)));
                }
            }
            let pattern = if operands.len() == 1 { operands[0].clone() } else { ex::concat(operands) };
            let Some(fast) = like_regex_expr_of_parts(&pattern, escape) else {
                return Ok(());
            };
            let general = if matches!(escape, Some('%' | '_')) {
                like_regex_expr_by_chars(pattern.clone(), escape)
            } else {
                like_regex_expr(pattern.clone(), escape)
            };
            let run = |plan: &Bson| {
                Compiled::compile(plan)
                    .and_then(|c| c.eval(&doc, &Vars::new(bson::DateTime::from_millis(0))))
                    .map_err(|e| e.code)
            };
            prop_assert_eq!(run(&fast), run(&general), "{:?} {:?}", pattern, escape);
        }
    }

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

    #[test]
    fn similar_to_follows_postgresql() {
        let cases = [
            ("abc", "^(?:abc)$"),
            ("a%|b_", "^(?:a.*|b.)$"),
            ("(a|b)*c+", "^(?:(?:a|b)*c+)$"),
            ("[a-c]{2}.x$", "^(?:[a-c]{2}\\.x\\$)$"),
            ("[]x]", "^(?:[]x])$"),
            ("[^]x]", "^(?:[^]x])$"),
            ("a\\%b", "^(?:a\\%b)$"),
        ];
        for (p, want) in cases {
            assert_eq!(similar_to_regex(p, Some('\\')).as_deref(), Ok(want), "{p}");
        }
        assert_eq!(
            similar_to_regex("ab\\", Some('\\')).as_deref(),
            Ok("^(?:ab)$")
        );
        assert_eq!(
            similar_to_regex("a#%", Some('#')).as_deref(),
            Ok("^(?:a\\%)$")
        );
    }
}
