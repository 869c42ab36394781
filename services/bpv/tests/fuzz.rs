//! Fuzz targets for everything that parses what outsiders send: the CSV upload reader, the JSON
//! batch parser, the survey's answer form and the questionnaire loader. Each runs random and
//! structure-aware inputs (proptest strategies, so a failure is shrunk to a small example) for
//! `BPV_FUZZ_SECONDS` (default 2) and fails on a panic or a broken invariant.
//! `scripts/fuzz.sh [SECONDS]` runs them for longer (`.ci/run`: 30 s per target).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::fmt::Debug;
use std::time::{Duration, Instant};

use bpv_aggregation::{Questionnaires, validate_answers};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Run `check` on inputs from `strategy` until the time is up; random seed per round. `check`
/// says whether the input was accepted: a target whose inputs are (almost) never accepted would
/// not reach the code behind the parser, so at least 1 % must be.
fn fuzz<S>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<bool, TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    use std::sync::atomic::{AtomicU64, Ordering};
    let seconds: u64 = std::env::var("BPV_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    let started = Instant::now();
    let (mut cases, accepted) = (0u64, AtomicU64::new(0));
    while started.elapsed() < Duration::from_secs(seconds) {
        let mut runner = TestRunner::new(Config { cases: 500, failure_persistence: None, ..Config::default() });
        let counted = |v| {
            if check(v)? {
                accepted.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        };
        if let Err(e) = runner.run(&strategy, counted) {
            panic!("fuzz target {name}: {e}");
        }
        cases += 500;
    }
    let accepted = accepted.into_inner();
    eprintln!(
        "fuzz {name}: {cases} inputs ({accepted} accepted) in {:.0} s, no failure",
        started.elapsed().as_secs_f64()
    );
    assert!(accepted * 100 >= cases, "fuzz target {name}: only {accepted} of {cases} inputs accepted");
}

/// Bytes that look like what is fuzzed, mutated: pieces of `alphabet` text, then random byte
/// edits (flips, insertions, truncation), sometimes replaced by arbitrary bytes altogether.
fn mutated(base: impl Strategy<Value = String>) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..6);
    prop_oneof![
        4 => (base, edits).prop_map(|(text, edits)| {
            let mut bytes = text.into_bytes();
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        }),
        1 => prop::collection::vec(any::<u8>(), 0..600),
    ]
}

fn csv_field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,10}",
        "[0-9]{3}[AX][0-9]{3}",
        "[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}",
        "(BOL|BBL|bol|Bbl|HBO)",
        "[a-zë]{1,8}@[a-z]{1,6}\\.nl",
        "\"[^\"]{0,12}(\"\"[^\"]{0,5})?\"",
        "=[A-Z]{3,9}\\(\"[a-z]{0,8}\"\\)",
        "\\PC{0,16}",
    ]
}

fn csv_text() -> impl Strategy<Value = String> {
    let header = "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;\
                  Geplande_einddatum;Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode";
    let line = prop::collection::vec(csv_field(), 0..14);
    (
        prop::bool::ANY,
        prop::sample::select(vec![";", ",", "\t", "|"]),
        prop::sample::select(vec!["\r\n", "\n", "\r"]),
        prop::collection::vec(line, 0..8),
    )
        .prop_map(move |(bom, sep, eol, lines)| {
            let mut text = String::from(if bom { "\u{feff}" } else { "" });
            text.push_str(&header.replace(';', sep));
            for l in lines {
                text.push_str(eol);
                text.push_str(&l.join(sep));
            }
            text
        })
}

/// A small valid workbook with the upload's columns, as bytes.
fn workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;Geplande_einddatum;\
         Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode",
        "A-1;100200300;25604;a@b.nl;1;Zoë Çelik;01-09-2026;30-06-2027;BOL;ROC;123X001;123A456",
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.split(';').enumerate() {
            ws.write_string(u32::try_from(r).unwrap_or(0), u16::try_from(c).unwrap_or(0), v).expect("cell");
        }
    }
    wb.save_to_buffer().expect("workbook")
}

/// The upload reader fed (mutated) Excel workbooks: an untrusted zip and XML, read by calamine.
#[test]
fn fuzz_xlsx_upload_reader() {
    let base = workbook();
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..4);
    let inputs = edits.prop_map(move |edits| {
        let mut bytes = base.clone();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ => bytes.truncate(i),
            }
        }
        bytes
    });
    fuzz("xlsx", inputs, |bytes| {
        let Ok(upload) = bpv_school_api::read_upload(&bytes, 1_000) else { return Ok(false) };
        let lines: Vec<usize> = upload.incoming.iter().filter_map(|i| i.regel).collect();
        prop_assert!(lines.windows(2).all(|w| w[0] < w[1]), "lines in order: {lines:?}");
        Ok(true)
    });
}

#[test]
fn fuzz_csv_upload_reader() {
    fuzz("csv", mutated(csv_text()), |bytes| {
        let Ok(upload) = bpv_school_api::read_csv_upload(&bytes, 1_000) else { return Ok(false) };
        prop_assert!(!upload.incoming.is_empty(), "an accepted file has lines");
        let lines: Vec<usize> = upload.incoming.iter().filter_map(|i| i.regel).collect();
        prop_assert!(lines.windows(2).all(|w| w[0] < w[1]), "lines in order: {lines:?}");
        for inc in &upload.incoming {
            if let Err(errors) = &inc.parsed {
                prop_assert!(!errors.is_empty(), "a rejected line says why");
            }
        }
        Ok(true)
    });
}

fn json_value(depth: u32) -> BoxedStrategy<String> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "correlatieId",
            "leerbedrijfCode",
            "creboCode",
            "startdatum",
            "geplandeEinddatum",
            "leerwegNaam",
            "student",
            "school",
            "emailadres",
            "studentcode",
            "naam",
            "schoolnaam",
            "locatiecode",
            "aanbiedercode",
            "records",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{0,8}",
    ];
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        "-?[0-9]{1,20}(\\.[0-9]{1,5})?(e[0-9]{1,3})?",
        csv_field().prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let inner = json_value(depth - 1);
    prop_oneof![
        2 => leaf,
        1 => prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
        2 => prop::collection::vec((key, inner), 0..9).prop_map(|kv| {
            let fields: Vec<String> =
                kv.into_iter().map(|(k, v)| format!("{}:{v}", serde_json::to_string(&k).unwrap())).collect();
            format!("{{{}}}", fields.join(","))
        }),
    ]
    .boxed()
}

/// A valid record whose fields are now and then replaced, dropped or given another type.
fn near_valid_record() -> impl Strategy<Value = String> {
    let valid: serde_json::Value = serde_json::json!({
        "correlatieId": "F-1", "leerbedrijfCode": "100200300", "creboCode": "25604",
        "startdatum": "2026-09-01", "geplandeEinddatum": "2027-06-30", "leerwegNaam": "BOL",
        "student": { "emailadres": "zoe@student.example", "studentcode": "1234567", "naam": "Zoë Çelik" },
        "school": { "schoolnaam": "ROC Test", "locatiecode": "123X001", "aanbiedercode": "123A456" }
    });
    let change = prop_oneof![12 => Just(None), 1 => json_value(1).prop_map(Some), 1 => Just(Some(String::new()))];
    prop::collection::vec(change, 12).prop_map(move |changes| {
        let mut record = valid.clone();
        let paths = [
            ("correlatieId", None),
            ("leerbedrijfCode", None),
            ("creboCode", None),
            ("startdatum", None),
            ("geplandeEinddatum", None),
            ("leerwegNaam", None),
            ("student", Some("emailadres")),
            ("student", Some("studentcode")),
            ("student", Some("naam")),
            ("school", Some("schoolnaam")),
            ("school", Some("locatiecode")),
            ("school", Some("aanbiedercode")),
        ];
        for ((outer, inner), change) in paths.iter().zip(changes) {
            let Some(new) = change else { continue };
            let slot = match inner {
                Some(inner) => &mut record[*outer][*inner],
                None => &mut record[*outer],
            };
            // An empty change drops the field; anything else replaces it (JSON or not).
            *slot = if new.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_str(&new).unwrap_or(serde_json::Value::String(new))
            };
        }
        record.to_string()
    })
}

#[test]
fn fuzz_json_batch_parser() {
    let record = prop_oneof![2 => near_valid_record(), 1 => json_value(3)];
    let batch =
        prop::collection::vec(record, 0..4).prop_map(|records| format!("{{\"records\":[{}]}}", records.join(",")));
    let inputs = prop_oneof![
        2 => batch.clone().prop_map(String::into_bytes),
        2 => mutated(batch),
        1 => mutated(json_value(4)),
    ];
    fuzz("json", inputs, |bytes| {
        let Ok(incoming) = bpv_school_api::read_json_batch(&bytes, 100) else { return Ok(false) };
        prop_assert!(!incoming.is_empty());
        let mut accepted = false;
        for inc in &incoming {
            match &inc.parsed {
                Ok(b) => {
                    accepted = true;
                    // What was accepted survives the way back unchanged.
                    let again = bpvo::Bpvo::try_from(&bpvo::BpvoRecord::from(b));
                    prop_assert_eq!(again.as_ref(), Ok(b));
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
        Ok(accepted)
    });
}

/// A form as the survey page posts it: one questionnaire's fields, mostly with valid values,
/// some missing or wrong, plus stray fields; urlencoded.
fn form_text(per_questionnaire: Vec<Vec<String>>) -> impl Strategy<Value = String> {
    let value = prop_oneof![
        60 => "[1-5]",
        6 => "(nvt|NVT|n\\.v\\.t\\.| 3 )",
        1 => "-?[0-9]{1,4}",
        1 => "\\PC{0,40}",
        1 => "(%[0-9A-Fa-f]{2}|[a-z+ ]){0,20}",
    ];
    let stray = prop_oneof![
        3 => Just(Vec::new()),
        1 => prop::collection::vec(("[a-z_0-9%+]{0,12}", "\\PC{0,12}"), 1..3),
    ];
    prop::sample::select(per_questionnaire)
        .prop_flat_map(move |codes| {
            let n = codes.len();
            (Just(codes), prop::collection::vec((value.clone(), 0..200u8), n), stray.clone())
        })
        .prop_map(|(codes, values, stray)| {
            let mut pairs: Vec<String> = codes
                .iter()
                .zip(values)
                .filter(|(_, (_, drop))| *drop != 0)
                .map(|(k, (v, _))| format!("{k}={}", v.replace('&', "%26")))
                .collect();
            pairs.extend(stray.into_iter().map(|(k, v)| format!("{k}={}", v.replace('&', "%26"))));
            pairs.join("&")
        })
}

#[test]
fn fuzz_survey_answer_form() {
    let qs = Questionnaires::builtin().unwrap();
    let codes: Vec<Vec<String>> = qs
        .all()
        .iter()
        .map(|q| q.items().map(|(_, i)| i.code.clone()).chain([q.open.code.clone()]).collect())
        .collect();
    fuzz(
        "form",
        prop_oneof![4 => form_text(codes).prop_map(String::into_bytes), 1 => mutated("\\PC{0,80}")],
        |bytes| {
            // The form as actix reads it (`web::Form<HashMap<String, String>>`), then the survey's rules.
            let Ok(fields) = serde_urlencoded::from_bytes::<HashMap<String, String>>(&bytes) else { return Ok(false) };
            let mut accepted = false;
            for q in qs.all() {
                match validate_answers(q, &fields) {
                    Ok(answers) => {
                        accepted = true;
                        prop_assert!(answers.check_against(q).is_ok(), "accepted answers fit their questionnaire");
                        let back = bpv_aggregation::Answers::from_json(&answers.to_json()).unwrap();
                        prop_assert_eq!(back, answers);
                    }
                    Err(errors) => prop_assert!(!errors.is_empty()),
                }
            }
            Ok(accepted)
        },
    );
}

#[test]
fn fuzz_questionnaire_loader() {
    let sources = [
        include_str!("../../../crates/aggregation/questionnaires/2022-01.toml"),
        include_str!("../../../crates/aggregation/questionnaires/2024-07.toml"),
    ];
    // Whole lines dropped, repeated or swapped, then byte edits: mostly still TOML, rarely valid.
    let lines_of = |s: &'static str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    let edited = (
        prop::sample::select(vec![lines_of(sources[0]), lines_of(sources[1])]),
        prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0..3u8), 0..5),
    )
        .prop_map(|(mut lines, edits)| {
            for (a, b, kind) in edits {
                if lines.is_empty() {
                    break;
                }
                let (i, j) = (a.index(lines.len()), b.index(lines.len()));
                match kind {
                    0 => {
                        lines.remove(i);
                    }
                    1 => {
                        let l = lines[i].clone();
                        lines.insert(j, l);
                    }
                    _ => lines.swap(i, j),
                }
            }
            lines.join("\n")
        });
    fuzz("questionnaire", mutated(edited), |bytes| {
        let Ok(text) = String::from_utf8(bytes) else { return Ok(false) };
        let Ok(qs) = Questionnaires::from_toml(&[text.as_str()]) else { return Ok(false) };
        for q in qs.all() {
            // A questionnaire that loads can be filled in: its own complete form is valid.
            let form: HashMap<String, String> = q
                .items()
                .map(|(_, i)| (i.code.clone(), if i.kind.allows_nvt() { "nvt".into() } else { "7".into() }))
                .collect();
            prop_assert!(validate_answers(q, &form).is_ok(), "{}: its own complete form is refused", q.version);
        }
        Ok(true)
    });
}
