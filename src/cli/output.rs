//! Output formats: `table` for people, `json` (one line per statement, a stable contract), `jsonl` (one line
//! per row) and `csv`.
//!
//! Values are shown as MongoDB relaxed Extended JSON wherever JSON is written; dates always carry
//! milliseconds (`{"$date": "2026-11-22T10:00:00.000Z"}`), as mongod and mongosh print them.

use super::display::{self, Display};
use super::pager;
use crate::driver::execute::{Rows, StatementResult};
use bson::Bson;
use serde_json::{json, Map, Value};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table, then `(N rows)`.
    Table,
    /// Exactly one line per statement: `{"columns": [...], "rows": [[...]]}`, `{"affected": N}` or
    /// `{"error": "..."}`.
    Json,
    /// One JSON object per row (`{"column": value, ...}`); `{"affected": N}` for other statements.
    Jsonl,
    /// A header line, then one line per row (RFC 4180 quoting; NULL is an empty field).
    Csv,
}

impl Format {
    /// `table` when standard output is a terminal, else `jsonl`.
    pub fn default_for_stdout() -> Format {
        if io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Jsonl
        }
    }

    /// Parses a format name (`table`, `json`, `jsonl`, `csv`).
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "jsonl" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// Whether the format is meant for programs (everything but `table`): notes then go to stderr.
    pub fn is_machine(self) -> bool {
        !matches!(self, Format::Table)
    }
}

/// What kind of statement produced an `Affected` result, for the table's status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// INSERT, UPDATE, DELETE.
    Dml,
    /// Anything else that returns no rows (CREATE, DROP, ALTER, ...).
    Other,
}

/// Writes results in a format to a writer.
pub struct Printer {
    out: Box<dyn Write + Send>,
    /// The current format.
    pub format: Format,
    /// How the `table` format lays rows out (`\x`, width, pager).
    pub display: Display,
    /// Whether `out` is the process's standard output and that is a terminal (wrapping to the terminal's
    /// width and the pager apply only then).
    to_terminal: bool,
    /// The session time zone the text formats show dates in (`SET TIME ZONE`; `None`: UTC), see
    /// [`super::zoned`].
    pub time_zone: Option<String>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("format", &self.format)
            .field("display", &self.display)
            .field("to_terminal", &self.to_terminal)
            .finish_non_exhaustive()
    }
}

impl Printer {
    /// A printer on standard output.
    pub fn stdout(format: Format) -> Printer {
        let mut p = Printer::new(Box::new(io::BufWriter::new(io::stdout())), format);
        p.to_terminal = io::stdout().is_terminal();
        p
    }

    /// A printer on any writer.
    pub fn new(out: Box<dyn Write + Send>, format: Format) -> Printer {
        Printer {
            out,
            format,
            display: Display::default(),
            to_terminal: false,
            time_zone: None,
        }
    }

    /// Sends what follows to another writer (`\o FILE`); `to_terminal` as for [`Printer::stdout`].
    /// What was written before is flushed to the old one.
    pub fn set_output(&mut self, out: Box<dyn Write + Send>, to_terminal: bool) -> io::Result<()> {
        let flushed = self.out.flush();
        self.out = out;
        self.to_terminal = to_terminal;
        flushed
    }

    /// Sends what follows to standard output again (`\o` alone).
    pub fn reset_output(&mut self) -> io::Result<()> {
        self.set_output(
            Box::new(io::BufWriter::new(io::stdout())),
            io::stdout().is_terminal(),
        )
    }

    /// Whether output goes to a terminal.
    pub fn to_terminal(&self) -> bool {
        self.to_terminal
    }

    /// The width tables are fitted to, if any (see [`display::output_width`]).
    pub fn width(&self) -> Option<usize> {
        display::output_width(self.display.columns, self.to_terminal)
    }

    /// Writes a rendered result, through the pager when it is on and the text is longer than the
    /// terminal (only when a person is there: standard input and output are terminals, as psql).
    fn emit(&mut self, text: &str) -> io::Result<()> {
        let interactive = self.to_terminal && io::stdin().is_terminal();
        let terminal = if interactive {
            display::terminal_size()
        } else {
            None
        };
        if pager::wanted(self.display.pager, interactive, text, terminal) {
            if let Some(cmd) = pager::command() {
                self.out.flush()?;
                if pager::page(&cmd, text)? {
                    return Ok(());
                }
            }
        }
        self.out.write_all(text.as_bytes())
    }

    /// Prints one statement's result; `elapsed` is shown when timing is on.
    pub fn result(
        &mut self,
        result: &StatementResult,
        kind: StatementKind,
        elapsed: Option<Duration>,
    ) -> io::Result<()> {
        match result {
            StatementResult::Rows(rows) => self.rows(rows, elapsed)?,
            StatementResult::Affected(n) => self.affected(*n, kind, elapsed)?,
        }
        self.out.flush()
    }

    /// Prints one batch of a streamed query (`jsonl` and `csv` only: formats that need no row count or
    /// widths); `first` prints the csv header. Other formats print nothing here.
    pub fn stream_rows(&mut self, rows: &Rows, first: bool) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                for row in &rows.rows {
                    let mut obj = Map::new();
                    for (c, v) in rows.columns.iter().zip(row) {
                        obj.insert(c.clone(), ext_json(v));
                    }
                    writeln!(self.out, "{}", Value::Object(obj))?;
                }
            }
            Format::Csv => {
                let rows = super::zoned::zoned_rows(rows, self.time_zone.as_deref());
                if first {
                    let header: Vec<String> = rows.columns.iter().map(|c| csv_field(c)).collect();
                    writeln!(self.out, "{}", header.join(","))?;
                }
                for row in &rows.rows {
                    writeln!(self.out, "{}", csv_row(row))?;
                }
            }
            Format::Table | Format::Json => {}
        }
        self.out.flush()
    }

    /// Whether this format prints a query's rows as they arrive ([`Printer::stream_rows`]).
    pub fn streams(&self) -> bool {
        matches!(self.format, Format::Jsonl | Format::Csv)
    }

    /// Prints rows (also used by the meta commands).
    pub fn rows(&mut self, rows: &Rows, elapsed: Option<Duration>) -> io::Result<()> {
        match self.format {
            Format::Table => {
                let rows = super::zoned::zoned_rows(rows, self.time_zone.as_deref());
                let mut text = display::render(&rows, &self.display, self.width());
                if let Some(t) = elapsed {
                    text.push_str(&timing_line(t));
                    text.push('\n');
                }
                self.emit(&text)?;
            }
            Format::Json => {
                let line = json!({
                    "columns": rows.columns,
                    "rows": rows.rows.iter().map(|r| r.iter().map(ext_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
                });
                writeln!(self.out, "{line}")?;
                timing_to_stderr(elapsed);
            }
            Format::Jsonl => {
                for row in &rows.rows {
                    let mut obj = Map::new();
                    for (c, v) in rows.columns.iter().zip(row) {
                        obj.insert(c.clone(), ext_json(v));
                    }
                    writeln!(self.out, "{}", Value::Object(obj))?;
                }
                timing_to_stderr(elapsed);
            }
            Format::Csv => {
                let rows = super::zoned::zoned_rows(rows, self.time_zone.as_deref());
                let header: Vec<String> = rows.columns.iter().map(|c| csv_field(c)).collect();
                writeln!(self.out, "{}", header.join(","))?;
                for row in &rows.rows {
                    writeln!(self.out, "{}", csv_row(row))?;
                }
                timing_to_stderr(elapsed);
            }
        }
        self.out.flush()
    }

    fn affected(
        &mut self,
        n: u64,
        kind: StatementKind,
        elapsed: Option<Duration>,
    ) -> io::Result<()> {
        match self.format {
            Format::Table => {
                match kind {
                    StatementKind::Dml => writeln!(
                        self.out,
                        "({n} row{} affected)",
                        if n == 1 { "" } else { "s" }
                    )?,
                    StatementKind::Other => writeln!(self.out, "OK")?,
                }
                if let Some(t) = elapsed {
                    writeln!(self.out, "{}", timing_line(t))?;
                }
            }
            Format::Json | Format::Jsonl => {
                writeln!(self.out, "{}", json!({ "affected": n }))?;
                timing_to_stderr(elapsed);
            }
            Format::Csv => {
                writeln!(self.out, "affected\n{n}")?;
                timing_to_stderr(elapsed);
            }
        }
        Ok(())
    }

    /// Records a failed statement: the `json` format writes `{"error": "..."}`; the others write nothing
    /// to standard output (the caller reports the error on stderr).
    pub fn error(&mut self, message: &str) -> io::Result<()> {
        if self.format == Format::Json {
            writeln!(self.out, "{}", json!({ "error": message }))?;
            self.out.flush()?;
        }
        Ok(())
    }

    /// This printer's output itself (COPY ... TO STDOUT writes its data there).
    pub fn writer(&mut self) -> &mut (dyn Write + Send) {
        &mut *self.out
    }

    /// Writes free text (help, explain output) to this printer's output.
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")?;
        self.out.flush()
    }
}

fn timing_line(t: Duration) -> String {
    format!("Time: {:.3} ms", t.as_secs_f64() * 1000.0)
}

fn timing_to_stderr(elapsed: Option<Duration>) {
    if let Some(t) = elapsed {
        eprintln!("{}", timing_line(t));
    }
}

/// Renders rows as a comfy-table table (column order as given), unwrapped.
pub fn table(rows: &Rows) -> String {
    use comfy_table::presets::UTF8_FULL_CONDENSED;
    let mut t = comfy_table::Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(rows.columns.iter().map(String::as_str));
    for row in &rows.rows {
        t.add_row(row.iter().map(cell_text));
    }
    t.to_string()
}

/// A value as text for a table cell or a CSV field: strings as they are, NULL as `NULL`, numbers plainly,
/// dates ISO-8601 with milliseconds, documents and arrays as compact relaxed Extended JSON.
pub fn cell_text(v: &Bson) -> String {
    match v {
        Bson::Null | Bson::Undefined => "NULL".into(),
        Bson::String(s) => s.clone(),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::Double(d) if d.is_nan() => "NaN".into(),
        Bson::Double(d) if d.is_infinite() => {
            if *d > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            }
        }
        Bson::Double(d) => d.to_string(),
        Bson::Decimal128(d) => d.to_string(),
        Bson::Boolean(b) => b.to_string(),
        Bson::DateTime(dt) => iso_date(dt).unwrap_or_else(|| ext_json(v).to_string()),
        Bson::ObjectId(o) => o.to_hex(),
        other => ext_json(other).to_string(),
    }
}

/// ISO-8601 with milliseconds and `Z`: `2026-11-22T10:00:00.000Z`; a year past 9999 (or before 0) with its
/// sign and all its digits (`+10000-01-01T00:00:00.000Z`, ISO-8601's expanded years), as far as chrono reaches
/// (years of +-262,143); `None` beyond. (`bson::DateTime::to_chrono` saturates: never used here, it printed
/// every later date as 9999-12-31T23:59:59.999999999Z.)
pub fn iso_date(dt: &bson::DateTime) -> Option<String> {
    let c = chrono::DateTime::from_timestamp_millis(dt.timestamp_millis())?;
    Some(c.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// Whether relaxed Extended JSON writes this date as an ISO string (years 1970..=9999); other dates are
/// `{"$numberLong": millis}` (the Extended JSON specification's canonical form).
fn relaxed_iso_date(dt: &bson::DateTime) -> Option<String> {
    use chrono::Datelike;
    let c = chrono::DateTime::from_timestamp_millis(dt.timestamp_millis())?;
    if dt.timestamp_millis() >= 0 && c.year() <= 9999 {
        iso_date(dt)
    } else {
        None
    }
}

/// MongoDB relaxed Extended JSON of a value, with dates (1970..=9999) as `{"$date": "...000Z"}`, others as
/// `{"$date": {"$numberLong": "..."}}`.
pub fn ext_json(v: &Bson) -> Value {
    match v {
        Bson::Document(d) => {
            let mut m = Map::new();
            for (k, v) in d {
                m.insert(k.clone(), ext_json(v));
            }
            Value::Object(m)
        }
        Bson::Array(a) => Value::Array(a.iter().map(ext_json).collect()),
        Bson::DateTime(dt) => match relaxed_iso_date(dt) {
            Some(s) => json!({ "$date": s }),
            None => json!({ "$date": { "$numberLong": dt.timestamp_millis().to_string() } }),
        },
        other => other.clone().into_relaxed_extjson(),
    }
}

/// One CSV field with RFC 4180 quoting (quoted when it holds a comma, a quote, CR or LF).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One csv record: NULL as an empty field, the empty string as `""`.
fn csv_row(row: &[Bson]) -> String {
    row.iter()
        .map(|v| match v {
            Bson::Null | Bson::Undefined => String::new(),
            Bson::String(s) if s.is_empty() => "\"\"".to_string(),
            other => csv_field(&cell_text(other)),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn dates_past_year_9999_print_as_stored() {
        // 10000-01-02T00:00:00Z.
        let dt = bson::DateTime::from_millis(253_402_387_200_000);
        assert_eq!(cell_text(&Bson::DateTime(dt)), "+10000-01-02T00:00:00.000Z");
        assert_eq!(
            ext_json(&Bson::DateTime(dt)).to_string(),
            r#"{"$date":{"$numberLong":"253402387200000"}}"#
        );
        assert_eq!(csv_row(&[Bson::DateTime(dt)]), "+10000-01-02T00:00:00.000Z");
        // Beyond chrono's years: the milliseconds.
        let far = bson::DateTime::from_millis(i64::MAX);
        assert_eq!(
            cell_text(&Bson::DateTime(far)),
            format!(r#"{{"$date":{{"$numberLong":"{}"}}}}"#, i64::MAX)
        );
        let before = bson::DateTime::from_millis(-1000);
        assert_eq!(
            ext_json(&Bson::DateTime(before)).to_string(),
            r#"{"$date":{"$numberLong":"-1000"}}"#
        );
        assert_eq!(
            cell_text(&Bson::DateTime(before)),
            "1969-12-31T23:59:59.000Z"
        );
    }

    #[test]
    fn dates_carry_milliseconds() {
        let dt = bson::DateTime::from_millis(1_795_341_600_000); // 2026-11-22T10:00:00Z
        assert_eq!(cell_text(&Bson::DateTime(dt)), "2026-11-22T10:00:00.000Z");
        assert_eq!(
            ext_json(&Bson::DateTime(dt)).to_string(),
            r#"{"$date":"2026-11-22T10:00:00.000Z"}"#
        );
    }

    #[test]
    fn nested_values_are_compact_relaxed_json() {
        let v = Bson::Document(doc! { "a": 1, "b": [1, "x", Bson::Null], "c": 1.5 });
        assert_eq!(cell_text(&v), r#"{"a":1,"b":[1,"x",null],"c":1.5}"#);
        assert_eq!(cell_text(&Bson::Null), "NULL");
        assert_eq!(cell_text(&Bson::Double(2.0)), "2");
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
