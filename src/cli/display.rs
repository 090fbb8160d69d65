//! How the `table` format lays rows out for people: tables wrapped to the output width, psql's expanded
//! display (`\x`, [`super::expanded`]), and the choice between them.
//!
//! The output width is psql's: `\pset columns N` (or `-P columns=N`) when set; else, only when standard
//! output is a terminal, `$COLUMNS` or the terminal's width. Output to a file or a pipe has no width (unless
//! given): tables are never wrapped there, so scripts' output stays stable.
//!
//! With a width, a table wider than it has its cells wrapped (psql's `\pset format wrapped`); a column is
//! never narrower than its header. Expanded display: `\x on` always; `\x off` never; `\x auto` (the default)
//! when the table cannot fit even wrapped (its headers alone are wider than the output), or when wrapping it
//! would make it taller than the records (sqlmongo's addition: a few rows with long values read better as
//! records). Without a width, `auto` is a plain table.

use super::expanded;
use super::output::cell_text;
use crate::driver::execute::Rows;

/// psql's `\x` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expanded {
    /// Always tables.
    Off,
    /// Always records.
    On,
    /// Records when a table would not fit the output width (see the module documentation).
    Auto,
}

impl Expanded {
    /// Parses `on|off|auto` (psql's boolean spellings too); `None` when not one of them.
    pub fn parse(s: &str) -> Option<Expanded> {
        match s.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" => Some(Expanded::On),
            "off" | "false" | "no" | "0" => Some(Expanded::Off),
            "auto" => Some(Expanded::Auto),
            _ => None,
        }
    }

    /// psql's message for the setting.
    pub fn message(self) -> &'static str {
        match self {
            Expanded::On => "Expanded display is on.",
            Expanded::Off => "Expanded display is off.",
            Expanded::Auto => "Expanded display is used automatically.",
        }
    }
}

/// psql's `\pset pager` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerMode {
    /// Never page.
    Off,
    /// Page results longer (or wider) than the terminal, when standard output is a terminal.
    On,
    /// Page every result, when standard output is a terminal.
    Always,
}

impl PagerMode {
    /// Parses `on|off|always` (psql's boolean spellings too).
    pub fn parse(s: &str) -> Option<PagerMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" => Some(PagerMode::On),
            "off" | "false" | "no" | "0" => Some(PagerMode::Off),
            "always" => Some(PagerMode::Always),
            _ => None,
        }
    }

    /// psql's message for the setting.
    pub fn message(self) -> &'static str {
        match self {
            PagerMode::On => "Pager is used for long output.",
            PagerMode::Off => "Pager usage is off.",
            PagerMode::Always => "Pager is always used.",
        }
    }
}

/// The display settings of a printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display {
    /// `\x`.
    pub expanded: Expanded,
    /// `\pset columns`: the output width; 0 means the terminal's (when output is a terminal).
    pub columns: usize,
    /// `\pset pager`.
    pub pager: PagerMode,
}

impl Default for Display {
    fn default() -> Self {
        Display {
            expanded: Expanded::Auto,
            columns: 0,
            pager: PagerMode::On,
        }
    }
}

impl Display {
    /// Applies one psql-style `NAME=VALUE` (or `NAME VALUE`) setting: `expanded` (`x`), `columns`,
    /// `pager`. Returns psql's message for it, or an error naming what is wrong.
    pub fn set(&mut self, name: &str, value: &str) -> Result<String, String> {
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "expanded" | "x" => {
                self.expanded = if value.is_empty() {
                    toggle(self.expanded)
                } else {
                    Expanded::parse(value).ok_or_else(|| {
                        format!("\\pset: expanded takes on, off or auto, not {value:?}")
                    })?
                };
                Ok(self.expanded.message().into())
            }
            "columns" => {
                self.columns = value
                    .parse::<usize>()
                    .map_err(|_| format!("\\pset: columns takes a number, not {value:?}"))?;
                Ok(format!("Target width is {}.", self.columns))
            }
            "pager" => {
                self.pager = if value.is_empty() {
                    match self.pager {
                        PagerMode::Off => PagerMode::On,
                        _ => PagerMode::Off,
                    }
                } else {
                    PagerMode::parse(value).ok_or_else(|| {
                        format!("\\pset: pager takes on, off or always, not {value:?}")
                    })?
                };
                Ok(self.pager.message().into())
            }
            other => Err(format!(
                "\\pset: unknown option {other:?} (expanded, columns, pager)"
            )),
        }
    }
}

/// `\x` without an argument: on, unless it is on (then off). psql toggles auto to off, but its default is
/// off; with sqlmongo's default (auto) a bare `\x` means "records, please".
pub fn toggle(e: Expanded) -> Expanded {
    match e {
        Expanded::Off | Expanded::Auto => Expanded::On,
        Expanded::On => Expanded::Off,
    }
}

/// The terminal's size as (rows, columns), when standard output is a terminal.
pub fn terminal_size() -> Option<(usize, usize)> {
    console::Term::stdout()
        .size_checked()
        .map(|(rows, cols)| (usize::from(rows), usize::from(cols)))
        .filter(|(r, c)| *r > 0 && *c > 0)
}

/// `$COLUMNS` as a width, when set to a positive number.
fn env_columns() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
}

/// The output width (psql's rule): `columns` when set; else, when the output is the terminal, `$COLUMNS`
/// or the terminal's width; else none.
pub fn output_width(columns: usize, to_terminal: bool) -> Option<usize> {
    if columns > 0 {
        Some(columns)
    } else if to_terminal {
        env_columns().or_else(|| terminal_size().map(|(_, c)| c))
    } else {
        None
    }
}

/// Results with more rows than this are never compared with their expanded layout (`auto` keeps them
/// tables unless they cannot fit), so a large result is rendered once.
const AUTO_COMPARE_ROWS: usize = 200;

/// Rows in the `table` format laid out for `width`: a table then `(N rows)`, or psql's records. Ends
/// with a newline.
pub fn render(rows: &Rows, display: &Display, width: Option<usize>) -> String {
    let cells: Vec<Vec<String>> = rows
        .rows
        .iter()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    let records = || expanded::render(&rows.columns, &cells, width);
    if rows.columns.is_empty() {
        return footer(String::new(), rows.rows.len());
    }
    match display.expanded {
        Expanded::On => records(),
        Expanded::Off => footer(table(&rows.columns, &cells, width).text, rows.rows.len()),
        Expanded::Auto => {
            let t = table(&rows.columns, &cells, width);
            if rows.columns.len() < 2 || width.is_none() {
                return footer(t.text, rows.rows.len());
            }
            match t.fit {
                Fit::Natural => footer(t.text, rows.rows.len()),
                Fit::Wrapped if rows.rows.len() > AUTO_COMPARE_ROWS => {
                    footer(t.text, rows.rows.len())
                }
                Fit::Wrapped => {
                    let r = records();
                    // The table's lines plus its footer against the records' lines.
                    if r.lines().count() < t.text.lines().count() + 1 {
                        r
                    } else {
                        footer(t.text, rows.rows.len())
                    }
                }
                Fit::TooWide => records(),
            }
        }
    }
}

fn footer(mut text: String, n: usize) -> String {
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }));
    text
}

/// How a table met its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Fits as it is (or there is no width).
    Natural,
    /// Fits with cells wrapped.
    Wrapped,
    /// Does not fit even wrapped (shown unwrapped).
    TooWide,
}

/// A rendered table (no trailing newline) and how it met the width.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's text.
    pub text: String,
    /// How it met the width.
    pub fit: Fit,
}

/// Borders of the table style: `│ a ┆ b │` takes 3 columns per column plus 1.
fn border_width(n: usize) -> usize {
    3 * n + 1
}

/// A comfy-table table of the cells, wrapped to `width` when it is wider (columns no narrower than their
/// headers); unwrapped when it cannot fit.
pub fn table(columns: &[String], cells: &[Vec<String>], width: Option<usize>) -> Table {
    use comfy_table::{ColumnConstraint, ContentArrangement, Width};
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(columns.iter().map(String::as_str));
    for row in cells {
        t.add_row(row.iter().map(String::as_str));
    }
    let headers: Vec<usize> = columns
        .iter()
        .map(|h| expanded::max_line_width(h).max(1))
        .collect();
    let natural: usize = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| expanded::max_line_width(c))
                .max()
                .unwrap_or(0)
                .max(*h)
        })
        .sum::<usize>()
        + border_width(columns.len());
    let Some(width) = width.filter(|w| natural > *w) else {
        return Table {
            text: t.to_string(),
            fit: Fit::Natural,
        };
    };
    let minimum = headers.iter().sum::<usize>() + border_width(columns.len());
    if minimum > width || width > usize::from(u16::MAX) {
        return Table {
            text: t.to_string(),
            fit: Fit::TooWide,
        };
    }
    let unwrapped = t.to_string();
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(width as u16);
    t.set_constraints(headers.iter().map(|h| {
        ColumnConstraint::LowerBoundary(Width::Fixed(u16::try_from(*h).unwrap_or(u16::MAX)))
    }));
    let text = t.to_string();
    if text.lines().all(|l| expanded::text_width(l) <= width) {
        Table {
            text,
            fit: Fit::Wrapped,
        }
    } else {
        Table {
            text: unwrapped,
            fit: Fit::TooWide,
        }
    }
}

/// The command line's display and variable options (psql's `-x`, `-P`, `-v`), for every command that runs
/// statements.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ShellArgs {
    /// Expanded display (psql's -x): each row as a `-[ RECORD N ]` block of `column | value` lines.
    #[arg(short = 'x', long, global = true)]
    pub expanded: bool,
    /// A display setting (psql's -P): expanded=on|off|auto, columns=N (the width tables fit; default: the
    /// terminal's), pager=on|off|always.
    #[arg(short = 'P', long = "pset", value_name = "NAME=VALUE", global = true)]
    pub pset: Vec<String>,
    /// Set a variable (psql's -v): `:NAME` in a statement binds its value as a parameter, `:'NAME'` as
    /// text, `:"NAME"` is a quoted identifier.
    #[arg(short = 'v', long = "set", value_name = "NAME=VALUE", global = true)]
    pub set: Vec<String>,
}

impl ShellArgs {
    /// The display settings these options give.
    pub fn display(&self) -> Result<Display, String> {
        let mut d = Display::default();
        if self.expanded {
            d.expanded = Expanded::On;
        }
        for p in &self.pset {
            let (name, value) = p.split_once('=').unwrap_or((p.as_str(), ""));
            d.set(name, value)?;
        }
        Ok(d)
    }

    /// [`ShellArgs::display`] for scripts (`run`, `exec`, `repl --init`): no pager unless `-P pager=...`
    /// asks for one (a script's results flow by; the REPL pages what is typed at its prompt).
    pub fn script_display(&self) -> Result<Display, String> {
        let mut d = self.display()?;
        if !self.pset.iter().any(|p| {
            p.split_once('=')
                .map_or(p.as_str(), |(n, _)| n)
                .trim()
                .eq_ignore_ascii_case("pager")
        }) {
            d.pager = PagerMode::Off;
        }
        Ok(d)
    }

    /// The variables these options set.
    pub fn variables(&self) -> Result<super::vars::Variables, String> {
        let mut v = super::vars::Variables::default();
        for s in &self.set {
            let (name, value) = s.split_once('=').unwrap_or((s.as_str(), ""));
            v.set(name, value)?;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::Bson;

    fn rows(columns: &[&str], data: Vec<Vec<Bson>>) -> Rows {
        Rows {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: data,
            local_time: Vec::new(),
        }
    }

    fn widest(s: &str) -> usize {
        s.lines().map(expanded::text_width).max().unwrap_or(0)
    }

    #[test]
    fn wide_cells_wrap_to_the_width_and_headers_stay_whole() {
        let long = "word ".repeat(60);
        let r = rows(
            &["session_id", "session_data"],
            vec![vec![Bson::from("s-1"), Bson::from(long.trim())]],
        );
        let off = Display {
            expanded: Expanded::Off,
            ..Display::default()
        };
        let text = render(&r, &off, Some(80));
        assert!(widest(&text) <= 80, "{text}");
        assert!(text.contains("session_id") && text.contains("session_data"));
        assert!(text.ends_with("(1 row)\n"));
        // Without a width: one line per row, as before.
        let plain = render(&r, &off, None);
        assert!(widest(&plain) > 300);
    }

    #[test]
    fn auto_switches_to_records_when_headers_cannot_fit() {
        let cols: Vec<String> = (0..12).map(|i| format!("column_number_{i}")).collect();
        let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
        let r = rows(&cols, vec![(0..12).map(Bson::Int32).collect()]);
        let text = render(&r, &Display::default(), Some(80));
        assert!(text.starts_with("-[ RECORD 1 ]"), "{text}");
        assert!(widest(&text) <= 80);
        // Wide enough: a table.
        let text = render(&r, &Display::default(), Some(400));
        assert!(text.starts_with('┌'), "{text}");
        // \x off: the unwrapped table, wider than the output.
        let off = Display {
            expanded: Expanded::Off,
            ..Display::default()
        };
        assert!(widest(&render(&r, &off, Some(80))) > 80);
        // One column never becomes a record.
        let one = rows(&["x"], vec![vec![Bson::from("y".repeat(200))]]);
        assert!(render(&one, &Display::default(), Some(80)).starts_with('┌'));
    }

    proptest::proptest! {
        /// A table that reports it fits (naturally or wrapped) is no wider than the width; every layout
        /// keeps every row.
        #[test]
        fn tables_that_fit_are_no_wider_than_the_width(
            ncols in 1usize..6,
            cells in proptest::collection::vec("[a-z 漢]{0,30}", 1..15),
            width in 10usize..100,
        ) {
            let columns: Vec<String> = (0..ncols).map(|i| format!("col{i}")).collect();
            let cells: Vec<Vec<String>> = cells
                .chunks(ncols)
                .filter(|c| c.len() == ncols)
                .map(|c| c.to_vec())
                .collect();
            let t = table(&columns, &cells, Some(width));
            if t.fit != Fit::TooWide {
                proptest::prop_assert!(widest(&t.text) <= width, "{}", t.text);
            }
            let r = Rows {
                columns: columns.clone(),
                rows: cells.iter().map(|r| r.iter().map(|c| Bson::String(c.clone())).collect()).collect(),
                local_time: Vec::new(),
            };
            let text = render(&r, &Display::default(), Some(width));
            let n = cells.len();
            proptest::prop_assert!(
                text.ends_with(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }))
                    || text.matches("-[ RECORD ").count() == n,
                "{}", text
            );
        }
    }

    #[test]
    fn settings_parse_as_psql_spells_them() {
        let mut d = Display::default();
        assert_eq!(d.set("expanded", "").unwrap(), "Expanded display is on.");
        assert_eq!(d.set("x", "").unwrap(), "Expanded display is off.");
        assert_eq!(
            d.set("expanded", "auto").unwrap(),
            "Expanded display is used automatically."
        );
        assert_eq!(d.set("columns", "80").unwrap(), "Target width is 80.");
        assert_eq!(d.columns, 80);
        assert_eq!(d.set("pager", "always").unwrap(), "Pager is always used.");
        assert_eq!(d.set("pager", "").unwrap(), "Pager usage is off.");
        assert!(d.set("columns", "-1").is_err());
        assert!(d.set("border", "2").is_err());
        assert_eq!(output_width(0, false), None);
        assert_eq!(output_width(100, false), Some(100));
    }
}
