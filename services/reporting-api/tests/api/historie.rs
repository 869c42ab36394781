//! Imported history (answers and invitation counts of past years, `repo::historie`) counts in
//! the results and the trend beside the live fixture of `helpers` (March 2024). Added here, in
//! March 2023: at 25AB / 123A456 / L1 / BOL / 25180 ten students of grade 6 out of 20 invited, at
//! 26CD ten of grade 8 out of 10 invited.

use bpv_store::async_backend_tests;
use bpv_store::repo::historie::{self, HistorieAntwoord, HistorieBestand, HistorieSleutel};
use bpv_store::testing::TestDb;

use crate::helpers::{answers, cijfer, spawn_app};

fn sleutel(aanbieder: &str, locatie: Option<&str>) -> HistorieSleutel {
    HistorieSleutel {
        groep: "student".into(),
        maand: "2023-03".into(),
        aanbiedercode: aanbieder.into(),
        locatiecode: locatie.map(str::to_owned),
        leerweg: "BOL".into(),
        crebo: "25180".into(),
    }
}

fn antwoorden(s: &HistorieSleutel, n: usize, grade: u8, schaal: u8) -> Vec<HistorieAntwoord> {
    let (version, json) = answers(grade, schaal);
    (0..n)
        .map(|_| HistorieAntwoord {
            sleutel: s.clone(),
            sector: Some("Techniek".into()),
            questionnaire_version: version.clone(),
            cijfer: i32::from(grade),
            antwoorden: json.clone(),
        })
        .collect()
}

async fn history_counts_in_results_and_trend(db: TestDb) {
    let app = spawn_app(db).await;
    let (eigen, ander) = (sleutel("123A456", Some("L1")), sleutel("223A456", None));
    let mut lijst = antwoorden(&eigen, 10, 6, 2);
    lijst.extend(antwoorden(&ander, 10, 8, 4));
    let bestand = HistorieBestand {
        id: "a".repeat(64),
        naam: "historie-2023.csv".into(),
        geimporteerd_op: bpv_store::now_utc(),
        antwoorden: 20,
        uitnodigingen: 30,
    };
    historie::store(&mut app.db.conn(), &bestand, &lijst, &[(eigen, 20), (ander, 10)]).unwrap();
    app.refresh();

    let r = app.json("/v1/resultaten?van=2023-01&totEnMet=2023-12", &app.school("25AB")).await;
    let (own, land) = cijfer(&r);
    assert_eq!((own["tekst"].as_str(), land["tekst"].as_str()), (Some("6,0"), Some("7,0")), "{r}");
    assert_eq!(r["respons"]["instelling"]["tekst"], "50% (10 van 20)", "{r}");
    assert_eq!(r["respons"]["landelijk"]["tekst"], "67% (20 van 30)", "{r}");

    let t = app.json("/v1/resultaten/trend?van=2023-01&totEnMet=2024-12", &app.school("25AB")).await;
    let k1: Vec<(String, String)> = t["kwartalen"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["periode"].as_str().unwrap().ends_with("-K1"))
        .map(|p| {
            (p["periode"].as_str().unwrap().to_owned(), p["cijfer"]["instelling"]["tekst"].as_str().unwrap().to_owned())
        })
        .collect();
    // 2024-K1 is the live fixture: (12·8 + 10·6)/22 = 7,1.
    assert_eq!(k1, [("2023-K1".to_owned(), "6,0".to_owned()), ("2024-K1".to_owned(), "7,1".to_owned())], "{t}");
    // The same file is not absorbed twice.
    let mut conn = app.db.conn();
    assert_eq!(app.data.refresh(&mut conn).unwrap().answers, 0);
    assert!(historie::store(&mut conn, &bestand, &[], &[]).is_err(), "a file's checksum is stored once");
}

async_backend_tests!(history_counts_in_results_and_trend);
