//! Date parsing for uploads (strict ISO in JSON, the formats Dutch Excel writes in CSV) and the
//! placement period, whose end date drives when invitations go out.

use chrono::{Datelike, NaiveDate};

use crate::error::{ValueError, codes, echo};

/// The months in Dutch, January first.
pub const MAANDEN: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// The time zone of the domain's days — when a placement ends, when mail goes out, when a
/// quarter closes, when figures are published: Dutch time, whatever the host's time zone
/// (containers and many servers run in UTC, where 00:30 in Amsterdam is still yesterday).
pub const TIJDZONE: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;

/// The domain's today: the date in the Netherlands now.
pub fn vandaag() -> NaiveDate {
    vandaag_op(chrono::Utc::now())
}

/// The date in the Netherlands at the moment `nu`.
pub fn vandaag_op(nu: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    nu.with_timezone(&TIJDZONE).date_naive()
}

/// The wall-clock time in the Netherlands now (for moments set as a time of day, such as the
/// daily publication of results).
pub fn nu_in_nederland() -> chrono::NaiveDateTime {
    chrono::Utc::now().with_timezone(&TIJDZONE).naive_local()
}

/// A date as Dutch prose: `30 juni 2027`.
pub fn datum_nl(date: NaiveDate) -> String {
    let maand = MAANDEN.get(date.month0() as usize).copied().unwrap_or_default();
    format!("{} {} {}", date.day(), maand, date.year())
}

/// A month as Dutch prose: `juni 2027` (`month` 1–12; anything else gives the number).
pub fn maand_nl(year: i32, month: u32) -> String {
    match month.checked_sub(1).and_then(|m| MAANDEN.get(m as usize)) {
        Some(naam) => format!("{naam} {year}"),
        None => format!("{year}-{month:02}"),
    }
}

/// Earliest year accepted in a [`Periode`]; older dates are typos (`0224` for `2024`).
pub const MIN_YEAR: i32 = 2000;
/// Latest year accepted in a [`Periode`].
pub const MAX_YEAR: i32 = 2100;

fn format_error(nl_expected: &str, en_expected: &str, input: &str) -> ValueError {
    let got = echo(input);
    ValueError::new(
        codes::INVALID_DATE,
        format!("{nl_expected} (gekregen: {got})"),
        format!("{en_expected} (got: {got})"),
    )
}

fn nonexistent(input: &str) -> ValueError {
    let got = echo(input);
    ValueError::new(
        codes::INVALID_DATE,
        format!("Deze datum bestaat niet (gekregen: {got})"),
        format!("This date does not exist (got: {got})"),
    )
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a date strictly as `jjjj-mm-dd` (ISO 8601 calendar date), surrounding whitespace
/// ignored. This is the only format in JSON uploads, so there is no day/month ambiguity.
///
/// ```
/// use bpvo::parse_iso_date;
/// assert_eq!(parse_iso_date("2024-02-29").unwrap().to_string(), "2024-02-29");
/// assert_eq!(parse_iso_date("2023-02-29").unwrap_err().code, "invalid_date");
/// assert!(parse_iso_date("29-02-2024").is_err());
/// ```
pub fn parse_iso_date(s: &str) -> Result<NaiveDate, ValueError> {
    let t = s.trim();
    let expected = || {
        format_error(
            "Datum moet de vorm jjjj-mm-dd hebben, bijvoorbeeld 2024-09-01",
            "Date must be in the form yyyy-mm-dd, e.g. 2024-09-01",
            t,
        )
    };
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(expected());
    }
    let part = |r: std::ops::Range<usize>| t.get(r).and_then(digits);
    let (Some(y), Some(m), Some(d)) = (part(0..4), part(5..7), part(8..10)) else {
        return Err(expected());
    };
    let year = i32::try_from(y).map_err(|_| expected())?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| nonexistent(t))
}

/// Parses the dates schools produce: `jjjj-mm-dd`, `dd-mm-jjjj`, `d-m-jjjj`, and the same with
/// `/` or `.` as separator (`01/09/2024`, as Dutch Excel writes it). Always day before month:
/// this is for Dutch files, where `01/09/2024` is 1 September.
///
/// ```
/// use bpvo::parse_school_date;
/// let d = parse_school_date("1-9-2024").unwrap();
/// assert_eq!(d, parse_school_date("2024-09-01").unwrap());
/// assert_eq!(d, parse_school_date("01/09/2024").unwrap());
/// ```
pub fn parse_school_date(s: &str) -> Result<NaiveDate, ValueError> {
    let t = s.trim();
    let expected = || {
        format_error(
            "Datum moet de vorm dd-mm-jjjj of jjjj-mm-dd hebben, bijvoorbeeld 01-09-2024",
            "Date must be in the form dd-mm-yyyy or yyyy-mm-dd, e.g. 01-09-2024",
            t,
        )
    };
    let Some(sep) = t.chars().find(|c| matches!(c, '-' | '/' | '.')) else {
        return Err(expected());
    };
    let parts: Vec<&str> = t.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(expected());
    };
    let (year, month, day) = if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        (a, b, c)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        (c, b, a)
    } else {
        // Two-digit years ("1-9-24") are refused: 1924 or 2024 is a guess we should not make.
        return Err(expected());
    };
    let (Some(y), Some(m), Some(d)) = (digits(year), digits(month), digits(day)) else {
        return Err(expected());
    };
    let y = i32::try_from(y).map_err(|_| expected())?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| nonexistent(t))
}

/// Refuses dates outside [`MIN_YEAR`]..=[`MAX_YEAR`] (code `"range"`): such a date is a typo,
/// and would otherwise schedule an invitation decades away or in the distant past.
pub fn check_year_range(date: NaiveDate) -> Result<NaiveDate, ValueError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(ValueError::new(
            codes::RANGE,
            format!("Jaartal moet tussen {MIN_YEAR} en {MAX_YEAR} liggen (gekregen: {date})"),
            format!("Year must be between {MIN_YEAR} and {MAX_YEAR} (got: {date})"),
        ))
    }
}

/// The placement period of a bpvo: start date and planned end date, start never after end.
///
/// ```
/// use bpvo::{Periode, parse_iso_date};
/// let start = parse_iso_date("2024-09-01").unwrap();
/// let eind = parse_iso_date("2025-01-31").unwrap();
/// let p = Periode::new(start, eind).unwrap();
/// assert_eq!(p.geplande_einddatum(), eind);
/// assert_eq!(Periode::new(eind, start).unwrap_err().code, "date_order");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawPeriode")]
pub struct Periode {
    startdatum: NaiveDate,
    geplande_einddatum: NaiveDate,
}

impl Periode {
    /// A period from `startdatum` to `geplande_einddatum` (inclusive; both may be the same day).
    ///
    /// Errors: `"range"` when a year is outside 2000–2100, `"date_order"` when the end lies
    /// before the start.
    pub fn new(startdatum: NaiveDate, geplande_einddatum: NaiveDate) -> Result<Self, ValueError> {
        check_year_range(startdatum)?;
        check_year_range(geplande_einddatum)?;
        if geplande_einddatum < startdatum {
            return Err(ValueError::new(
                codes::DATE_ORDER,
                format!("Geplande einddatum ({geplande_einddatum}) ligt vóór de startdatum ({startdatum})"),
                format!("Planned end date ({geplande_einddatum}) is before the start date ({startdatum})"),
            ));
        }
        Ok(Self { startdatum, geplande_einddatum })
    }

    /// First day of the placement.
    pub fn startdatum(&self) -> NaiveDate {
        self.startdatum
    }

    /// Planned last day of the placement; the survey is planned from it.
    pub fn geplande_einddatum(&self) -> NaiveDate {
        self.geplande_einddatum
    }

    /// True when `date` lies within the period (both ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.startdatum <= date && date <= self.geplande_einddatum
    }
}

/// Unchecked shape used only so that deserialising a [`Periode`] goes through [`Periode::new`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPeriode {
    startdatum: NaiveDate,
    geplande_einddatum: NaiveDate,
}

impl TryFrom<RawPeriode> for Periode {
    type Error = String;
    fn try_from(raw: RawPeriode) -> Result<Self, Self::Error> {
        Periode::new(raw.startdatum, raw.geplande_einddatum).map_err(|e| e.en)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_domains_day_is_the_day_in_amsterdam() {
        let utc = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        // Summer time (UTC+2) and winter time (UTC+1): half past midnight is already the next day.
        assert_eq!(vandaag_op(utc("2026-03-31T22:30:00Z")), d(2026, 4, 1));
        assert_eq!(vandaag_op(utc("2026-12-31T23:30:00Z")), d(2027, 1, 1));
        assert_eq!(vandaag_op(utc("2026-12-31T22:59:59Z")), d(2026, 12, 31));
        // The night the clocks go back: 00:30 and 02:30 summer time, 02:30 winter time.
        assert_eq!(vandaag_op(utc("2026-10-24T22:30:00Z")), d(2026, 10, 25));
        assert_eq!(vandaag_op(utc("2026-10-25T01:30:00Z")), d(2026, 10, 25));
    }

    #[test]
    fn iso_date_accepts_only_yyyy_mm_dd() {
        assert_eq!(parse_iso_date("2024-09-01").unwrap(), d(2024, 9, 1));
        assert_eq!(parse_iso_date(" 2024-09-01\n").unwrap(), d(2024, 9, 1));
        for bad in [
            "",
            "2024-9-1",
            "01-09-2024",
            "2024/09/01",
            "20240901",
            "2024-09-01T00:00",
            "+024-09-01",
            "2024-0a-01",
            "2024-09-1 ",
            "2024-09-0é",
        ] {
            assert_eq!(parse_iso_date(bad).unwrap_err().code, "invalid_date", "{bad:?}");
        }
    }

    #[test]
    fn iso_date_rejects_days_that_do_not_exist() {
        assert_eq!(parse_iso_date("2024-02-29").unwrap(), d(2024, 2, 29));
        for bad in ["2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-04-31"] {
            let e = parse_iso_date(bad).unwrap_err();
            assert_eq!(e.code, "invalid_date", "{bad:?}");
            assert!(e.nl.contains("bestaat niet"), "{}", e.nl);
        }
    }

    #[test]
    fn school_date_accepts_dutch_excel_forms() {
        let want = d(2024, 9, 1);
        for ok in ["2024-09-01", "01-09-2024", "1-9-2024", "01/09/2024", "1/9/2024", "01.09.2024", " 01-09-2024\r"] {
            assert_eq!(parse_school_date(ok).unwrap(), want, "{ok:?}");
        }
        assert_eq!(parse_school_date("29-02-2024").unwrap(), d(2024, 2, 29));
    }

    #[test]
    fn school_date_rejects_ambiguous_or_mixed_forms() {
        for bad in ["1-9-24", "01-09/2024", "2024", "", "sept 1 2024", "001-09-2024", "45536", "2024-09-01-01"] {
            assert_eq!(parse_school_date(bad).unwrap_err().code, "invalid_date", "{bad:?}");
        }
        assert_eq!(parse_school_date("30-02-2024").unwrap_err().code, "invalid_date");
        assert_eq!(parse_school_date("29-02-2023").unwrap_err().code, "invalid_date");
    }

    #[test]
    fn periode_allows_equal_dates_and_refuses_end_before_start() {
        let p = Periode::new(d(2024, 9, 1), d(2024, 9, 1)).unwrap();
        assert_eq!(p.startdatum(), p.geplande_einddatum());
        let e = Periode::new(d(2024, 9, 2), d(2024, 9, 1)).unwrap_err();
        assert_eq!(e.code, "date_order");
        assert!(Periode::new(d(2024, 9, 1), d(2025, 6, 30)).is_ok());
    }

    #[test]
    fn periode_refuses_years_outside_2000_2100() {
        assert!(Periode::new(d(2000, 1, 1), d(2100, 12, 31)).is_ok());
        assert_eq!(Periode::new(d(1999, 12, 31), d(2024, 1, 1)).unwrap_err().code, "range");
        assert_eq!(Periode::new(d(2024, 1, 1), d(2101, 1, 1)).unwrap_err().code, "range");
    }

    #[test]
    fn periode_contains_both_ends() {
        let p = Periode::new(d(2024, 9, 1), d(2024, 9, 30)).unwrap();
        assert!(p.contains(d(2024, 9, 1)));
        assert!(p.contains(d(2024, 9, 30)));
        assert!(!p.contains(d(2024, 10, 1)));
    }

    #[test]
    fn periode_deserialises_only_when_valid() {
        let p: Periode =
            serde_json::from_str(r#"{"startdatum":"2024-09-01","geplandeEinddatum":"2024-12-01"}"#).unwrap();
        assert_eq!(p.geplande_einddatum(), d(2024, 12, 1));
        assert!(
            serde_json::from_str::<Periode>(r#"{"startdatum":"2024-12-01","geplandeEinddatum":"2024-09-01"}"#).is_err()
        );
    }
}
