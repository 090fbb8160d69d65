//! COPY's options checked as PostgreSQL checks them (`ProcessCopyOptions`: same rules, same messages), plus
//! our `FORMAT json` (MongoDB Extended JSON lines) and its `JSON_FORMAT relaxed | canonical`.

use crate::sql::copy::{CopyOption, CopyOptionValue};
use crate::translate::{Error as TError, Position};

/// The data format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// PostgreSQL's text format: tab-separated, `\N` for NULL, backslash escapes.
    Text,
    /// CSV as PostgreSQL reads and writes it.
    Csv,
    /// One MongoDB Extended JSON document per line (what mongoimport / mongoexport read and write).
    Json,
}

/// `HEADER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// No header line.
    No,
    /// A header line (written on TO, skipped on FROM).
    Yes,
    /// FROM only: the header line must name the columns, in order.
    Match,
}

/// Columns an option applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Columns {
    /// None.
    #[default]
    None,
    /// `*`: every column.
    All,
    /// These columns.
    Some(Vec<String>),
}

impl Columns {
    /// Whether `name` is one of them.
    pub fn has(&self, name: &str) -> bool {
        match self {
            Columns::None => false,
            Columns::All => true,
            Columns::Some(v) => v.iter().any(|c| c == name),
        }
    }
}

/// The checked options of one COPY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The format.
    pub format: Format,
    /// The field delimiter (one byte).
    pub delimiter: char,
    /// The text that means NULL.
    pub null: String,
    /// The header line.
    pub header: Header,
    /// CSV quote character.
    pub quote: char,
    /// CSV escape character (default: the quote).
    pub escape: char,
    /// CSV, TO: columns whose non-NULL values are always quoted.
    pub force_quote: Columns,
    /// CSV, FROM: columns where the NULL string (unquoted) is a value, not NULL.
    pub force_not_null: Columns,
    /// CSV, FROM: columns where the NULL string is NULL even quoted.
    pub force_null: Columns,
    /// `ON_ERROR ignore`: rows whose values do not convert are skipped (and counted) instead of failing.
    pub on_error_ignore: bool,
    /// `LOG_VERBOSITY verbose`: each skipped row is reported.
    pub verbose: bool,
    /// JSON, TO: canonical Extended JSON instead of relaxed.
    pub canonical: bool,
}

fn invalid(o: &CopyOption, message: impl Into<String>) -> TError {
    TError::Invalid {
        message: message.into(),
        position: Position {
            line: o.line,
            column: o.column,
        },
    }
}

fn one_byte_char(o: &CopyOption, what: &str) -> Result<char, TError> {
    match &o.value {
        CopyOptionValue::Str(s) if s.len() == 1 => Ok(s.chars().next().unwrap_or(',')),
        CopyOptionValue::Str(_) => Err(invalid(
            o,
            format!("COPY {what} must be a single one-byte character"),
        )),
        _ => Err(invalid(o, format!("{} requires a string value", o.name))),
    }
}

fn string(o: &CopyOption) -> Result<String, TError> {
    match &o.value {
        CopyOptionValue::Str(s) => Ok(s.clone()),
        _ => Err(invalid(o, format!("{} requires a string value", o.name))),
    }
}

fn word(o: &CopyOption) -> Option<String> {
    match &o.value {
        CopyOptionValue::Str(s) | CopyOptionValue::Word(s) => Some(s.to_ascii_lowercase()),
        CopyOptionValue::Number(n) => Some(n.clone()),
        _ => None,
    }
}

fn boolean(o: &CopyOption) -> Result<bool, TError> {
    match &o.value {
        CopyOptionValue::None => return Ok(true),
        CopyOptionValue::Number(n) if n == "1" => return Ok(true),
        CopyOptionValue::Number(n) if n == "0" => return Ok(false),
        _ => {}
    }
    match word(o).as_deref() {
        Some("true" | "on") => Ok(true),
        Some("false" | "off") => Ok(false),
        _ => Err(invalid(o, format!("{} requires a Boolean value", o.name))),
    }
}

fn column_list(o: &CopyOption, star: bool) -> Result<Columns, TError> {
    match &o.value {
        CopyOptionValue::Star if star => Ok(Columns::All),
        CopyOptionValue::List(l) => Ok(Columns::Some(l.clone())),
        _ => Err(invalid(
            o,
            format!(
                "argument to option \"{}\" must be a list of column names",
                o.name
            ),
        )),
    }
}

/// Checks the options of a COPY `to` (or from) `columns` (the columns copied, for the FORCE options).
pub fn check(
    options: &[CopyOption],
    to: bool,
    columns: Option<&[String]>,
) -> Result<Options, TError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut format = Format::Text;
    let mut delimiter: Option<(char, &CopyOption)> = None;
    let mut null: Option<(String, &CopyOption)> = None;
    let mut header = Header::No;
    let mut header_opt: Option<&CopyOption> = None;
    let mut quote: Option<(char, &CopyOption)> = None;
    let mut escape: Option<(char, &CopyOption)> = None;
    let mut force_quote = (Columns::None, None::<&CopyOption>);
    let mut force_not_null = (Columns::None, None::<&CopyOption>);
    let mut force_null = (Columns::None, None::<&CopyOption>);
    let mut on_error_ignore = false;
    let mut verbose = false;
    let mut canonical: Option<(bool, &CopyOption)> = None;
    for o in options {
        if seen.contains(&o.name.as_str()) {
            return Err(invalid(o, "conflicting or redundant options"));
        }
        seen.push(&o.name);
        match o.name.as_str() {
            "format" => {
                format = match word(o).as_deref() {
                    Some("text") => Format::Text,
                    Some("csv") => Format::Csv,
                    Some("json") => Format::Json,
                    Some("binary") => {
                        return Err(invalid(
                            o,
                            "COPY format \"binary\" is not supported (use csv, text or json)",
                        ))
                    }
                    Some(other) => {
                        return Err(invalid(
                            o,
                            format!("COPY format \"{other}\" not recognized"),
                        ))
                    }
                    None => return Err(invalid(o, "format requires a value")),
                }
            }
            "freeze" => {
                boolean(o)?;
            }
            "delimiter" => delimiter = Some((one_byte_char(o, "delimiter")?, o)),
            "null" => null = Some((string(o)?, o)),
            "header" => {
                header_opt = Some(o);
                header = match word(o).as_deref() {
                    Some("match") => Header::Match,
                    _ if boolean(o)? => Header::Yes,
                    _ => Header::No,
                };
            }
            "quote" => quote = Some((one_byte_char(o, "quote")?, o)),
            "escape" => escape = Some((one_byte_char(o, "escape")?, o)),
            "force_quote" => force_quote = (column_list(o, true)?, Some(o)),
            "force_not_null" => force_not_null = (column_list(o, true)?, Some(o)),
            "force_null" => force_null = (column_list(o, true)?, Some(o)),
            "encoding" => {
                let e = string(o)?.to_ascii_uppercase().replace(['-', '_'], "");
                if e != "UTF8" {
                    return Err(invalid(
                        o,
                        format!("COPY encoding \"{}\": only UTF8 is supported", string(o)?),
                    ));
                }
            }
            "on_error" => {
                on_error_ignore = match word(o).as_deref() {
                    Some("stop") => false,
                    Some("ignore") => true,
                    Some(other) => {
                        return Err(invalid(
                            o,
                            format!("COPY ON_ERROR \"{other}\" not recognized"),
                        ))
                    }
                    None => return Err(invalid(o, "on_error requires a value")),
                }
            }
            "log_verbosity" => {
                verbose = match word(o).as_deref() {
                    Some("default") => false,
                    Some("verbose") => true,
                    Some(other) => {
                        return Err(invalid(
                            o,
                            format!("COPY LOG_VERBOSITY \"{other}\" not recognized"),
                        ))
                    }
                    None => return Err(invalid(o, "log_verbosity requires a value")),
                }
            }
            "json_format" => {
                canonical = match word(o).as_deref() {
                    Some("relaxed") => Some((false, o)),
                    Some("canonical") => Some((true, o)),
                    _ => return Err(invalid(
                        o,
                        "JSON_FORMAT must be relaxed or canonical (as mongoexport's --jsonFormat)",
                    )),
                }
            }
            other => return Err(invalid(o, format!("option \"{other}\" not recognized"))),
        }
    }
    let csv = format == Format::Csv;
    if format == Format::Json {
        let text_only = [
            delimiter.map(|d| d.1),
            null.as_ref().map(|n| n.1),
            header_opt,
            quote.map(|q| q.1),
            escape.map(|e| e.1),
            force_quote.1,
            force_not_null.1,
            force_null.1,
        ];
        if let Some(o) = text_only.into_iter().flatten().next() {
            return Err(invalid(
                o,
                format!(
                    "COPY option {} is not allowed with FORMAT json",
                    o.name.to_ascii_uppercase()
                ),
            ));
        }
    } else if let Some((_, o)) = canonical {
        return Err(invalid(o, "JSON_FORMAT is only allowed with FORMAT json"));
    }
    let delim = delimiter
        .map(|d| d.0)
        .unwrap_or(if csv { ',' } else { '\t' });
    let null_s = null.as_ref().map(|n| n.0.clone()).unwrap_or_else(|| {
        if csv {
            String::new()
        } else {
            "\\N".into()
        }
    });
    let fail = |o: Option<&CopyOption>, m: &str| match o.or(options.first()) {
        Some(o) => invalid(o, m),
        None => TError::Invalid {
            message: m.to_string(),
            position: Position::default(),
        },
    };
    if format != Format::Json {
        let d_opt = delimiter.map(|d| d.1);
        if delim == '\n' || delim == '\r' {
            return Err(fail(
                d_opt,
                "COPY delimiter cannot be newline or carriage return",
            ));
        }
        if null_s.contains(['\n', '\r']) {
            return Err(fail(
                null.as_ref().map(|n| n.1),
                "COPY null representation cannot use newline or carriage return",
            ));
        }
        if !csv && "\\.abcdefghijklmnopqrstuvwxyz0123456789".contains(delim) {
            return Err(fail(
                d_opt,
                &format!("COPY delimiter cannot be \"{delim}\""),
            ));
        }
        if header == Header::Match && to {
            return Err(fail(
                header_opt,
                "cannot use \"match\" with HEADER in COPY TO",
            ));
        }
        if !csv {
            for (o, what) in [
                (quote.map(|q| q.1), "quote"),
                (escape.map(|e| e.1), "escape"),
            ] {
                if o.is_some() {
                    return Err(fail(o, &format!("COPY {what} available only in CSV mode")));
                }
            }
            for (o, what) in [
                (force_quote.1, "force quote"),
                (force_not_null.1, "force not null"),
                (force_null.1, "force null"),
            ] {
                if o.is_some() {
                    return Err(fail(o, &format!("COPY {what} available only in CSV mode")));
                }
            }
        }
        if force_quote.1.is_some() && !to {
            return Err(fail(
                force_quote.1,
                "COPY force quote only available using COPY TO",
            ));
        }
        for (o, what) in [
            (force_not_null.1, "force not null"),
            (force_null.1, "force null"),
        ] {
            if o.is_some() && to {
                return Err(fail(
                    o,
                    &format!("COPY {what} only available using COPY FROM"),
                ));
            }
        }
        if null_s.contains(delim) {
            return Err(fail(
                null.as_ref().map(|n| n.1),
                "COPY delimiter must not appear in the NULL specification",
            ));
        }
    }
    let q = quote.map(|q| q.0).unwrap_or('"');
    if csv {
        if delim == q {
            return Err(fail(
                delimiter.map(|d| d.1),
                "COPY delimiter and quote must be different",
            ));
        }
        if null_s.contains(q) {
            return Err(fail(
                null.as_ref().map(|n| n.1),
                "CSV quote character must not appear in the NULL specification",
            ));
        }
    }
    if on_error_ignore && to {
        let o = options.iter().find(|o| o.name == "on_error");
        return Err(fail(o, "COPY ON_ERROR cannot be used with COPY TO"));
    }
    if let Some(cols) = columns {
        for (set, o) in [&force_quote, &force_not_null, &force_null] {
            if let (Columns::Some(names), Some(o)) = (set, o) {
                if let Some(bad) = names.iter().find(|n| !cols.contains(n)) {
                    return Err(invalid(
                        o,
                        format!(
                            "{} column \"{bad}\" not referenced by COPY",
                            o.name.to_ascii_uppercase()
                        ),
                    ));
                }
            }
        }
    }
    Ok(Options {
        format,
        delimiter: delim,
        null: null_s,
        header,
        quote: q,
        escape: escape.map(|e| e.0).unwrap_or(q),
        force_quote: force_quote.0,
        force_not_null: force_not_null.0,
        force_null: force_null.0,
        on_error_ignore,
        verbose,
        canonical: canonical.map(|c| c.0).unwrap_or(false),
    })
}
