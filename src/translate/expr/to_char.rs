//! `to_char(timestamp, 'format')` with PostgreSQL's common template patterns. The format is read at
//! translation time: runs of zero-padded numeric patterns and literal text become one `$dateToString`
//! format, names (Month, Dy, ...), 12-hour clocks, AM/PM and `FM` (fill mode: no padding) become small
//! expressions, all joined with `$concat`. Patterns without a MongoDB counterpart here are refused by name.

use super::{unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
use sqlparser::ast::Expr;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Patterns, longest first where one is a prefix of another. Refused ones carry their reason.
const PATTERNS: &[&str] = &[
    "HH24", "HH12", "HH", "MI", "SSSSS", "SSSS", "SS", "MS", "US", "A.M.", "P.M.", "AM", "PM",
    "Y,YYY", "IYYY", "IYY", "IY", "YYYY", "YYY", "YY", "Y", "MONTH", "MON", "MM", "DAY", "DY",
    "DDD", "DD", "D", "IDDD", "ID", "IW", "WW", "W", "Q", "CC", "J", "RM", "TZH", "TZM", "TZ",
    "OF", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "BC", "AD", "B.C.", "A.D.", "I",
];

/// How a pattern's letters are cased, for names and AM/PM.
#[derive(Clone, Copy, PartialEq)]
enum Case {
    Upper,
    Capital,
    Lower,
}

fn case_of(s: &str) -> Case {
    let mut chars = s.chars().filter(|c| c.is_ascii_alphabetic());
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase() => Case::Capital,
        (Some(a), _) if a.is_ascii_lowercase() => Case::Lower,
        _ => Case::Upper,
    }
}

fn cased(s: &str, c: Case) -> String {
    match c {
        Case::Upper => s.to_ascii_uppercase(),
        Case::Lower => s.to_ascii_lowercase(),
        Case::Capital => s.to_string(),
    }
}

/// The output under construction: a pending `$dateToString` format (and the same text unescaped, used as a
/// plain string when it holds no pattern) and the finished pieces.
struct Out {
    format: String,
    raw: String,
    has_spec: bool,
    zone: Option<String>,
    pieces: Vec<Bson>,
}

impl Out {
    fn flush(&mut self) {
        let f = std::mem::take(&mut self.format);
        let raw = std::mem::take(&mut self.raw);
        if f.is_empty() {
            return;
        }
        if std::mem::take(&mut self.has_spec) {
            let mut spec = doc! {"date": ex::var("d"), "format": f};
            if let Some(z) = &self.zone {
                spec.insert("timezone", z.clone());
            }
            self.pieces.push(ex::date_to_string(spec));
        } else {
            self.pieces.push(if raw.starts_with('$') {
                ex::literal(raw).into()
            } else {
                Bson::String(raw)
            });
        }
    }
    fn spec(&mut self, s: &str) {
        self.format.push_str(s);
        self.has_spec = true;
    }
    fn text(&mut self, s: &str) {
        self.format.push_str(&s.replace('%', "%%"));
        self.raw.push_str(s);
    }
    fn expr(&mut self, e: Bson) {
        self.flush();
        self.pieces.push(e);
    }
}

fn names(list: &[&str], abbrev: bool, c: Case, pad: bool) -> Bson {
    Bson::Array(
        list.iter()
            .map(|n| {
                let n = if abbrev { &n[..3] } else { n };
                let n = cased(n, c);
                Bson::String(if pad { format!("{n:<9}") } else { n })
            })
            .collect(),
    )
}

impl Translator {
    /// `to_char(ts, fmt)` for a timestamp and a constant format.
    pub(crate) fn format_to_char(
        &mut self,
        cx: &mut QueryContext,
        ts: &Expr,
        fmt: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let a = self.agg(cx, ts)?;
        let format = match self.agg(cx, fmt)?.constant {
            Some(Bson::String(s)) => s,
            Some(Bson::Null) => return Ok(super::literal::constant(Bson::Null)),
            _ => {
                return Err(unsupported(
                    Refusal::Function,
                    "to_char with a format that is not a string literal",
                    fmt,
                ))
            }
        };
        match a.kind {
            Kind::Timestamp | Kind::Unknown | Kind::Null => {}
            Kind::Int | Kind::Number => {
                return Err(unsupported(
                    Refusal::Function,
                    "to_char of a number (only timestamps are formatted)",
                    e,
                ))
            }
            _ => {
                return Err(unsupported(
                    Refusal::Function,
                    "to_char of this type (only timestamps are formatted)",
                    e,
                ))
            }
        }
        let zone = self.session_zone().filter(|_| !a.local_time);
        let d = self.zoned(ex::var("d").into(), a.local_time);
        let mut out = Out {
            format: String::new(),
            raw: String::new(),
            has_spec: false,
            zone: zone.clone(),
            pieces: Vec::new(),
        };
        let chars: Vec<char> = format.chars().collect();
        let mut i = 0;
        let mut fill = false;
        while i < chars.len() {
            let rest: String = chars[i..].iter().collect();
            if rest.starts_with('"') {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '"')
                    .map_or(chars.len(), |p| i + 1 + p);
                let lit: String = chars[i + 1..end.min(chars.len())].iter().collect();
                out.text(&lit);
                i = end + 1;
                continue;
            }
            if rest.len() >= 2 && rest[..2].eq_ignore_ascii_case("FM") {
                fill = true;
                i += 2;
                continue;
            }
            let upper = rest.to_ascii_uppercase();
            let Some(p) = PATTERNS.iter().find(|p| upper.starts_with(**p)) else {
                let c = chars[i];
                out.text(&c.to_string());
                i += 1;
                continue;
            };
            let matched: String = chars[i..i + p.chars().count()].iter().collect();
            let case = case_of(&matched);
            let num = |x: Bson| ex::to_string(x);
            match *p {
                "HH24" => {
                    if fill {
                        out.expr(num(ex::hour(d.clone())))
                    } else {
                        out.spec("%H")
                    }
                }
                "HH12" | "HH" => {
                    let h = ex::let_in(
                        doc! {"h": ex::modulo(ex::hour(d.clone()), 12)},
                        ex::cond(ex::eq(ex::var("h"), 0), 12, ex::var("h")),
                    );
                    out.expr(if fill {
                        num(h)
                    } else {
                        ex::let_in(
                            doc! {"h2": h},
                            ex::cond(
                                ex::lt(ex::var("h2"), 10),
                                ex::concat(vec![Bson::String("0".into()), num(ex::var("h2").into())]),
                                num(ex::var("h2").into()),
                            ),
                        )
                    })
                }
                "MI" => {
                    if fill {
                        out.expr(num(ex::minute(d.clone())))
                    } else {
                        out.spec("%M")
                    }
                }
                "SS" => {
                    if fill {
                        out.expr(num(ex::second(d.clone())))
                    } else {
                        out.spec("%S")
                    }
                }
                // fractions keep their digits under FM, as in PostgreSQL
                "MS" => out.spec("%L"),
                "US" => out.spec("%L000"),
                "AM" | "PM" | "A.M." | "P.M." => {
                    let dots = p.contains('.');
                    let (am, pm) = if dots { ("A.M.", "P.M.") } else { ("AM", "PM") };
                    let (am, pm) = if case == Case::Lower {
                        (am.to_ascii_lowercase(), pm.to_ascii_lowercase())
                    } else {
                        (am.to_string(), pm.to_string())
                    };
                    out.expr(ex::cond(ex::lt(ex::hour(d.clone()), 12), am, pm).into())
                }
                "YYYY" => {
                    if fill {
                        out.expr(num(ex::year(d.clone())))
                    } else {
                        out.spec("%Y")
                    }
                }
                "YY" => {
                    let yy = ex::modulo(ex::year(d.clone()), 100);
                    out.expr(if fill {
                        num(yy)
                    } else {
                        ex::substr_cp(num(ex::add(vec![yy, Bson::Int32(100)])), 1, 2)
                    })
                }
                "IYYY" => {
                    out.spec("%G")
                }
                "MONTH" | "MON" => {
                    let abbrev = *p == "MON";
                    let pad = !abbrev && !fill;
                    out.expr(ex::array_elem_at(
                        names(&MONTHS, abbrev, case, pad),
                        ex::subtract(ex::month(d.clone()), 1),
                    ))
                }
                "MM" => {
                    if fill {
                        out.expr(num(ex::month(d.clone())))
                    } else {
                        out.spec("%m")
                    }
                }
                "DAY" | "DY" => {
                    let abbrev = *p == "DY";
                    let pad = !abbrev && !fill;
                    out.expr(ex::array_elem_at(
                        names(&DAYS, abbrev, case, pad),
                        ex::subtract(ex::day_of_week(d.clone()), 1),
                    ))
                }
                "DDD" => {
                    if fill {
                        out.expr(num(ex::day_of_year(d.clone())))
                    } else {
                        out.spec("%j")
                    }
                }
                "DD" => {
                    if fill {
                        out.expr(num(ex::day_of_month(d.clone())))
                    } else {
                        out.spec("%d")
                    }
                }
                "D" => out.spec("%w"),
                "ID" => out.spec("%u"),
                "IW" => {
                    if fill {
                        out.expr(num(ex::iso_week(d.clone())))
                    } else {
                        out.spec("%V")
                    }
                }
                "Q" => out.expr(num(ex::ceil(ex::divide(ex::month(d.clone()), 3)))),
                "TZ" | "OF" if a.local_time => {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("to_char pattern {matched} of a timestamp without time zone"),
                        fmt,
                    ))
                }
                "TZ" | "OF" if zone.is_some() => {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("to_char pattern {matched} in a session time zone other than UTC (MongoDB has no zone abbreviations)"),
                        fmt,
                    ))
                }
                "TZ" => out.text(&cased("UTC", case)),
                "OF" => out.text("+00"),
                other => {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("to_char pattern {other} (supported: YYYY YY IYYY MM Mon Month DD DDD D ID IW Dy Day HH HH12 HH24 MI SS MS US AM PM Q TZ OF, FM, \"text\")"),
                        fmt,
                    ))
                }
            }
            fill = false;
            i += p.chars().count();
        }
        out.flush();
        let body = match out.pieces.len() {
            0 => Bson::String(String::new()),
            1 => out.pieces.remove(0),
            _ => ex::concat(out.pieces),
        };
        let expr = ex::let_in(
            doc! {"d": a.expr},
            ex::cond(ex::is_null(ex::var("d")), Bson::Null, body),
        );
        Ok(Agg::new(expr, Kind::Text, a.nullable))
    }
}
