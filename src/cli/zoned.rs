//! Dates in text output (`table`, `csv`) as PostgreSQL shows them in the session time zone.
//!
//! A `timestamptz` value is an instant; psql shows it in the session's `TimeZone`. The JSON formats keep
//! MongoDB's `{"$date": "...Z"}` (an instant needs no zone); the text formats show each date in the session
//! time zone set with `SET TIME ZONE`, with its offset at that instant (`2026-07-01T12:00:00.000+02:00`).
//! Without a session zone (UTC) they keep the ISO form with `Z`. A column of `timestamp without time zone`
//! values (a `TIMESTAMP '...'` literal, `tstz AT TIME ZONE z`: dates whose UTC fields are the wall-clock time)
//! is shown as the wall-clock time, without an offset, in any zone.

use crate::driver::execute::Rows;
use bson::Bson;
use std::borrow::Cow;

/// `rows` with their dates as the text they show in `zone` (`None`: UTC); borrowed when nothing changes.
pub fn zoned_rows<'a>(rows: &'a Rows, zone: Option<&str>) -> Cow<'a, Rows> {
    let zone = zone.filter(|z| *z != "UTC");
    if zone.is_none() && !rows.local_time.contains(&true) {
        return Cow::Borrowed(rows);
    }
    let mut out = rows.clone();
    for row in &mut out.rows {
        for (i, v) in row.iter_mut().enumerate() {
            let Bson::DateTime(dt) = v else { continue };
            let local = rows.local_time.get(i).copied().unwrap_or(false);
            let text = if local {
                wall_clock(dt.timestamp_millis())
            } else {
                zone.and_then(|z| in_zone(dt.timestamp_millis(), z))
            };
            if let Some(t) = text {
                *v = Bson::String(t);
            }
        }
    }
    Cow::Owned(out)
}

/// A wall-clock time (a date whose UTC fields are the time): `2026-07-01T10:00:00.000`.
fn wall_clock(ms: i64) -> Option<String> {
    let c = chrono::DateTime::from_timestamp_millis(ms)?;
    Some(c.format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
}

/// An instant in `zone` (an Olson name or a `±hh:mm` offset, as the session keeps it), with the offset:
/// `2026-07-01T12:00:00.000+02:00`.
fn in_zone(ms: i64, zone: &str) -> Option<String> {
    let offset_ms = crate::translate::expr::time_fn::zone_offset_at(zone, ms)?;
    let shown = wall_clock(ms.checked_add(offset_ms)?)?;
    let secs = offset_ms / 1000;
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    Some(format!("{shown}{sign}{h:02}:{m:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: Vec<Bson>, local_time: Vec<bool>) -> Rows {
        Rows {
            columns: (0..values.len()).map(|i| format!("c{i}")).collect(),
            rows: vec![values],
            local_time,
        }
    }

    fn text(r: &Rows) -> Vec<String> {
        r.rows[0]
            .iter()
            .map(|v| v.as_str().unwrap_or("?").to_string())
            .collect()
    }

    const WINTER: i64 = 1_704_103_200_000; // 2024-01-01T10:00:00Z
    const SUMMER: i64 = 1_719_828_000_000; // 2024-07-01T10:00:00Z

    #[test]
    fn instants_show_in_the_session_zone_with_its_offset_at_that_instant() {
        let r = rows(
            vec![
                Bson::DateTime(bson::DateTime::from_millis(WINTER)),
                Bson::DateTime(bson::DateTime::from_millis(SUMMER + 500)),
            ],
            vec![],
        );
        let z = zoned_rows(&r, Some("Europe/Paris"));
        assert_eq!(
            text(&z),
            [
                "2024-01-01T11:00:00.000+01:00",
                "2024-07-01T12:00:00.500+02:00"
            ]
        );
        let z = zoned_rows(&r, Some("America/St_Johns"));
        assert_eq!(
            text(&z),
            [
                "2024-01-01T06:30:00.000-03:30",
                "2024-07-01T07:30:00.500-02:30"
            ]
        );
        // `SET TIME ZONE '+05'` is kept as MongoDB's "-05:00" (POSIX: five hours west).
        let z = zoned_rows(&r, Some("-05:00"));
        assert_eq!(text(&z)[0], "2024-01-01T05:00:00.000-05:00");
    }

    #[test]
    fn utc_changes_nothing_and_wall_clock_columns_never_move() {
        let r = rows(
            vec![
                Bson::DateTime(bson::DateTime::from_millis(WINTER)),
                Bson::DateTime(bson::DateTime::from_millis(WINTER)),
                Bson::Int32(1),
            ],
            vec![false, true, false],
        );
        let utc = zoned_rows(&r, None);
        assert_eq!(utc.rows[0][0], r.rows[0][0], "UTC keeps the date");
        assert_eq!(
            utc.rows[0][1],
            Bson::String("2024-01-01T10:00:00.000".into())
        );
        let paris = zoned_rows(&r, Some("Europe/Paris"));
        assert_eq!(
            paris.rows[0][0],
            Bson::String("2024-01-01T11:00:00.000+01:00".into())
        );
        assert_eq!(
            paris.rows[0][1],
            Bson::String("2024-01-01T10:00:00.000".into())
        );
        assert_eq!(paris.rows[0][2], Bson::Int32(1));
        let plain = rows(
            vec![Bson::DateTime(bson::DateTime::from_millis(WINTER))],
            vec![],
        );
        assert!(matches!(zoned_rows(&plain, Some("UTC")), Cow::Borrowed(_)));
    }
}
