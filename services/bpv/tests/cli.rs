//! The `bpv` binary as an operator uses it: exit codes, messages, and what ends up in the
//! database, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use bpv_store::backend_tests;
use bpv_store::repo::{audit, bpvos, gemachtigden, instellingen, referentie};
use bpv_store::testing::TestDb;

fn bpv(db: &TestDb, args: &[&str]) -> Output {
    bpv_stdin(db, args, "")
}

fn bpv_stdin(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bpv"))
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .env("BPV_CONFIG_DIR", "/nonexistent")
        .env_remove("BPV_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[track_caller]
fn ok(o: Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    text(&o)
}

#[track_caller]
fn refused(o: Output) -> String {
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    text(&o)
}

fn demo_seeds_once_and_reports(db: &TestDb) {
    let out = ok(bpv(db, &["demo", "--bpvos", "400", "--seed", "7", "--no-serve", "--no-mail"]));
    assert!(out.contains("bpvo's") && out.contains("400"), "{out}");
    let mut conn = db.conn();
    assert_eq!(bpvos::count(&mut conn).unwrap(), 400);
    assert!(instellingen::list(&mut conn).unwrap().len() >= 5);
    assert!(!referentie::list_kwalificaties(&mut conn).unwrap().is_empty());
    // The demo ran the daily purge as cron would: nothing is left that a real deployment would
    // have removed, while the recent bpvo's keep theirs.
    assert!(out.contains("bewaartermijn"), "{out}");
    let today = bpvo::vandaag();
    let due = bpv_store::repo::retentie::purge(&mut conn, today, 90, bpv_store::now_utc(), true).unwrap();
    assert_eq!(due.bpvos(), 0, "{due:?}");
    assert!(bpvos::list_all(&mut conn).unwrap().iter().any(|b| b.student_email.is_some()));
    // A second run adds nothing and says so.
    let again = ok(bpv(db, &["demo", "--bpvos", "400", "--no-serve"]));
    assert!(again.contains("al gegevens"), "{again}");
    assert_eq!(bpvos::count(&mut conn).unwrap(), 400);
}

#[allow(clippy::too_many_lines, reason = "one operator session, command after command, as the runbook has it")]
fn admin_flow_and_refusals(db: &TestDb) {
    ok(bpv(
        db,
        &["admin", "instelling", "add", "--brin", "25ab", "--naam", "ROC Test", "--oin", "00000001812345670000"],
    ));
    let dup = refused(bpv(db, &["admin", "instelling", "add", "--brin", "25AB", "--naam", "Nog eens"]));
    assert!(dup.contains("bestaat al"), "{dup}");
    let bad = refused(bpv(db, &["admin", "instelling", "add", "--brin", "2AB", "--naam", "X"]));
    assert!(bad.contains("--brin") && bad.contains("2 cijfers"), "{bad}");

    ok(bpv(db, &["admin", "aanbieder", "add", "--brin", "25AB", "--code", "123A456", "--naam", "ROC Test MBO"]));
    refused(bpv(db, &["admin", "aanbieder", "add", "--brin", "25AB", "--code", "123B456", "--naam", "X"]));
    ok(bpv(db, &["admin", "locatie", "add", "--aanbieder", "123A456", "--code", "123X001", "--naam", "Utrecht"]));

    let shown = ok(bpv(
        db,
        &[
            "admin",
            "instelling",
            "set-participation",
            "25AB",
            "--directe-studentbevraging",
            "true",
            "--intake-op",
            "2024-01-10",
            "--verwerkersovereenkomst",
            "2024-01-15",
        ],
    ));
    assert!(shown.contains("neemt deel (direct bevragen)") && shown.contains("2024-01-15"), "{shown}");
    refused(bpv(db, &["admin", "instelling", "set-participation", "25AB", "--intake-op", "31-02-2024"]));
    refused(bpv(db, &["admin", "instelling", "set-participation", "25AB"]));

    let g1 = ok(bpv(db, &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "a@roc.nl", "--naam", "Anne"]));
    assert!(g1.contains("wachtwoord"), "a generated password is shown once: {g1}");
    ok(bpv_stdin(
        db,
        &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "b@roc.nl", "--naam", "Bo", "--password-stdin"],
        "een-lang-wachtwoord\n",
    ));
    let third =
        refused(bpv(db, &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "c@roc.nl", "--naam", "Cas"]));
    assert!(third.contains("al 2 actieve gemachtigden"), "{third}");
    refused(bpv_stdin(
        db,
        &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "d@roc.nl", "--naam", "D", "--password-stdin"],
        "kort\n",
    ));
    ok(bpv(db, &["admin", "gemachtigde", "remove", "--brin", "25AB", "--email", "a@roc.nl"]));
    ok(bpv(db, &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "c@roc.nl", "--naam", "Cas"]));
    refused(bpv(db, &["admin", "gemachtigde", "remove", "--brin", "25AB", "--email", "a@roc.nl"]));

    let client = ok(bpv(db, &["admin", "client", "create", "--brin", "25AB", "--naam", "SIS"]));
    let secret_line = client.lines().find(|l| l.contains("client_secret")).unwrap();
    let secret = secret_line.split_whitespace().last().unwrap();
    assert_eq!(secret.len(), 43);
    refused(bpv(db, &["admin", "client", "create", "--brin", "25AB", "--naam", "X", "--scope", "alles"]));
    refused(bpv(db, &["admin", "client", "create", "--naam", "X"]));

    let mut conn = db.conn();
    let i = instellingen::get(&mut conn, "25AB").unwrap();
    assert!(i.neemt_deel_aan_directe_bevraging());
    let active: Vec<_> = gemachtigden::list(&mut conn, "25AB").unwrap().into_iter().filter(|g| g.actief).collect();
    assert_eq!(active.len(), 2);
    // The secret itself is nowhere in the database, only its hash.
    let clients = bpv_store::repo::api_clients::list(&mut conn, Some("25AB")).unwrap();
    assert!(clients[0].secret_hash.starts_with("$argon2id$") && !clients[0].secret_hash.contains(secret));
    // Every change was audited.
    let actions: Vec<String> =
        audit::list(&mut conn, Some("25AB"), None, 100).unwrap().into_iter().map(|e| e.action).collect();
    for a in [
        "instelling.add",
        "aanbieder.add",
        "instelling.set-participation",
        "gemachtigde.add",
        "gemachtigde.remove",
        "client.create",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited: {actions:?}");
    }
    drop(conn);
    // `bpv admin audit` reads it back: oldest first, per instelling, since a day.
    let out = ok(bpv(db, &["admin", "audit", "--instelling", "25ab"]));
    let first = out.find("instelling.add").unwrap();
    let later = out.find("gemachtigde.remove").unwrap();
    assert!(first < later, "oldest first: {out}");
    assert!(out.contains("tijd (UTC)") && out.contains("admin:"), "{out}");
    let json = ok(bpv(db, &["admin", "audit", "--instelling", "25AB", "--json"]));
    let lines: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), actions.len());
    assert!(lines.iter().all(|l| l["instelling"] == "25AB" && l["wie"]["soort"] == "admin"));
    let future = ok(bpv(db, &["admin", "audit", "--since", "2999-01-01"]));
    assert!(future.contains("geen regels"), "{future}");
    let out = refused(bpv(db, &["admin", "audit", "--since", "gisteren"]));
    assert!(out.contains("--since"), "{out}");
    refused(bpv(db, &["admin", "audit", "--instelling", "XYZ"]));
}

fn imports_report_bad_lines_and_write_nothing(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("crebo.csv");
    std::fs::write(&bad, "crebo;naam;niveau;sector\n25604;Software developer;4;ICT\n2560;Kapot;9;XYZ\n").unwrap();
    let out = refused(bpv(db, &["admin", "import-crebo", bad.to_str().unwrap()]));
    assert!(out.contains('3'), "names line 3: {out}");
    assert!(referentie::list_kwalificaties(&mut db.conn()).unwrap().is_empty());

    let good = dir.path().join("ok.csv");
    std::fs::write(
        &good,
        "Crebo;Naam;Niveau;Sector\r\n25604;Software developer;4;ICT\r\n25480;Verzorgende-IG;3;ZWS\r\n",
    )
    .unwrap();
    let out = ok(bpv(db, &["admin", "import-crebo", good.to_str().unwrap()]));
    assert!(out.contains("2 kwalificaties"), "{out}");

    let erk = dir.path().join("erk.csv");
    std::fs::write(&erk, "leerbedrijf_id;crebo;geldig_van;geldig_tot\n100200300;25604;01-02-2020;\n100200300;25480;2021-01-01;2023-12-31\n").unwrap();
    ok(bpv(db, &["admin", "import-erkenningen", erk.to_str().unwrap()]));
    assert_eq!(referentie::count_erkenningen(&mut db.conn()).unwrap(), 2);
    refused(bpv(db, &["admin", "import-crebo", "/does/not/exist.csv"]));
}

fn migrate_reports_up_to_date(db: &TestDb) {
    let out = ok(bpv(db, &["migrate"]));
    assert!(out.contains("up to date"), "{out}");
    ok(bpv(db, &["migrate", "--check"]));
}

fn import_antwoorden_is_all_or_nothing(db: &TestDb) {
    use bpv_store::repo::{invitations, responses};
    ok(bpv(db, &["demo", "--bpvos", "400", "--seed", "3", "--no-serve"]));
    let mut conn = db.conn();
    let today = bpvo::vandaag();
    let open = invitations::open_sample(&mut conn, today, "praktijkopleider", 2).unwrap();
    assert_eq!(open.len(), 2, "the demo sends today's invitations");
    let keys: Vec<(String, String)> = open
        .iter()
        .map(|i| {
            let (_, b) = responses::invitation_with_bpvo(&mut conn, &i.id).unwrap().unwrap();
            (b.aanbiedercode, b.correlatie_id)
        })
        .collect();
    let q = bpv_aggregation::Questionnaires::builtin().unwrap();
    let q = q.for_date(today);
    let codes: Vec<String> = q.items().map(|(_, item)| item.code.clone()).collect();
    let header = format!("aanbiedercode;correlatie_id;groep;{};verbeterpunten", codes.join(";"));
    let row = |k: &(String, String), cijfer: &str| {
        let vals: Vec<String> =
            codes.iter().map(|c| if c == "cijfer" { cijfer.to_owned() } else { "4".to_owned() }).collect();
        format!("{};{};praktijkopleider;{};Meer overleg", k.0, k.1, vals.join(";"))
    };
    let before = responses::count(&mut conn).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("antwoorden.csv");
    std::fs::write(&file, format!("{header}\n{}\n{}\n", row(&keys[0], "8"), row(&keys[1], "11"))).unwrap();
    let out = refused(bpv(db, &["admin", "import-antwoorden", file.to_str().unwrap()]));
    assert!(out.contains("regel 3") && out.contains("cijfer"), "{out}");
    assert_eq!(responses::count(&mut conn).unwrap(), before, "nothing half-imported");
    std::fs::write(&file, format!("{header}\n{}\n{}\n", row(&keys[0], "8"), row(&keys[1], "6"))).unwrap();
    let out = ok(bpv(db, &["admin", "import-antwoorden", file.to_str().unwrap()]));
    assert!(out.contains("2 antwoorden"), "{out}");
    assert_eq!(responses::count(&mut conn).unwrap(), before + 2);
    let stored = responses::for_invitation(&mut conn, &open[1].id).unwrap().unwrap();
    assert_eq!((stored.bron.as_str(), stored.cijfer), ("import", 6));
    // The same file again: already answered, refused whole.
    refused(bpv(db, &["admin", "import-antwoorden", file.to_str().unwrap()]));
    assert_eq!(responses::count(&mut conn).unwrap(), before + 2);
}

/// Lezers from the CLI: added with or without a limit (checked against the instelling's own
/// aanbieders and locaties), one address one account, listed with what each reads, removed,
/// audited.
fn lezer_accounts(db: &TestDb) {
    ok(bpv(db, &["admin", "instelling", "add", "--brin", "25AB", "--naam", "ROC Test"]));
    ok(bpv(db, &["admin", "aanbieder", "add", "--brin", "25AB", "--code", "123A456", "--naam", "ROC Test MBO"]));
    ok(bpv(db, &["admin", "locatie", "add", "--aanbieder", "123A456", "--code", "123X001", "--naam", "Utrecht"]));
    ok(bpv(db, &["admin", "instelling", "add", "--brin", "26CD", "--naam", "ROC Ander"]));
    ok(bpv(db, &["admin", "aanbieder", "add", "--brin", "26CD", "--code", "223A456", "--naam", "ROC Ander MBO"]));
    ok(bpv(db, &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "g@roc.nl", "--naam", "Gea"]));

    let heel =
        ok(bpv(db, &["admin", "lezer", "add", "--brin", "25AB", "--email", "Kwaliteit@ROC.nl", "--naam", "Kim"]));
    assert!(heel.contains("hele instelling") && heel.contains("wachtwoord"), "{heel}");
    let team = ok(bpv(
        db,
        &[
            "admin",
            "lezer",
            "add",
            "--brin",
            "25ab",
            "--email",
            "team@roc.nl",
            "--naam",
            "Tom",
            "--aanbieder",
            "123a456",
            "--locatie",
            "123x001",
        ],
    ));
    assert!(team.contains("aanbieder 123A456; locatie 123X001"), "{team}");
    // Another school's aanbieder, an unknown locatie and a taken address: every reason named.
    let bad = refused(bpv(
        db,
        &[
            "admin",
            "lezer",
            "add",
            "--brin",
            "25AB",
            "--email",
            "g@roc.nl",
            "--naam",
            "X",
            "--aanbieder",
            "223A456",
            "--locatie",
            "999X999",
        ],
    ));
    assert!(bad.contains("--email") && bad.contains("--aanbieder: 223A456") && bad.contains("--locatie"), "{bad}");
    let dubbel =
        refused(bpv(db, &["admin", "lezer", "add", "--brin", "26CD", "--email", "team@roc.nl", "--naam", "T"]));
    assert!(dubbel.contains("al een actief account"), "{dubbel}");
    // A gemachtigde cannot take a lezer's address either.
    let g =
        refused(bpv(db, &["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "team@roc.nl", "--naam", "T"]));
    assert!(g.contains("actieve lezer"), "{g}");
    refused(bpv(db, &["admin", "lezer", "add", "--brin", "27EF", "--email", "n@roc.nl", "--naam", "N"]));

    let list = ok(bpv(db, &["admin", "lezer", "list", "25AB"]));
    assert!(list.contains("kwaliteit@roc.nl") && list.contains("aanbieder 123A456; locatie 123X001"), "{list}");
    ok(bpv(db, &["admin", "lezer", "remove", "--brin", "25AB", "--email", "team@roc.nl"]));
    // Not twice, and not through another instelling.
    refused(bpv(db, &["admin", "lezer", "remove", "--brin", "25AB", "--email", "team@roc.nl"]));
    refused(bpv(db, &["admin", "lezer", "remove", "--brin", "26CD", "--email", "kwaliteit@roc.nl"]));
    let mut conn = db.conn();
    let lezers = bpv_store::repo::lezers::list(&mut conn, "25AB").unwrap();
    let actief: Vec<(&str, bool)> = lezers.iter().map(|l| (l.email.as_str(), l.actief)).collect();
    assert_eq!(actief, [("kwaliteit@roc.nl", true), ("team@roc.nl", false)]);
    let actions: Vec<String> =
        audit::list(&mut conn, Some("25AB"), None, 100).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "lezer.add").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "lezer.remove").count(), 1, "{actions:?}");
}

/// The item codes of March 2022's questionnaire, and the values of an answer with grade `cijfer`
/// and every scale item `schaal`, both `;`-joined.
fn historie_items(cijfer: u8, schaal: u8) -> (String, String) {
    let qs = bpv_aggregation::Questionnaires::builtin().unwrap();
    let q = qs.for_date(chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap());
    let (codes, values): (Vec<String>, Vec<String>) = q
        .items()
        .map(|(_, i)| {
            let v = match i.kind {
                bpv_aggregation::ItemKind::Cijfer => cijfer,
                bpv_aggregation::ItemKind::Schaal => schaal,
            };
            (i.code.clone(), v.to_string())
        })
        .unzip();
    (codes.join(";"), values.join(";"))
}

/// A history file: `n` student answers (grade 8, every scale item 4) of March 2022 at 123A456 /
/// 123X001 / BOL / 25180 and that cell's `uitgenodigd` invitations (lines 2 to n + 2), then
/// `extra` lines.
fn historie_csv(n: usize, uitgenodigd: usize, extra: &str) -> String {
    let (codes, values) = historie_items(8, 4);
    let mut csv = format!("soort;maand;aanbiedercode;locatiecode;leerweg;crebo;groep;aantal;{codes}\n");
    for _ in 0..n {
        csv.push_str(&format!("antwoord;2022-03;123A456;123X001;BOL;25180;student;;{values}\n"));
    }
    csv.push_str(&format!("uitnodigingen;2022-03;123A456;123X001;BOL;25180;student;{uitgenodigd}\n"));
    csv.push_str(extra);
    csv
}

/// `bpv admin import-historie`: a file with bad lines stores nothing and names each; a good one
/// counts in the results (hand-computed: 12 answers of grade 8 out of 20 invitations); the same
/// file again changes nothing.
fn import_historie_counts_once_and_all_or_nothing(db: &TestDb) {
    ok(bpv(db, &["admin", "instelling", "add", "--brin", "25AB", "--naam", "ROC Test"]));
    ok(bpv(db, &["admin", "aanbieder", "add", "--brin", "25AB", "--code", "123A456", "--naam", "ROC Test MBO"]));
    ok(bpv(db, &["admin", "locatie", "add", "--aanbieder", "123A456", "--code", "123X001", "--naam", "Utrecht"]));
    let dir = tempfile::tempdir().unwrap();
    let crebo = dir.path().join("crebo.csv");
    std::fs::write(&crebo, "crebo;naam;niveau;sector\n25180;Monteur;2;TGO\n").unwrap();
    ok(bpv(db, &["admin", "import-crebo", crebo.to_str().unwrap()]));

    // Lines 15–17: two praktijkopleider answers in a cell with one invitation; line 18: a month
    // that does not exist; line 19: an unknown aanbieder; line 20: free text.
    let (codes, po_values) = historie_items(7, 3);
    let po_regel = format!("antwoord;2022-03;123A456;;BBL;25180;praktijkopleider;;{po_values}\n");
    let po = format!("{po_regel}{po_regel}uitnodigingen;2022-03;123A456;;BBL;25180;praktijkopleider;1\n");
    let fout = format!(
        "{po}uitnodigingen;2022-13;123A456;;BOL;25180;student;4\nantwoord;2022-03;999A999;;BOL;25180;student;;{po_values}\n"
    );
    let slecht = dir.path().join("slecht.csv");
    std::fs::write(&slecht, historie_csv(12, 20, &fout)).unwrap();
    let out = refused(bpv(db, &["admin", "import-historie", slecht.to_str().unwrap()]));
    assert!(out.contains("niets geïmporteerd"), "{out}");
    assert!(out.contains("regel 18: maand") && out.contains("regel 19: aanbiedercode"), "{out}");
    assert!(out.contains("regel 15: 2 antwoorden maar 1 uitnodigingen"), "{out}");
    let tekst = dir.path().join("tekst.csv");
    let (_, values) = historie_items(8, 4);
    std::fs::write(
        &tekst,
        format!("soort;maand;aanbiedercode;leerweg;crebo;groep;{codes};verbeterpunten\nantwoord;2022-03;123A456;BOL;25180;student;{values};Jan deed het goed\n"),
    )
    .unwrap();
    let out = refused(bpv(db, &["admin", "import-historie", tekst.to_str().unwrap()]));
    assert!(out.contains("regel 2: verbeterpunten"), "no free text: {out}");
    assert_eq!(bpv_store::repo::historie::counts(&mut db.conn()).unwrap(), (0, 0), "a bad line stores nothing");

    let goed = dir.path().join("historie-2022.csv");
    let po = po.replace("praktijkopleider;1", "praktijkopleider;5");
    std::fs::write(&goed, historie_csv(12, 20, &po)).unwrap();
    let out = ok(bpv(db, &["admin", "import-historie", goed.to_str().unwrap()]));
    assert!(out.contains("14 antwoorden, 25 uitnodigingen"), "{out}");
    let again = ok(bpv(db, &["admin", "import-historie", goed.to_str().unwrap()]));
    assert!(again.contains("al geïmporteerd") && again.contains("niets veranderd"), "{again}");
    let mut conn = db.conn();
    assert_eq!(bpv_store::repo::historie::counts(&mut conn).unwrap(), (14, 2));
    let actions: Vec<String> = audit::list(&mut conn, None, None, 100).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "historie.import").count(), 1, "{actions:?}");

    // The results engine counts them: 12 students of grade 8, 12 of 20 invited; the two
    // praktijkopleiders stay below k.
    let data = bpv_reporting_api::data::ReportData::new(bpv_aggregation::Questionnaires::builtin().unwrap(), 10);
    let first = data.refresh(&mut conn).unwrap();
    assert_eq!(first.answers, 14);
    let ym = |s: &str| s.parse::<bpv_aggregation::YearMonth>().unwrap();
    let selectie = bpv_aggregation::Selectie {
        brin: Some("25AB".into()),
        van: Some(ym("2022-01")),
        tot_en_met: Some(ym("2022-12")),
        ..bpv_aggregation::Selectie::national(bpvo::Groep::Student)
    };
    let r = data.evaluate(&selectie);
    let cijfer = r.item(bpv_aggregation::CIJFER_CODE).unwrap();
    assert_eq!((cijfer.mean.value, cijfer.mean.n), (Some(8.0), 12));
    assert_eq!((r.response.responded, r.response.invited), (12, 20));
    let po = data.evaluate(&bpv_aggregation::Selectie { groep: bpvo::Groep::Praktijkopleider, ..selectie.clone() });
    assert!(po.item(bpv_aggregation::CIJFER_CODE).unwrap().mean.value.is_none(), "2 answers: below k");
    // Absorbed once: a later refresh finds nothing new.
    assert_eq!(data.refresh(&mut conn).unwrap().answers, 0);
}

/// The data-quality imports: erkenningen for keuzedelen with decision dates, DUO's registration
/// dates (all or nothing, every bad line named), each register import recorded as a delivery.
fn data_quality_imports_are_all_or_nothing_and_recorded(db: &TestDb) {
    ok(bpv(db, &["admin", "instelling", "add", "--brin", "25AB", "--naam", "ROC Test"]));
    ok(bpv(db, &["admin", "aanbieder", "add", "--brin", "25AB", "--code", "123A456", "--naam", "ROC Test"]));
    let dir = tempfile::tempdir().unwrap();
    let erk = dir.path().join("erk.csv");
    std::fs::write(
        &erk,
        "leerbedrijf_id;crebo;geldig_van;geldig_tot;keuzedeel_code;aanvraagdatum;besluitdatum\n\
         100200300;25604;2020-01-01;;;2019-10-01;2019-12-01\n\
         100200300;;2021-01-01;;K0125;;\n",
    )
    .unwrap();
    let out = ok(bpv(db, &["admin", "import-erkenningen", erk.to_str().unwrap()]));
    assert!(out.contains("2 erkenningen gelezen (1 voor een keuzedeel), 2 nieuw"), "{out}");
    let stored = referentie::erkenningen_for(&mut db.conn(), "100200300").unwrap();
    assert_eq!(stored[0].besloten_op, Some("2019-12-01".parse().unwrap()));

    let duo = dir.path().join("duo.csv");
    std::fs::write(
        &duo,
        "aanbiedercode;correlatie_id;startdatum;meldingsdatum\n123A456;B-1;2026-09-01;2026-08-20\n\
         999A999;B-2;2026-09-01;2026-08-20\n123A456;B-3;2026-09-01;x\n",
    )
    .unwrap();
    let out = refused(bpv(db, &["admin", "import-duo-meldingen", duo.to_str().unwrap()]));
    assert!(
        out.contains("regel 3: aanbiedercode") && out.contains("regel 4: meldingsdatum"),
        "names each bad line: {out}"
    );
    let count = |db: &TestDb| -> i64 {
        use diesel::prelude::*;
        bpv_store::schema::duo_meldingen::table.count().get_result(&mut db.conn()).unwrap()
    };
    assert_eq!(count(db), 0, "nothing half-imported");
    std::fs::write(&duo, "aanbiedercode;correlatie_id;startdatum;meldingsdatum\n123A456;B-1;01-09-2026;2026-08-20\n")
        .unwrap();
    let out = ok(bpv(db, &["admin", "import-duo-meldingen", duo.to_str().unwrap()]));
    assert!(out.contains("1 DUO-meldingen"), "{out}");
    assert_eq!(count(db), 1);
    let leveringen = bpv_store::repo::datakwaliteit::leveringen(&mut db.conn(), bpvo::vandaag()).unwrap();
    assert_eq!(leveringen.iter().map(|l| l.register.as_str()).collect::<Vec<_>>(), ["erkenningen"]);
    let actions: Vec<String> =
        audit::list(&mut db.conn(), None, None, 50).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"duo_meldingen.import".to_owned()) && actions.contains(&"erkenningen.import".to_owned()));
}

/// Toezicht accounts: an organisation of the two, one address one account, listed, removed, audited.
fn toezicht_accounts(db: &TestDb) {
    let out = ok(bpv_stdin(
        db,
        &[
            "admin",
            "toezicht",
            "add",
            "--email",
            "T.Inspecteur@Inspectie.example",
            "--naam",
            "T. Inspecteur",
            "--organisatie",
            "Inspectie",
            "--password-stdin",
        ],
        "een-lang-wachtwoord\n",
    ));
    assert!(out.contains("t.inspecteur@inspectie.example (inspectie) toegevoegd"), "{out}");
    refused(bpv(
        db,
        &["admin", "toezicht", "add", "--email", "x@ocw.example", "--naam", "X", "--organisatie", "rekenkamer"],
    ));
    refused(bpv(
        db,
        &[
            "admin",
            "toezicht",
            "add",
            "--email",
            "t.inspecteur@inspectie.example",
            "--naam",
            "Twee",
            "--organisatie",
            "ocw",
        ],
    ));
    let list = ok(bpv(db, &["admin", "toezicht", "list"]));
    assert!(
        list.contains("t.inspecteur@inspectie.example") && list.contains("inspectie") && list.contains("ja"),
        "{list}"
    );
    ok(bpv(db, &["admin", "toezicht", "remove", "--email", "t.inspecteur@inspectie.example"]));
    refused(bpv(db, &["admin", "toezicht", "remove", "--email", "t.inspecteur@inspectie.example"]));
    let actions: Vec<String> =
        audit::list(&mut db.conn(), None, None, 50).unwrap().into_iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&"toezichthouder.add".to_owned()) && actions.contains(&"toezichthouder.remove".to_owned())
    );
}

/// Scripts read `bpv admin --json`: listings as arrays of typed objects, `instelling show` and
/// `client create` as one object, imports as their counts; `--door` (or `BPV_DOOR`) names the
/// operator in the audit log where `$USER` says nothing.
fn admin_json_and_door(db: &TestDb) {
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&ok(bpv(db, args))).unwrap() };
    ok(bpv(db, &["admin", "--door", "ops-pipeline", "instelling", "add", "--brin", "25AB", "--naam", "ROC Test"]));
    ok(bpv(db, &["admin", "aanbieder", "add", "--brin", "25AB", "--code", "123A456", "--naam", "ROC Test"]));
    let list = json(&["admin", "instelling", "list", "--json"]);
    assert_eq!(list[0]["brin"], "25AB");
    assert_eq!(list[0]["directeBevraging"], false, "typed, not ja/nee");
    assert!(list[0]["verwerkersovereenkomst"].is_null());
    let show = json(&["admin", "--json", "instelling", "show", "25AB"]);
    assert_eq!(show["aanbieders"][0]["code"], "123A456");
    let client = json(&["admin", "client", "create", "--brin", "25AB", "--naam", "SIS", "--json"]);
    assert!(client["clientSecret"].as_str().is_some_and(|s| s.len() >= 32), "{client}");
    assert_eq!(client["scopes"].as_array().unwrap().len(), 3);
    let clients = json(&["admin", "client", "list", "--json"]);
    assert_eq!(clients[0]["clientId"], client["clientId"]);
    assert!(clients[0].get("clientSecret").is_none(), "the secret is shown once");
    let dir = tempfile::tempdir().unwrap();
    let duo = dir.path().join("duo.csv");
    std::fs::write(&duo, "aanbiedercode;correlatie_id;startdatum;meldingsdatum\n123A456;B-1;2026-09-01;2026-08-20\n")
        .unwrap();
    assert_eq!(
        json(&["admin", "import-duo-meldingen", duo.to_str().unwrap(), "--json"]),
        serde_json::json!({ "geimporteerd": 1 })
    );
    assert_eq!(json(&["admin", "medewerker", "list", "--json"]), serde_json::json!([]));
    // Adding and removing answer as objects too; a generated password is in the object, once.
    let locatie = json(&[
        "admin",
        "locatie",
        "add",
        "--aanbieder",
        "123A456",
        "--code",
        "123X001",
        "--naam",
        "Vestiging",
        "--json",
    ]);
    assert_eq!((locatie["locatiecode"].as_str(), locatie["opgeslagen"].as_bool()), (Some("123X001"), Some(true)));
    let added =
        json(&["admin", "gemachtigde", "add", "--brin", "25AB", "--email", "g@roc.example", "--naam", "G", "--json"]);
    assert_eq!(added["gemachtigde"], "g@roc.example");
    assert!(added["wachtwoord"].as_str().is_some_and(|w| w.len() >= 12), "{added}");
    let removed = json(&["admin", "gemachtigde", "remove", "--brin", "25AB", "--email", "g@roc.example", "--json"]);
    assert_eq!(removed, serde_json::json!({ "gemachtigde": "g@roc.example", "brin": "25AB", "gedeactiveerd": true }));
    let audit = audit::list(&mut db.conn(), Some("25AB"), None, 50).unwrap();
    let add = audit.iter().find(|e| e.action == "instelling.add").unwrap();
    assert_eq!((add.actor_kind.as_str(), add.actor_id.as_str()), ("admin", "ops-pipeline"));
    let with_env = Command::new(env!("CARGO_BIN_EXE_bpv"))
        .args(["--database-url", db.url(), "admin", "client", "revoke", client["clientId"].as_str().unwrap()])
        .env("BPV_CONFIG_DIR", "/nonexistent")
        .env("BPV_DOOR", "k8s-job")
        .output()
        .unwrap();
    assert!(with_env.status.success(), "{}", text(&with_env));
    let audit = audit::list(&mut db.conn(), None, None, 50).unwrap();
    assert!(audit.iter().any(|e| e.action == "client.revoke" && e.actor_id == "k8s-job"));
    refused(bpv(db, &["admin", "--door", "", "instelling", "list"]));
}

backend_tests!(
    admin_json_and_door,
    data_quality_imports_are_all_or_nothing_and_recorded,
    toezicht_accounts,
    import_historie_counts_once_and_all_or_nothing,
    lezer_accounts,
    import_antwoorden_is_all_or_nothing,
    demo_seeds_once_and_reports,
    admin_flow_and_refusals,
    imports_report_bad_lines_and_write_nothing,
    migrate_reports_up_to_date
);

#[test]
fn unknown_database_scheme_is_bad_input_and_unreachable_server_is_failure() {
    let run = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_bpv"))
            .args(["--database-url", url, "migrate"])
            .env("BPV_CONFIG_DIR", "/nonexistent")
            .output()
            .unwrap()
    };
    let typo = run("sqlit://data/bpv.sqlite");
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo));
    assert!(text(&typo).contains("unsupported database URL"));
    let down = run("postgres://nobody@127.0.0.1:1/nothing");
    assert_eq!(down.status.code(), Some(1), "{}", text(&down));
}

#[test]
fn usage_errors_exit_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_bpv")).args(["admin", "instelling", "add"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_bpv")).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
}

/// A start that works logs no error: migrating a new SQLite file while the pool opens its
/// connections used to log r2d2's "database is locked" (about one start in three), the first
/// line a newcomer saw from the demo.
#[test]
fn a_fresh_sqlite_database_starts_without_an_error_line() {
    for attempt in 0..6 {
        let dir = std::env::temp_dir().join(format!("bpv-fresh-{}-{attempt}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let o = Command::new(env!("CARGO_BIN_EXE_bpv"))
            .arg("--database-url")
            .arg(format!("sqlite://{}/bpv.sqlite", dir.display()))
            .arg("migrate")
            .env("BPV_CONFIG_DIR", "/nonexistent")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!stderr.contains("ERROR") && !stderr.contains("locked"), "attempt {attempt}: {stderr}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
