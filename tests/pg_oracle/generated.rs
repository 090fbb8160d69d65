//! Generated PostgreSQL-differential cases for issue 17's forms: every percentile fraction of a grid over
//! every numeric column, DISTINCT ON over key x ORDER BY column x direction, the deviation family per
//! grouping, NTILE's bucket counts over partitions of every size, and window ORDER BYs in mixed directions.
//! Deterministic (no randomness): the same list every run.

/// `(name, statements)` of each generated case.
pub fn cases() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let numeric = [
        ("user_sessions", "page_views"),
        ("user_sessions", "risk_score"),
        ("user_sessions", "cart_total"),
        ("user_sessions", "actions_performed"),
        ("user_sessions", "data_transferred"),
        ("application_cache", "hit_count"),
        ("application_cache", "score"),
    ];
    let fractions = [
        "0", "0.1", "0.25", "0.33", "0.5", "0.67", "0.75", "0.9", "1",
    ];
    for (t, c) in numeric {
        for f in fractions {
            out.push((
                format!("gen_percentile_{c}_{}", f.replace('.', "_")),
                vec![format!(
                    "SELECT PERCENTILE_CONT({f}) WITHIN GROUP (ORDER BY {c}) AS pc, PERCENTILE_DISC({f}) WITHIN GROUP (ORDER BY {c}) AS pd, PERCENTILE_CONT({f}) WITHIN GROUP (ORDER BY {c} DESC) AS pcd, PERCENTILE_DISC({f}) WITHIN GROUP (ORDER BY {c} DESC) AS pdd FROM {t};"
                )],
            ));
        }
    }
    let keys = [
        "user_id",
        "login_method",
        "active",
        "ip_address",
        "device_fingerprint",
    ];
    let orders = ["page_views", "risk_score", "created_at", "data_transferred"];
    for k in keys {
        for o in orders {
            for (dir, tag) in [("", "asc"), (" DESC NULLS LAST", "desc")] {
                out.push((
                    format!("gen_distinct_on_{k}_{o}_{tag}"),
                    vec![format!(
                        "SELECT DISTINCT ON ({k}) {k}, {o}, session_id FROM user_sessions ORDER BY {k}, {o}{dir}, session_id;"
                    )],
                ));
            }
        }
    }
    for g in ["user_id", "login_method", "active"] {
        for c in ["page_views", "risk_score", "cart_total", "data_transferred"] {
            out.push((
                format!("gen_deviation_{c}_by_{g}"),
                vec![format!(
                    "SELECT {g}, STDDEV_SAMP({c}) AS ss, STDDEV_POP({c}) AS sp, VAR_SAMP({c}) AS vs, VAR_POP({c}) AS vp, MODE() WITHIN GROUP (ORDER BY {c}) AS m FROM user_sessions GROUP BY {g} ORDER BY {g};"
                )],
            ));
        }
    }
    // ORDER BY the aggregated value itself (the values alone are pushed and sorted): every direction and
    // NULL placement, DISTINCT, FILTER, per column type.
    for c in [
        "page_views",
        "risk_score",
        "cart_total",
        "data_transferred",
        "created_at",
        "active",
        "user_id",
        "ip_address",
        "device_fingerprint",
    ] {
        let text = matches!(c, "user_id" | "ip_address" | "device_fingerprint");
        let strings = if text {
            format!(", STRING_AGG({c}, ',' ORDER BY {c}) AS s, STRING_AGG(DISTINCT {c}, '|' ORDER BY {c} DESC) AS sd, JSON_AGG({c} ORDER BY {c} DESC NULLS LAST) AS j")
        } else {
            String::new()
        };
        out.push((
            format!("gen_collect_ordered_by_value_{c}"),
            vec![format!(
                "SELECT login_method, ARRAY_AGG({c} ORDER BY {c}) AS a, ARRAY_AGG({c} ORDER BY {c} DESC) AS d, ARRAY_AGG({c} ORDER BY {c} NULLS FIRST) AS af, ARRAY_AGG({c} ORDER BY {c} DESC NULLS LAST) AS dl, ARRAY_AGG(DISTINCT {c} ORDER BY {c} DESC) AS dd, ARRAY_AGG({c} ORDER BY {c}) FILTER (WHERE page_views > 20) AS f{strings} FROM user_sessions GROUP BY login_method ORDER BY login_method;"
            )],
        ));
    }
    // NTILE: every bucket count against partitions of every size (one row, fewer rows than buckets, count a
    // multiple of the buckets or not, no rows at all).
    let buckets = [1, 2, 3, 4, 5, 7, 11, 64];
    for (p, ptag) in [
        ("", "whole"),
        ("PARTITION BY user_id ", "by_user"),
        ("PARTITION BY login_method ", "by_login"),
        ("PARTITION BY active ", "by_active"),
    ] {
        for (w, wtag) in [
            ("", "all"),
            (" WHERE page_views >= 20", "some"),
            (" WHERE page_views < 0", "none"),
        ] {
            let cols: Vec<String> = buckets
                .iter()
                .map(|b| format!("NTILE({b}) OVER ({p}ORDER BY session_id) AS n{b}"))
                .collect();
            out.push((
                format!("gen_ntile_{ptag}_{wtag}"),
                vec![format!(
                    "SELECT session_id, {} FROM user_sessions{w} ORDER BY session_id;",
                    cols.join(", ")
                )],
            ));
        }
    }
    // Containment and overlap as values (true / false / NULL, each computed once), negated, and tested for
    // NULL, over array and jsonb columns that hold NULLs, empty arrays and other shapes.
    for (t, key, col, rights) in [
        (
            "user_sessions",
            "session_id",
            "tags",
            &["ARRAY['beta']", "ARRAY['beta', 'eu']", "ARRAY[]::text[]"][..],
        ),
        (
            "application_cache",
            "cache_key",
            "tags",
            &["ARRAY['hot']", "ARRAY['user', 'page']"][..],
        ),
    ] {
        for (i, r) in rights.iter().enumerate() {
            out.push((
                format!("gen_array_contains_overlap_{t}_{i}"),
                vec![format!(
                    "SELECT {key}, {col} @> {r} AS c, NOT ({col} @> {r}) AS nc, {r} <@ {col} AS cb, {col} && {r} AS o, NOT ({col} && {r}) AS no, ({col} @> {r}) IS NULL AS cn, ({col} && {r}) IS NOT TRUE AS ont FROM {t} ORDER BY {key};"
                )],
            ));
        }
    }
    for (t, key, col, rights) in [
        (
            "user_sessions",
            "session_id",
            "session_data",
            &[
                r#"'{"preferences": {"theme": "dark"}}'"#,
                r#"'{"shoppingCart": {"items": [{"sku": "s1"}]}}'"#,
                "'{}'",
            ][..],
        ),
        (
            "application_cache",
            "cache_key",
            "value",
            &[r#"'{"meta": {"gz": true}}'"#, r#"'{"kind": "json"}'"#][..],
        ),
    ] {
        for (i, r) in rights.iter().enumerate() {
            out.push((
                format!("gen_jsonb_contains_value_{t}_{i}"),
                vec![format!(
                    "SELECT {key}, {col} @> {r} AS c, NOT ({col} @> {r}) AS nc, ({col} @> {r}) IS NULL AS cn, CASE WHEN {col} @> {r} THEN 1 WHEN NOT ({col} @> {r}) THEN 0 END AS k FROM {t} ORDER BY {key};"
                )],
            ));
        }
    }
    // JSON paths: runs of keys read as one `$let` (every level's type tested, the last read), index steps
    // (the element copied out alone, also from a computed step), `#>` paths mixing keys and indexes, over
    // NULL, JSON null, scalars, arrays where objects are expected and the other way round, missing keys,
    // keys holding LIKE / regex metacharacters, a computed base.
    let json_rows = [
        "(1, NULL)",
        "(2, 'null')",
        "(3, '{}')",
        "(4, '[]')",
        r#"(5, '{"a": {"b": {"c": 1, "d": [1, 2]}}, "x": 1}')"#,
        r#"(6, '{"a": [{"b": {"c": 2}}, {"b": 3}]}')"#,
        r#"(7, '{"a": {"b": [{"c": "u"}, {"c": null}, 5]}}')"#,
        r#"(8, '{"a": "s", "b": null}')"#,
        r#"(9, '{"a": {"b": null}}')"#,
        r#"(10, '{"a": {"b": {"c": {"e": "deep"}}}}')"#,
        r#"(11, '{"a_b": {"c%d": {"e-f": "seven", "g(h)": [true]}}, "a": {"b": {}}}')"#,
        r#"(12, '{"a": {"b": {"c": [[1, 2], {"e": 4}]}}}')"#,
        r#"(13, '[{"a": {"b": "one"}}, [2, 3]]')"#,
        r#"(14, '{"a": {"b": {"0": "zero", "c": ""}}}')"#,
        "(15, '\"a\"')",
        "(16, '7')",
    ];
    // (A column followed by text keys is the field path `$j.a.b`: MongoDB's path rules on arrays, a
    // documented deviation; these paths start with `#>`, an index or a computed value. `->>` / `#>>` here
    // end on strings: of a number they give the number, not its text.)
    let json_paths = [
        "j#>'{a}'",
        "j#>'{a,b}'",
        "j#>'{a,b,c}'",
        "j#>>'{a,b,c,e}'",
        "j#>'{a,b,0}'",
        "j#>'{a,0,b,c}'",
        "j#>'{a,b,-1}'",
        "j#>'{0,a,b}'",
        "j#>'{1,0}'",
        "j#>'{a,b,c,1,e}'",
        "j#>'{a,b,c,0,1}'",
        "j#>>'{a_b,c%d,e-f}'",
        "j#>'{a_b,c%d,g(h),0}'",
        "j#>'{a,b,0}'->>'c'",
        "(j#>'{a,b}')->'c'->>'e'",
        "j->0->'a'->'b'",
        "j->0->'a'->>'b'",
        "j->1-> -1",
        "j-> -2->'a'->'b'->'c'",
        "jsonb_build_object('k', j)->'k'->'a'->'b'",
        "jsonb_build_object('k', j)->'k'->'a'->'b'->'c'",
        "jsonb_build_object('k', j)->'k'->0->'a'->'b'",
        "jsonb_build_object('k', j#>'{a}')->'k'->'b'->'c'",
        "(j#>>'{a,b,c}') IS NULL",
    ];
    for (i, path) in json_paths.iter().enumerate() {
        out.push((
            format!("gen_json_path_{i}"),
            vec![
                "CREATE TABLE jp (id INTEGER, j JSONB);".to_string(),
                format!("INSERT INTO jp (id, j) VALUES {};", json_rows.join(", ")),
                format!("SELECT id, {path} AS v FROM jp ORDER BY id;"),
            ],
        ));
    }
    // LIKE of a pattern computed from a column and constants: the column's wildcards turned into regex
    // pieces in place (`_`, `%`), the tokenizing plan for an escape character or a regex metacharacter in
    // it; NULL, empty strings, ESCAPE clauses.
    let like_rows = [
        "(1, 'api', 'api:x')",
        "(2, 'api_v2', 'api_v2:k')",
        "(3, 'api_v2', 'apixv2:k')",
        "(4, 'api_v2', 'api_v2')",
        "(5, 'a%b', 'a123b:')",
        "(6, 'a%b', 'ab:q')",
        "(7, '', ':z')",
        "(8, '', 'z:')",
        "(9, NULL, 'api:x')",
        "(10, 'api', NULL)",
        "(11, 'a.b', 'a.b:1')",
        "(12, 'a.b', 'axb:1')",
        "(13, 'x\\_y', 'x_y:1')",
        "(14, 'x\\_y', 'xzy:1')",
        "(15, 'p!_q', 'p_q:1')",
        "(16, 'p!_q', 'p!zq:1')",
        "(17, '_%_', 'ab:')",
        "(18, '_%_', 'a:')",
        "(19, 'é_', 'éa:')",
        "(20, '(a)*', '(a)*:')",
        "(21, 'A_', 'ab:')",
    ];
    let like_preds = [
        "s LIKE p || ':%'",
        "s LIKE '%' || p",
        "s LIKE p",
        "s LIKE p || '%' ESCAPE '!'",
        "s LIKE '_' || p || '%'",
        "s ILIKE p || ':%'",
        "s NOT LIKE p || ':%'",
    ];
    for (i, pred) in like_preds.iter().enumerate() {
        out.push((
            format!("gen_like_computed_pattern_{i}"),
            vec![
                "CREATE TABLE lp (id INTEGER, p TEXT, s TEXT);".to_string(),
                format!("INSERT INTO lp (id, p, s) VALUES {};", like_rows.join(", ")),
                format!("SELECT id, {pred} AS m FROM lp ORDER BY id;"),
                format!("SELECT id FROM lp WHERE {pred} ORDER BY id;"),
            ],
        ));
    }
    // Window ORDER BY in mixed directions for the functions that never compare peers (ROW_NUMBER, NTILE,
    // LAG / LEAD, ROWS frames: sorted field by field), beside RANK and a default (peers) frame over the same
    // window: every column type as the first key, each NULL placement, partitions with NULL keys; session_id
    // last makes the order total (ties on the first key).
    for c in [
        "page_views",
        "risk_score",
        "cart_total",
        "data_transferred",
        "created_at",
        "active",
        "login_method",
    ] {
        for (d1, d2, dtag) in [
            (" DESC", "", "desc_asc"),
            (" DESC NULLS LAST", "", "desclast_asc"),
            (" NULLS FIRST", " DESC", "ascfirst_desc"),
            ("", " DESC", "asc_desc"),
        ] {
            for (p, ptag) in [
                ("", "whole"),
                ("PARTITION BY login_method ", "by_login"),
                ("PARTITION BY active ", "by_active"),
            ] {
                let w = format!("{p}ORDER BY {c}{d1}, session_id{d2}");
                out.push((
                    format!("gen_window_mixed_{c}_{dtag}_{ptag}"),
                    vec![format!(
                        "SELECT session_id, ROW_NUMBER() OVER ({w}) AS rn, NTILE(3) OVER ({w}) AS nt, LAG(session_id) OVER ({w}) AS lg, LEAD(page_views, 2, -1) OVER ({w}) AS ld, SUM(page_views) OVER ({w} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS sm, FIRST_VALUE({c}) OVER ({w} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS fv, LAST_VALUE(session_id) OVER ({w} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lv, COUNT({c}) OVER ({w} ROWS UNBOUNDED PRECEDING) AS cn, RANK() OVER ({p}ORDER BY {c}{d1}, active{d2}) AS rk, MAX(page_views) OVER ({p}ORDER BY {c}{d1}, active{d2}) AS mx FROM user_sessions ORDER BY session_id;"
                    )],
                ));
            }
        }
    }
    // Window ORDER BY on columns themselves: sorted on the field, without a key document, where every key's
    // NULLs sort where MongoDB puts them (ASC NULLS FIRST, DESC NULLS LAST); with a NULL flag otherwise.
    // Ranks and peer frames on one key (ties on it), ROW_NUMBER / NTILE / LAG on two, every column type,
    // each direction and NULL placement, partitions with NULL keys.
    for c in [
        "page_views",
        "risk_score",
        "cart_total",
        "data_transferred",
        "created_at",
        "active",
        "login_method",
    ] {
        for (d, dtag) in [
            ("", "asc"),
            (" NULLS FIRST", "ascfirst"),
            (" DESC", "desc"),
            (" DESC NULLS LAST", "desclast"),
        ] {
            for (p, ptag) in [
                ("", "whole"),
                ("PARTITION BY login_method ", "by_login"),
                ("PARTITION BY active ", "by_active"),
            ] {
                let w = format!("{p}ORDER BY {c}{d}");
                out.push((
                    format!("gen_window_plain_{c}_{dtag}_{ptag}"),
                    vec![format!(
                        "SELECT session_id, RANK() OVER ({w}) AS rk, DENSE_RANK() OVER ({w}) AS dr, PERCENT_RANK() OVER ({w}) AS pr, CUME_DIST() OVER ({w}) AS cd, SUM(page_views) OVER ({w}) AS s, COUNT(*) OVER ({w} RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS cf, ROW_NUMBER() OVER ({w}, session_id DESC) AS rn, NTILE(4) OVER ({w}, session_id) AS nt, LAG(session_id) OVER ({w}, session_id) AS lg, FIRST_VALUE(session_id) OVER ({w}, session_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS fv FROM user_sessions ORDER BY session_id;"
                    )],
                ));
            }
        }
    }
    // Three keys in mixed directions, NULL placement on each.
    out.push((
        "gen_window_mixed_three_keys".to_string(),
        vec!["SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY login_method DESC NULLS FIRST, page_views NULLS FIRST, session_id DESC) AS rn, LAG(page_views, 1, 0) OVER (ORDER BY active NULLS FIRST, risk_score DESC NULLS LAST, session_id) AS lg, ARRAY_AGG(session_id) OVER (ORDER BY cart_total DESC, created_at NULLS FIRST, session_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS ag FROM user_sessions ORDER BY session_id;".to_string()],
    ));
    // age() and justify_*() without a time zone (the plan computed from the dates themselves): the data's
    // columns against anchors at month ends, leap days, a millisecond either side of midnight, before 1970,
    // in both orders (negative ages) and against a nullable column; the difference of two declared
    // timestamptz columns (no cast) scaled by big, negative and zero factors, justified.
    for (i, anchor) in [
        "2000-02-29 12:00:00Z",
        "2024-01-31 23:59:59.999Z",
        "2023-03-01 00:00:00.001Z",
        "2026-11-30 10:00:00Z",
        "2026-12-31 23:59:59.5Z",
        "1969-12-31 18:30:00.250Z",
        "2027-02-28 00:00:00Z",
    ]
    .iter()
    .enumerate()
    {
        out.push((
            format!("gen_age_anchor_{i}"),
            vec![format!(
                "SELECT session_id, age(created_at, TIMESTAMPTZ '{anchor}') AS a, age(TIMESTAMPTZ '{anchor}', expires_at) AS b, age(last_accessed, TIMESTAMPTZ '{anchor}') AS c, justify_days(age(expires_at, TIMESTAMPTZ '{anchor}')) AS d FROM user_sessions ORDER BY session_id;"
            )],
        ));
    }
    out.push((
        "gen_age_columns".to_string(),
        vec!["SELECT session_id, age(expires_at, created_at) AS a, age(created_at, expires_at) AS b, age(last_accessed, created_at) AS c, age(created_at, last_accessed) AS d, age(expires_at, expires_at) AS z FROM user_sessions ORDER BY session_id;".to_string()],
    ));
    for k in [
        "0",
        "1",
        "-1",
        "40",
        "-7",
        "1000",
        "page_views",
        "-page_views",
    ] {
        out.push((
            format!("gen_justify_difference_times_{}", k.replace('-', "neg_")),
            vec![format!(
                "SELECT session_id, expires_at - created_at::timestamptz AS d, justify_days((expires_at - created_at::timestamptz) * {k}) AS jd, justify_hours((created_at - expires_at::timestamptz) * {k}) AS jh, justify_interval((expires_at - created_at::timestamptz) * {k}) AS ji, justify_interval((created_at::timestamptz - last_accessed) * {k}) AS jn FROM user_sessions ORDER BY session_id;"
            )],
        ));
    }
    // Interval text inside the query (JSON, arrays, `||`: the pipeline's formatter, computed where each
    // operand builds its value) and GREATEST / LEAST by span: constants with zero and non-zero parts of mixed
    // signs times integer, negated, big and fractional factors, date differences scaled and divided, sums
    // of mixed signs, justified values, NULLs (a NULL factor, a NULL argument), and arguments equal in span
    // but not in parts (`1 day` / `24 hours`, `1 mon` / `30 days`: the first is kept).
    for (i, e) in [
        "INTERVAL '1 hour' * page_views",
        "INTERVAL '1 mon -2 days 03:00:00.25' * page_views",
        "INTERVAL '-1 day 1 minute' * (page_views - 40)",
        "INTERVAL '1 year 1 day' * -page_views",
        "INTERVAL '2 days' * (page_views % 3) - INTERVAL '30 hours'",
        "INTERVAL '1 mon 5 days' * page_views - INTERVAL '7 hours 3 minutes' * actions_performed",
        "INTERVAL '1 day 2 hours' * 1000000",
        "INTERVAL '1 mon 1 day 1 hour' * 0.37",
        "(expires_at - created_at::timestamptz) * (page_views - 50)",
        "(created_at::timestamptz - expires_at) / 7",
        "-(expires_at - created_at::timestamptz)",
        "justify_interval((expires_at - created_at::timestamptz) * (page_views - 30))",
        "(expires_at - created_at::timestamptz) * CASE WHEN page_views % 5 = 0 THEN NULL ELSE page_views END",
    ]
    .iter()
    .enumerate()
    {
        out.push((
            format!("gen_interval_text_in_query_{i}"),
            vec![format!(
                "SELECT session_id, json_build_object('i', {e}) AS j, jsonb_build_array({e}, NULL) AS a, 'is ' || ({e}) AS t FROM user_sessions ORDER BY session_id;"
            )],
        ));
    }
    for (i, (a, b)) in [
        (
            "INTERVAL '1 day' * (page_views % 3)",
            "INTERVAL '24 hours' * (page_views % 4)",
        ),
        (
            "INTERVAL '1 mon' * (page_views % 2)",
            "INTERVAL '30 days' * ((page_views + 1) % 2)",
        ),
        (
            "INTERVAL '-1 day 3 hours' * (page_views % 7 - 3)",
            "INTERVAL '1 hour' * (page_views - 60)",
        ),
        (
            "expires_at - created_at::timestamptz",
            "INTERVAL '2 days 1 mon' * (page_views % 3) - INTERVAL '60 days'",
        ),
        (
            "(expires_at - created_at::timestamptz) * 0.5",
            "CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 day' * page_views / 8 END",
        ),
    ]
    .iter()
    .enumerate()
    {
        out.push((
            format!("gen_interval_greatest_least_{i}"),
            vec![format!(
                "SELECT session_id, GREATEST({a}, {b}) AS g, LEAST({a}, {b}) AS l, GREATEST({b}, NULL, {a}) AS g3, LEAST({b}, INTERVAL '1 day', {a}) AS l3, json_build_object('g', GREATEST({a}, {b})) AS j FROM user_sessions ORDER BY session_id;"
            )],
        ));
    }
    // Anti-joins (`WHERE x.c IS NULL` after an outer join): a column non-NULL in every match (strict in ON,
    // or a declared PRIMARY KEY) takes the `$limit: 1` plan, a nullable one (`priority`, `user_id`) the plain
    // one; join keys of mixed numeric types (integer against double precision), NULL keys, text keys, no
    // match at all (an empty right side), RIGHT as well as LEFT, and the `NOT (... IS NOT NULL)` spelling.
    let ons = [
        ("int", "s.page_views = c.priority"),
        ("mixed", "s.risk_score = c.score"),
        ("text", "s.user_id = c.namespace"),
        (
            "or",
            "s.page_views = c.priority OR s.login_method = c.namespace",
        ),
        (
            "empty",
            "s.page_views = c.priority AND c.hit_count > 1000000",
        ),
    ];
    for (tag, on) in ons {
        for (w, wtag) in [
            ("s.session_id IS NULL", "pk"),
            ("NOT (s.session_id IS NOT NULL)", "notpk"),
            ("s.user_id IS NULL", "nullable"),
        ] {
            out.push((
                format!("gen_anti_join_right_{tag}_{wtag}"),
                vec![format!(
                    "SELECT c.cache_key, s.user_id FROM user_sessions s RIGHT JOIN application_cache c ON {on} WHERE {w} ORDER BY c.cache_key, s.user_id;"
                )],
            ));
        }
        for (w, wtag) in [
            ("c.cache_key IS NULL AND s.page_views > 10", "pk"),
            ("c.priority IS NULL", "nullable"),
        ] {
            out.push((
                format!("gen_anti_join_left_{tag}_{wtag}"),
                vec![format!(
                    "SELECT s.session_id, c.priority FROM user_sessions s LEFT JOIN application_cache c ON {on} WHERE {w} ORDER BY s.session_id, c.priority;"
                )],
            ));
        }
    }
    // `x op ANY / ALL (array)` for every comparison: array columns holding NULL elements, duplicates, empty
    // and NULL arrays, NULL operands, int / double mixed on either side (7 = 7.0), text, constant arrays
    // with a NULL; as values, negated, and in WHERE.
    let qa_rows = [
        "(1, 2, 2.0, 'b', ARRAY[1,2,3], ARRAY[1.5,2.0], ARRAY['a','b','c'])",
        "(2, NULL, NULL, NULL, ARRAY[1,2], ARRAY[2.5], ARRAY['a'])",
        "(3, 5, 5.5, 'z', NULL, NULL, NULL)",
        "(4, 1, 1.0, 'a', ARRAY[]::integer[], ARRAY[]::double precision[], ARRAY[]::text[])",
        "(5, 3, 3.0, 'c', ARRAY[3,NULL], ARRAY[3.0,NULL], ARRAY['c',NULL])",
        "(6, 0, -1.5, 'a', ARRAY[NULL]::integer[], ARRAY[NULL]::double precision[], ARRAY[NULL]::text[])",
        "(7, 2, 2.5, 'b', ARRAY[2,2,2], ARRAY[2.5,2.5], ARRAY['b','b'])",
        "(8, 4, 1.0, 'd', ARRAY[5,NULL,1], ARRAY[0.5,NULL], ARRAY['e',NULL,'a'])",
        "(9, 7, 7.0, 'm', ARRAY[7], ARRAY[7], ARRAY['m'])",
        "(10, -1, 0.0, '', ARRAY[-1,0], ARRAY[-0.5,0], ARRAY['','a'])",
        "(11, NULL, 2.0, NULL, ARRAY[]::integer[], ARRAY[NULL]::double precision[], ARRAY[]::text[])",
        "(12, 2, 2.0, 'b', ARRAY[NULL,NULL]::integer[], ARRAY[2,2.0], ARRAY['b',NULL,'b'])",
    ];
    for (op, tag) in [
        ("=", "eq"),
        ("<>", "ne"),
        ("<", "lt"),
        ("<=", "le"),
        (">", "gt"),
        (">=", "ge"),
    ] {
        out.push((
            format!("gen_quantified_array_{tag}"),
            vec![
                "CREATE TABLE qa (id INTEGER, x INTEGER, d DOUBLE PRECISION, t TEXT, ai INTEGER[], ad DOUBLE PRECISION[], at TEXT[]);".to_string(),
                format!("INSERT INTO qa (id, x, d, t, ai, ad, at) VALUES {};", qa_rows.join(", ")),
                format!(
                    "SELECT id, x {op} ANY (ai) AS a1, x {op} ALL (ai) AS a2, d {op} ANY (ai) AS a3, d {op} ALL (ai) AS a4, x {op} ANY (ad) AS a5, x {op} ALL (ad) AS a6, t {op} ANY (at) AS a7, t {op} ALL (at) AS a8, 2 {op} ALL (ai) AS a9, NOT (x {op} ALL (ai)) AS a10, NOT (d {op} ANY (ad)) AS a11, x {op} ALL ('{{1,NULL,3}}'::int[]) AS a12, x {op} ANY (ARRAY[2, 2.0]) AS a13, d {op} ALL (ARRAY[2, 2.0]) AS a14, (x {op} ALL (ai)) IS NULL AS a15 FROM qa ORDER BY id;"
                ),
                format!("SELECT id FROM qa WHERE x {op} ALL (ai) ORDER BY id;"),
                format!("SELECT id FROM qa WHERE NOT (t {op} ANY (at)) ORDER BY id;"),
                format!("SELECT id FROM qa WHERE d {op} ANY (ad) OR x {op} ALL (ad) ORDER BY id;"),
            ],
        ));
    }
    out
}
