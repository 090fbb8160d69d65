//! psql's expanded display (`\x`): one `-[ RECORD N ]---` block per row, a `header | value` line per
//! column, laid out exactly as psql 15 lays it out with its defaults (`\pset border 1`, `linestyle ascii`):
//! the record rule's `+` over the separator, `+` at the end of a value line that continues on the next
//! line (a newline in the value), and, when a width is given (psql's `wrapped` format), values wrapped to it
//! with `.` markers at the end of a wrapped line and at the start of its continuation. A port of psql's
//! `print_aligned_vertical` (src/fe_utils/print.c) for those settings; tests/shell.rs compares it with
//! `psql -x` on the same rows.

use unicode_width::UnicodeWidthChar;

/// Display width of a string (East Asian wide characters count 2, control characters 0).
pub fn text_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The widest line of a (possibly multi-line) text.
pub fn max_line_width(s: &str) -> usize {
    s.split('\n').map(text_width).max().unwrap_or(0)
}

/// Renders rows in psql's expanded layout. `width`: wrap values to that many columns (psql's `wrapped`
/// format), or `None` for psql's `aligned` format (no wrapping). The text ends with psql's blank line; no
/// rows gives `(0 rows)` (psql prints no row count after records).
pub fn render(columns: &[String], rows: &[Vec<String>], width: Option<usize>) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("(0 rows)\n\n");
        return out;
    }
    // Headers are shown on one line each (a newline in a column name is shown as a space).
    let headers: Vec<String> = columns.iter().map(|h| h.replace('\n', " ")).collect();
    let hwidth = headers.iter().map(|h| text_width(h)).max().unwrap_or(0);
    let mut dwidth = rows
        .iter()
        .flatten()
        .map(|v| max_line_width(v))
        .max()
        .unwrap_or(0);
    let mut dmultiline = rows.iter().flatten().any(|v| v.contains('\n'));
    if let Some(output_columns) = width.filter(|w| *w > 0) {
        dwidth = wrapped_data_width(hwidth, dwidth, &mut dmultiline, rows.len(), output_columns);
    }
    for (i, row) in rows.iter().enumerate() {
        record_rule(&mut out, i + 1, hwidth, dwidth);
        for (h, value) in headers.iter().zip(row) {
            field(&mut out, h, value, hwidth, dwidth, dmultiline);
        }
    }
    out.push('\n');
    out
}

/// psql's data width in the wrapped format: the native width when it fits, else what the output width
/// leaves (never less than 3 columns of data, nor narrower than the record rule needs). Reserves the marker
/// column when values will wrap.
fn wrapped_data_width(
    hwidth: usize,
    dwidth: usize,
    dmultiline: &mut bool,
    nrows: usize,
    output_columns: usize,
) -> usize {
    // Two spaces and the vrule, plus a column for newline / wrap markers when needed.
    let mut swidth = 3 + usize::from(*dmultiline);
    // "-[ RECORD  ]" and the digits of the largest record number.
    let rwidth = 12 + 1 + (nrows as f64).log10().floor() as usize;
    loop {
        let width = (hwidth + swidth + dwidth).max(rwidth);
        let min_width = (hwidth + swidth + 3).max(rwidth);
        let newdwidth = if output_columns >= width {
            width - hwidth - swidth
        } else if output_columns < min_width {
            min_width - hwidth - swidth
        } else {
            output_columns - hwidth - swidth
        };
        if newdwidth < dwidth && !*dmultiline {
            *dmultiline = true;
            swidth += 1;
        } else {
            return newdwidth;
        }
    }
}

/// `-[ RECORD N ]-----+------`: dashes to the header width, `-+-` over the separator (when the header
/// column is wider than the label), dashes over the data.
fn record_rule(out: &mut String, record: usize, hwidth: usize, dwidth: usize) {
    let label = format!("[ RECORD {record} ]");
    out.push('-');
    out.push_str(&label);
    let mut reclen = label.len() as isize + 1;
    for _ in reclen.max(0)..hwidth as isize {
        out.push('-');
    }
    reclen -= hwidth as isize;
    for c in ['-', '+', '-'] {
        if reclen <= 0 {
            out.push(c);
        }
        reclen -= 1;
    }
    for _ in reclen.max(0)..dwidth as isize {
        out.push('-');
    }
    out.push('\n');
}

/// The longest prefix of `s` that fits in `width` columns: (bytes, columns).
fn prefix_within(s: &str, width: usize) -> (usize, usize) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            return (i, used);
        }
        used += w;
    }
    (s.len(), used)
}

/// One column of a record: the header on the first line, the value's lines (and wrapped pieces) after the
/// separator.
fn field(
    out: &mut String,
    header: &str,
    value: &str,
    hwidth: usize,
    dwidth: usize,
    dmultiline: bool,
) {
    let lines: Vec<&str> = value.split('\n').collect();
    let mut first = true;
    for (li, line) in lines.iter().enumerate() {
        let mut rest: &str = line;
        let mut offset = 0usize;
        loop {
            if first {
                out.push_str(header);
                pad(out, hwidth.saturating_sub(text_width(header)));
                out.push(' ');
                first = false;
            } else {
                pad(out, hwidth + 1);
            }
            out.push('|');
            out.push(if offset == 0 { ' ' } else { '.' });
            let (bytes, used) = prefix_within(rest, dwidth);
            // A character wider than the whole data width still goes out (psql would loop forever).
            let bytes = if bytes == 0 && !rest.is_empty() {
                rest.chars().next().map_or(0, char::len_utf8)
            } else {
                bytes
            };
            out.push_str(&rest[..bytes]);
            rest = &rest[bytes..];
            offset += bytes;
            if !rest.is_empty() {
                if dmultiline {
                    pad(out, dwidth.saturating_sub(used));
                    out.push('.');
                }
                out.push('\n');
                continue;
            }
            if li + 1 < lines.len() && dmultiline {
                pad(out, dwidth.saturating_sub(used));
                out.push('+');
            }
            out.push('\n');
            break;
        }
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn aligned_records_match_psql() {
        // psql -X -x -P null=NULL -c "select 1 as a, 'hello' as bbbbbbbbbbbbbbbbb, NULL as c,
        //   E'two\nlines' as d, 1.50 as e union all select 22, 'x', 'y', 'z', 2"
        let cols = s(&["a", "bbbbbbbbbbbbbbbbb", "c", "d", "e"]);
        let rows = vec![
            s(&["1", "hello", "NULL", "two\nlines", "1.50"]),
            s(&["22", "x", "y", "z", "2"]),
        ];
        let expected = "\
-[ RECORD 1 ]-----+------
a                 | 1
bbbbbbbbbbbbbbbbb | hello
c                 | NULL
d                 | two  +
                  | lines
e                 | 1.50
-[ RECORD 2 ]-----+------
a                 | 22
bbbbbbbbbbbbbbbbb | x
c                 | y
d                 | z
e                 | 2

";
        assert_eq!(render(&cols, &rows, None), expected);
        assert_eq!(
            render(&s(&["a"]), &[s(&["1"])], None),
            "-[ RECORD 1 ]\na | 1\n\n"
        );
        assert_eq!(render(&s(&["a"]), &[], None), "(0 rows)\n\n");
    }

    /// The values a rendering holds, read back: markers dropped, `+` lines joined with a newline.
    fn read_back(text: &str, hwidth: usize) -> Vec<Vec<String>> {
        let mut records: Vec<Vec<String>> = Vec::new();
        for line in text.lines() {
            if line.starts_with("-[ RECORD ") {
                records.push(Vec::new());
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let record = records.last_mut().expect("a record rule first");
            let bar = line.char_indices().nth(hwidth + 1).map(|(i, _)| i).unwrap();
            assert_eq!(&line[bar..bar + 1], "|", "{line:?}");
            let new_field = !line.starts_with(' ');
            let data = &line[bar + 2..];
            let (data, newline) = match data.strip_suffix('+') {
                Some(d) => (d.trim_end(), true),
                None => (data.strip_suffix('.').map_or(data, str::trim_end), false),
            };
            if new_field {
                record.push(String::new());
            }
            let value = record.last_mut().unwrap();
            value.push_str(data);
            if newline {
                value.push('\n');
            }
        }
        records
    }

    proptest::proptest! {
        /// Any rows at any width: every line fits (or is no wider than psql's minimum), and the values
        /// read back whole.
        #[test]
        fn records_fit_the_width_and_keep_every_value(
            ncols in 1usize..5,
            cells in proptest::collection::vec("[a-z漢\n]{0,40}", 0..12),
            width in proptest::option::of(1usize..100),
        ) {
            let columns: Vec<String> = (0..ncols).map(|i| format!("c{}", "_".repeat(i * 3))).collect();
            let rows: Vec<Vec<String>> = cells
                .chunks(ncols)
                .filter(|c| c.len() == ncols)
                .map(|c| c.to_vec())
                .collect();
            let text = render(&columns, &rows, width);
            if rows.is_empty() {
                proptest::prop_assert_eq!(text, "(0 rows)\n\n");
                return Ok(());
            }
            let hwidth = columns.iter().map(|c| text_width(c)).max().unwrap();
            let rule = 13 + rows.len().to_string().len();
            if let Some(w) = width {
                let limit = w.max(hwidth + 4 + 3).max(rule);
                for line in text.lines() {
                    proptest::prop_assert!(text_width(line) <= limit, "{:?} wider than {}", line, limit);
                }
            }
            proptest::prop_assert_eq!(read_back(&text, hwidth), rows);
        }
    }

    #[test]
    fn wrapped_records_match_psql() {
        // psql -X -x -P columns=30 -P format=wrapped
        //   -c "select repeat('abcdefghij ', 6) as long_value, 1 as n"
        let cols = s(&["long_value", "n"]);
        let rows = vec![s(&["abcdefghij ".repeat(6).as_str(), "1"])];
        let expected = "\
-[ RECORD 1 ]----------------
long_value | abcdefghij abcde.
           |.fghij abcdefghij.
           |. abcdefghij abcd.
           |.efghij abcdefghi.
           |.j 
n          | 1

";
        assert_eq!(render(&cols, &rows, Some(30)), expected);
        // Plenty of room: the same as aligned.
        assert_eq!(render(&cols, &rows, Some(200)), render(&cols, &rows, None));
    }
}
