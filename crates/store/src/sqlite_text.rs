//! Dates and times as SQLite stores them: text, in exactly the form diesel writes (`%F` and
//! `%F %T%.f`), made without chrono's formatter. diesel formats every bound date through
//! `NaiveDate::format`, which parses the format string anew and writes through `fmt` for each
//! value: in the demo's bulk writes (several dates per invitation and per bpvo) that was 7 % of
//! all instructions. The bulk inserts bind [`SqliteDate`] and [`SqliteTimestamp`] instead, and
//! the JSON rows of `json_each` statements use [`date`] and [`timestamp`]. Values outside the
//! years 0–9999 and leap seconds go through chrono, so the text is always the same as diesel's.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::{Date, Timestamp};
use diesel::sqlite::Sqlite;

/// The last `width` decimal digits of `value` (at most 9), zero-padded.
fn push_digits(out: &mut String, value: u32, width: usize) {
    let mut digits = ['0'; 9];
    let mut v = value;
    for slot in digits[..width].iter_mut().rev() {
        *slot = char::from(b'0' + (v % 10) as u8);
        v /= 10;
    }
    out.extend(&digits[..width]);
}

fn push_date(out: &mut String, d: NaiveDate) {
    push_digits(out, d.year() as u32, 4);
    out.push('-');
    push_digits(out, d.month(), 2);
    out.push('-');
    push_digits(out, d.day(), 2);
}

fn plain_year(d: NaiveDate) -> bool {
    (0..=9999).contains(&d.year())
}

/// `d` as `%F` (`2026-12-06`).
pub fn date(d: NaiveDate) -> String {
    if !plain_year(d) {
        return d.format("%F").to_string();
    }
    let mut out = String::with_capacity(10);
    push_date(&mut out, d);
    out
}

/// `t` as `%F %T%.f` (`2026-12-06 21:47:38`, `… 21:47:38.120`, `… 21:47:38.123456`): the fraction
/// in 3, 6 or 9 digits as needed, none when it is zero.
pub fn timestamp(t: NaiveDateTime) -> String {
    let nanos = t.nanosecond();
    if !plain_year(t.date()) || nanos >= 1_000_000_000 {
        return t.format("%F %T%.f").to_string();
    }
    let mut out = String::with_capacity(29);
    push_date(&mut out, t.date());
    out.push(' ');
    push_digits(&mut out, t.hour(), 2);
    out.push(':');
    push_digits(&mut out, t.minute(), 2);
    out.push(':');
    push_digits(&mut out, t.second(), 2);
    if nanos != 0 {
        out.push('.');
        if nanos.is_multiple_of(1_000_000) {
            push_digits(&mut out, nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            push_digits(&mut out, nanos / 1_000, 6);
        } else {
            push_digits(&mut out, nanos, 9);
        }
    }
    out
}

/// A date bound on SQLite through [`date`]; for the bulk inserts' rows.
#[derive(Debug, Clone, Copy, diesel::AsExpression)]
#[diesel(sql_type = Date)]
pub struct SqliteDate(pub NaiveDate);

impl ToSql<Date, Sqlite> for SqliteDate {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> diesel::serialize::Result {
        out.set_value(date(self.0));
        Ok(IsNull::No)
    }
}

/// A timestamp bound on SQLite through [`timestamp`]; for the bulk inserts' rows.
#[derive(Debug, Clone, Copy, diesel::AsExpression)]
#[diesel(sql_type = Timestamp)]
pub struct SqliteTimestamp(pub NaiveDateTime);

impl ToSql<Timestamp, Sqlite> for SqliteTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> diesel::serialize::Result {
        out.set_value(timestamp(self.0));
        Ok(IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn chrono_date(d: NaiveDate) -> String {
        d.format("%F").to_string()
    }

    fn chrono_timestamp(t: NaiveDateTime) -> String {
        t.format("%F %T%.f").to_string()
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let mut d = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        // Every day of 1899–2101 (leap days, month and year ends included).
        while d < NaiveDate::from_ymd_opt(2102, 1, 1).unwrap() {
            assert_eq!(date(d), chrono_date(d));
            d = d.succ_opt().unwrap();
        }
        for (y, m, dd) in [(0, 1, 1), (9, 3, 4), (999, 12, 31), (9999, 12, 31), (10_000, 1, 1), (-1, 6, 30)] {
            let d = NaiveDate::from_ymd_opt(y, m, dd).unwrap();
            assert_eq!(date(d), chrono_date(d), "{y}-{m}-{dd}");
        }
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        let days = [(2026, 12, 6), (2000, 2, 29), (1970, 1, 1), (9999, 12, 31), (10_000, 1, 1), (-44, 3, 15)];
        let nanos = [
            0,
            1,
            999,
            1_000,
            120_000_000,
            123_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
            1_000_000,
            1_000_000_000,
            1_500_000_000,
        ];
        let mut checked = 0;
        for (y, m, d) in days {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            for (h, mi, s) in [(0, 0, 0), (7, 5, 9), (23, 59, 59), (12, 30, 1)] {
                for n in nanos {
                    // Leap seconds exist only at :59.
                    let Some(time) = NaiveTime::from_hms_nano_opt(h, mi, s, n) else { continue };
                    let t = day.and_time(time);
                    assert_eq!(timestamp(t), chrono_timestamp(t), "{t:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 250, "{checked} combinations");
        // And a spread of ordinary ones: every 7,919 seconds (and changing nanoseconds) over
        // three years.
        let mut t = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        for i in 0..12_000_u32 {
            let n = match i % 4 {
                0 => 0,
                1 => (i % 1000) * 1_000_000,
                2 => (i * 7919 % 1_000_000) * 1_000,
                _ => i * 104_729 % 1_000_000_000,
            };
            let at = t.with_nanosecond(n).unwrap();
            assert_eq!(timestamp(at), chrono_timestamp(at), "{at:?}");
            t += chrono::TimeDelta::seconds(7919);
        }
    }
}
