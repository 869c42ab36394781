//! Property tests: no parser panics on any input, and valid values survive every round trip
//! (text → type → text, Bpvo → upload record → Bpvo, Bpvo → CSV file → Bpvo).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use bpvo::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

// ---- generators of valid values ----

fn naam_text() -> impl Strategy<Value = String> {
    // Letters of any script at both ends, so the value is already trimmed.
    "\\p{L}([\\p{L}\\p{M} '.-]{0,40}\\p{L})?"
}

/// Names that Windows-1252 can encode and whose encoding is never valid UTF-8 by accident
/// (all non-ASCII letters are >= 0xC0, never a UTF-8 continuation byte).
fn latin_naam_text() -> impl Strategy<Value = String> {
    "[A-Za-zÀ-ÖØ-öø-ÿ]([A-Za-zÀ-ÖØ-öø-ÿ '-]{0,30}[A-Za-zÀ-ÖØ-öø-ÿ])?"
}

fn email_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_+-]{1,12}(\\.[A-Za-z0-9]{1,8})?@[a-z0-9]{1,12}(-[a-z0-9]{1,5})?\\.(nl|com|org|eu)"
}

fn date() -> impl Strategy<Value = NaiveDate> {
    let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    (0u64..36_000).prop_map(move |d| base + Days::new(d))
}

fn periode() -> impl Strategy<Value = Periode> {
    (date(), 0u64..800).prop_map(|(start, len)| {
        let max = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();
        let eind = (start + Days::new(len)).min(max);
        Periode::new(start, eind).unwrap()
    })
}

fn bpvo_with(naam: impl Strategy<Value = String>) -> impl Strategy<Value = Bpvo> {
    (
        ("[!-~]{1,64}", "[1-9][0-9]{8}", "[0-9]{5}", prop::bool::ANY, periode(), prop::option::of("K[0-9]{4}")),
        (prop::option::of(email_text()), "[A-Za-z0-9._-]{1,32}", naam),
        ("\\PC{0,10}ROC \\p{L}{1,20}", "[0-9]{3}X[0-9]{3}", "[0-9]{3}A[0-9]{3}"),
    )
        .prop_map(|((cid, lb, crebo, bbl, periode, kd), (email, sc, naam), (school, loc, aanb))| Bpvo {
            correlatie_id: CorrelatieId::parse(&cid).unwrap(),
            leerbedrijf_id: LeerbedrijfId::parse(&lb).unwrap(),
            crebo: Crebo::parse(&crebo).unwrap(),
            leerweg: if bbl { Leerweg::Bbl } else { Leerweg::Bol },
            keuzedeel_code: kd.map(|k| KeuzedeelCode::parse(&k).unwrap()),
            periode,
            student: Student {
                emailadres: email.map(|e| Email::parse(&e).unwrap()),
                studentcode: Studentcode::parse(&sc).unwrap(),
                naam: Naam::parse(&naam).unwrap(),
            },
            school: School {
                schoolnaam: Schoolnaam::parse(school.trim()).unwrap(),
                locatiecode: Locatiecode::parse(&loc).unwrap(),
                aanbiedercode: Aanbiedercode::parse(&aanb).unwrap(),
            },
        })
}

/// Any text, plus near-misses of the formats (digits, letters, separators), plus valid values.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9A-Za-z@.\\- /]{0,12}",
        "\\s*[0-9]{2}[A-Z]{2}\\s*",
        "[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,5}",
    ]
}

fn csv_header() -> String {
    BPVO_COLUMNS.iter().map(|(h, _)| *h).collect::<Vec<_>>().join(";")
}

// ---- round trips of single values ----

macro_rules! round_trip {
    ($name:ident, $ty:ty, $strategy:expr) => {
        proptest! {
            #[test]
            fn $name(raw in $strategy) {
                let v = <$ty>::parse(&raw).unwrap();
                prop_assert_eq!(<$ty>::parse(v.as_str()).unwrap(), v.clone());
                prop_assert_eq!(<$ty>::parse(&format!(" {raw}\t")).unwrap(), v.clone());
                let json = serde_json::to_string(&v).unwrap();
                prop_assert_eq!(serde_json::from_str::<$ty>(&json).unwrap(), v);
            }
        }
    };
}

round_trip!(brin_round_trips, Brin, "[0-9]{2}[A-Za-z]{2}");
round_trip!(aanbiedercode_round_trips, Aanbiedercode, "[0-9]{3}[Aa][0-9]{3}");
round_trip!(locatiecode_round_trips, Locatiecode, "[0-9]{3}[Xx][0-9]{3}");
round_trip!(crebo_round_trips, Crebo, "[0-9]{5}");
round_trip!(leerbedrijf_id_round_trips, LeerbedrijfId, "[1-9][0-9]{8}");
round_trip!(correlatie_id_round_trips, CorrelatieId, "[!-~]{1,64}");
round_trip!(oin_round_trips, Oin, "[0-9]{20}");
round_trip!(studentcode_round_trips, Studentcode, "[A-Za-z0-9._-]{1,32}");
round_trip!(naam_round_trips, Naam, naam_text());
round_trip!(schoolnaam_round_trips, Schoolnaam, naam_text());
round_trip!(email_round_trips, Email, email_text());

proptest! {
    #[test]
    fn normalised_codes_are_upper_case(raw in "[0-9]{2}[a-z]{2}") {
        let brin = Brin::parse(&raw).unwrap();
        prop_assert_eq!(brin.as_str(), raw.to_uppercase());
    }

    #[test]
    fn dates_round_trip_through_every_accepted_format(d in date()) {
        prop_assert_eq!(parse_iso_date(&d.format("%Y-%m-%d").to_string()).unwrap(), d);
        for fmt in ["%Y-%m-%d", "%d-%m-%Y", "%-d-%-m-%Y", "%d/%m/%Y", "%-d/%-m/%Y", "%d.%m.%Y"] {
            prop_assert_eq!(parse_school_date(&d.format(fmt).to_string()).unwrap(), d);
        }
    }

    #[test]
    fn periode_accepts_exactly_ordered_dates(a in date(), b in date()) {
        let r = Periode::new(a, b);
        prop_assert_eq!(r.is_ok(), a <= b);
        if let Err(e) = r {
            prop_assert_eq!(e.code, "date_order");
        }
    }

    // ---- no parser panics, whatever it gets ----

    #[test]
    fn value_parsers_never_panic(s in any_text()) {
        let _ = Brin::parse(&s);
        let _ = Aanbiedercode::parse(&s);
        let _ = Locatiecode::parse(&s);
        let _ = Crebo::parse(&s);
        let _ = LeerbedrijfId::parse(&s);
        let _ = CorrelatieId::parse(&s);
        let _ = Oin::parse(&s);
        let _ = Studentcode::parse(&s);
        let _ = Naam::parse(&s);
        let _ = Schoolnaam::parse(&s);
        let _ = Email::parse(&s);
        let _ = Leerweg::parse(&s);
        let _ = BpvoStatus::parse(&s);
        let _ = Sector::parse(&s);
        let _ = parse_iso_date(&s);
        let _ = parse_school_date(&s);
    }

    #[test]
    fn accepted_values_are_already_normalised(s in any_text()) {
        // Whatever parse accepts, it accepts again unchanged: normalisation is idempotent.
        if let Ok(v) = Email::parse(&s) { prop_assert_eq!(Email::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = Naam::parse(&s) { prop_assert_eq!(Naam::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = Brin::parse(&s) { prop_assert_eq!(Brin::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = CorrelatieId::parse(&s) {
            prop_assert_eq!(CorrelatieId::parse(v.as_str()).unwrap(), v);
        }
    }

    #[test]
    fn record_conversion_never_panics_and_reports_each_field_once(
        top in prop::collection::vec(prop::option::of(any_text()), 7),
        student in prop::option::of(prop::collection::vec(prop::option::of(any_text()), 3)),
        school in prop::option::of(prop::collection::vec(prop::option::of(any_text()), 3)),
    ) {
        let record = BpvoRecord {
            correlatie_id: top[0].clone(),
            leerbedrijf_code: top[1].clone(),
            crebo_code: top[2].clone(),
            startdatum: top[3].clone(),
            geplande_einddatum: top[4].clone(),
            leerweg_naam: top[5].clone(),
            keuzedeel_code: top[6].clone(),
            student: student.map(|s| StudentRecord {
                emailadres: s[0].clone(), studentcode: s[1].clone(), naam: s[2].clone(),
            }),
            school: school.map(|s| SchoolRecord {
                schoolnaam: s[0].clone(), locatiecode: s[1].clone(), aanbiedercode: s[2].clone(),
            }),
        };
        let known: HashSet<&str> = BPVO_COLUMNS.iter().map(|(_, p)| *p).collect();
        match Bpvo::try_from(&record) {
            Ok(b) => prop_assert_eq!(Bpvo::try_from(BpvoRecord::from(&b)).unwrap(), b),
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let mut seen = HashSet::new();
                for e in &errors {
                    prop_assert!(known.contains(e.field.as_str()), "unknown path {}", e.field);
                    prop_assert!(seen.insert(e.field.clone()), "{} reported twice", e.field);
                    prop_assert!(!e.message_nl.is_empty() && !e.message_en.is_empty());
                }
            }
        }
    }

    #[test]
    fn read_csv_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_csv(&bytes).map(|f| f.parse());
    }

    #[test]
    fn read_csv_never_panics_on_csv_like_text_and_keeps_lines_in_order(
        body in "([0-9A-Za-zë;,\"\t \r\n-]{0,30}\r?\n){0,12}",
        bom in prop::bool::ANY,
    ) {
        let text = format!("{}{}\n{body}", if bom { "\u{feff}" } else { "" }, csv_header());
        let file = read_csv(text.as_bytes()).unwrap();
        let results = file.parse();
        let lines: Vec<usize> = results.iter().map(|(l, _)| *l).collect();
        // Physical lines as the reader counts them: LF, CRLF and a lone CR each end one.
        let physical = 1 + text.replace("\r\n", "\n").chars().filter(|c| matches!(c, '\n' | '\r')).count();
        for w in lines.windows(2) {
            prop_assert!(w[0] < w[1], "lines not increasing: {:?}", lines);
        }
        for l in &lines {
            prop_assert!((2..=physical).contains(l), "line {} of {}", l, physical);
        }
        prop_assert_eq!(results.len(), file.rows.len() + file.line_errors.len());
    }

    // ---- whole-record round trips ----

    #[test]
    fn bpvo_round_trips_through_record_and_json(b in bpvo_with(naam_text())) {
        let record = BpvoRecord::from(&b);
        prop_assert_eq!(Bpvo::try_from(&record).unwrap(), b.clone());
        let json = serde_json::to_string(&record).unwrap();
        let back: BpvoRecord = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Bpvo::try_from(back).unwrap(), b.clone());
        let json = serde_json::to_string(&b).unwrap();
        prop_assert_eq!(serde_json::from_str::<Bpvo>(&json).unwrap(), b);
    }

    #[test]
    fn bpvos_round_trip_through_csv_files(
        bpvos in prop::collection::vec(bpvo_with(latin_naam_text()), 1..6),
        delimiter in prop::sample::select(vec![b';', b',', b'\t']),
        date_format in prop::sample::select(vec!["%Y-%m-%d", "%d-%m-%Y", "%-d-%-m-%Y", "%d/%m/%Y"]),
        crlf in prop::bool::ANY,
        windows_1252 in prop::bool::ANY,
        bom in prop::bool::ANY,
    ) {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        w.write_record(BPVO_COLUMNS.iter().map(|(h, _)| *h)).unwrap();
        for b in &bpvos {
            let r = BpvoRecord::from(b);
            let s = r.student.clone().unwrap_or_default();
            let sc = r.school.clone().unwrap_or_default();
            let date = |d: NaiveDate| d.format(date_format).to_string();
            w.write_record([
                r.correlatie_id.unwrap_or_default(),
                r.leerbedrijf_code.unwrap_or_default(),
                r.crebo_code.unwrap_or_default(),
                date(b.periode.startdatum()),
                date(b.periode.geplande_einddatum()),
                r.leerweg_naam.unwrap_or_default(),
                s.emailadres.unwrap_or_default(),
                s.studentcode.unwrap_or_default(),
                s.naam.unwrap_or_default(),
                sc.schoolnaam.unwrap_or_default(),
                sc.locatiecode.unwrap_or_default(),
                sc.aanbiedercode.unwrap_or_default(),
                r.keuzedeel_code.unwrap_or_default(),
            ]).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let bytes: Vec<u8> = if windows_1252 {
            let (b, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            if unmappable { text.clone().into_bytes() } else { b.into_owned() }
        } else if bom {
            [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat()
        } else {
            text.clone().into_bytes()
        };
        let file = read_csv(&bytes).unwrap();
        prop_assert_eq!(file.delimiter, delimiter);
        prop_assert!(file.line_errors.is_empty());
        let parsed = file.parse();
        prop_assert_eq!(parsed.len(), bpvos.len());
        // No generated value contains a line break, so record n is on line n + 1.
        for (i, ((line, result), b)) in parsed.into_iter().zip(&bpvos).enumerate() {
            prop_assert_eq!(line, i + 2);
            prop_assert_eq!(&result.unwrap(), b);
        }
    }
}
