//! Non-aggregated results over mutual TLS, with certificates made by `openssl` and requests made
//! by `curl --cert`: the success path (JSON, CSV, filters), and each refusal — no certificate, a
//! certificate of an unknown CA, an expired one, one without an OIN, the OIN of another school,
//! a certificate without a token, an SBB token — and the audit trail of every read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use bpv_store::async_backend_tests;
use bpv_store::repo::audit;
use bpv_store::testing::TestDb;
use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with};

const OIN_25AB: &str = "00000001000000025000";
const OIN_26CD: &str = "00000001000000026000";

/// Certificates for every case, made once per test process.
struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl is installed");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const EC: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

fn ca(dir: &Path, name: &str) {
    let (key, pem, subj) = (format!("{name}.key"), format!("{name}.pem"), format!("/C=NL/O=Test/CN={name}"));
    let mut args = vec!["req", "-x509"];
    args.extend(EC);
    args.extend(["-nodes", "-keyout", &key, "-out", &pem, "-days", "3650", "-subj", &subj]);
    args.extend(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(dir, &args);
}

/// A key and CSR `name.key` / `name.csr` for `subj`.
fn csr(dir: &Path, name: &str, subj: &str) {
    let (key, csr) = (format!("{name}.key"), format!("{name}.csr"));
    let mut args = vec!["req", "-new"];
    args.extend(EC);
    args.extend(["-nodes", "-keyout", &key, "-out", &csr, "-subj", subj]);
    openssl(dir, &args);
}

/// Sign `name.csr` with CA `ca` into `name.pem` using the extensions in `ext`.
fn sign(dir: &Path, name: &str, ca: &str, ext: &str) {
    let extfile = format!("{name}.ext");
    std::fs::write(dir.join(&extfile), ext).unwrap();
    let (csr, pem, ca_pem, ca_key) =
        (format!("{name}.csr"), format!("{name}.pem"), format!("{ca}.pem"), format!("{ca}.key"));
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "30",
            "-sha256",
            "-extfile",
            &extfile,
        ],
    );
}

const CLIENT_EXT: &str = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n";

static CERTS: LazyLock<Certs> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ca(d, "ca");
    ca(d, "rogue");
    csr(d, "server", "/CN=localhost");
    sign(
        d,
        "server",
        "ca",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    );
    csr(d, "school25", &format!("/C=NL/O=ROC 25AB/serialNumber={OIN_25AB}/CN=SIS 25AB"));
    sign(d, "school25", "ca", CLIENT_EXT);
    csr(d, "school26", &format!("/C=NL/O=ROC 26CD/serialNumber={OIN_26CD}/CN=SIS 26CD"));
    sign(d, "school26", "ca", CLIENT_EXT);
    csr(d, "rogue25", &format!("/C=NL/O=ROC 25AB/serialNumber={OIN_25AB}/CN=SIS 25AB"));
    sign(d, "rogue25", "rogue", CLIENT_EXT);
    csr(d, "nooin", "/C=NL/O=ROC 25AB/CN=SIS 25AB");
    sign(d, "nooin", "ca", CLIENT_EXT);
    // Expired: `openssl ca` sets explicit validity dates in the past.
    csr(d, "expired", &format!("/C=NL/O=ROC 25AB/serialNumber={OIN_25AB}/CN=SIS 25AB"));
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("serial"), "1000\n").unwrap();
    std::fs::write(
        d.join("ca.cnf"),
        format!(
            "[ca]\ndefault_ca = tca\n[tca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = pol\n[pol]\ncommonName = supplied\n[ext]\n{CLIENT_EXT}"
        ),
    )
    .unwrap();
    openssl(
        d,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "expired.csr",
            "-out",
            "expired.pem",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210101000000Z",
            "-extensions",
            "ext",
            "-preserveDN",
            "-notext",
        ],
    );
    Certs { dir }
});

async fn spawn(db: TestDb) -> TestApp {
    let c = &*CERTS;
    let app = spawn_app_with(
        db,
        &[
            ("mtls.listen", "127.0.0.1:0".into()),
            ("mtls.cert", c.path("server.pem").display().to_string()),
            ("mtls.key", c.path("server.key").display().to_string()),
            ("mtls.client_ca", c.path("ca.pem").display().to_string()),
        ],
    )
    .await;
    use bpv_store::schema::instellingen::dsl;
    for (brin, oin) in [("25AB", OIN_25AB), ("26CD", OIN_26CD)] {
        diesel::update(dsl::instellingen.find(brin)).set(dsl::oin.eq(oin)).execute(&mut app.db.conn()).unwrap();
    }
    app
}

/// What curl got: status and body.
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A problem answer with this status and type slug; returns its detail.
    fn problem(&self, status: u16, slug: &str) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        let p = self.json();
        assert_eq!(p["type"], format!("urn:bpv-monitor:problem:{slug}"), "{p}");
        p["detail"].as_str().unwrap().to_owned()
    }
}

/// `curl` the mTLS listener with client certificate `cert` (a name in the cert folder) and token.
async fn curl(app: &TestApp, path: &str, cert: Option<&str>, token: Option<&str>) -> Reply {
    let c = &*CERTS;
    let mut args: Vec<String> = vec![
        "-sS".into(),
        "--cacert".into(),
        c.path("ca.pem").display().to_string(),
        "-w".into(),
        "\n%{http_code}".into(),
    ];
    if let Some(name) = cert {
        args.extend([
            "--cert".into(),
            c.path(&format!("{name}.pem")).display().to_string(),
            "--key".into(),
            c.path(&format!("{name}.key")).display().to_string(),
        ]);
    }
    if let Some(t) = token {
        args.extend(["-H".into(), format!("Authorization: Bearer {t}")]);
    }
    args.push(format!("{}{path}", app.mtls_url.as_deref().unwrap()));
    let out =
        tokio::task::spawn_blocking(move || Command::new("curl").args(&args).output().expect("curl is installed"))
            .await
            .unwrap();
    assert!(out.status.success(), "curl failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    Reply { status: status.parse().unwrap(), body: body.to_owned() }
}

/// The pseudonyms of an instelling's answers of a group, from the database and the server's key.
fn own_answers(db: &TestDb, brin: &str, groep: &str) -> BTreeSet<String> {
    use bpv_store::schema::{aanbieders, bpvos, invitations, responses};
    let key = bpv_reporting_api::pseudoniem_sleutel(crate::helpers::TEST_JWT_SECRET);
    responses::table
        .inner_join(invitations::table.inner_join(bpvos::table.inner_join(aanbieders::table)))
        .filter(aanbieders::brin.eq(brin))
        .filter(responses::groep.eq(groep))
        .select(responses::id)
        .load::<String>(&mut db.conn())
        .unwrap()
        .into_iter()
        .map(|id| bpv_reporting_api::pseudoniem(&key, &id))
        .collect()
}

fn ids(v: &Value) -> BTreeSet<String> {
    v["antwoorden"].as_array().unwrap().iter().map(|r| r["pseudoniem"].as_str().unwrap().to_owned()).collect()
}

/// Every identifier the school itself holds for its bpvo's: correlatieIds, studentcodes, emails,
/// names (student and praktijkopleider).
fn school_identifiers(db: &TestDb, brin: &str) -> BTreeSet<String> {
    use bpv_store::schema::{aanbieders, bpvos};
    type Ids = (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Ids> = bpvos::table
        .inner_join(aanbieders::table)
        .filter(aanbieders::brin.eq(brin))
        .select((
            bpvos::correlatie_id,
            bpvos::studentcode,
            bpvos::student_email,
            bpvos::student_naam,
            bpvos::praktijkopleider_naam,
            bpvos::praktijkopleider_email,
        ))
        .load(&mut db.conn())
        .unwrap();
    rows.into_iter()
        .flat_map(|(c, a, b, d, e, f)| std::iter::once(c).chain([a, b, d, e, f].into_iter().flatten()))
        .collect()
}

#[allow(
    clippy::too_many_lines,
    reason = "one scenario over every way a school could reach answers that are not its own"
)]
async fn the_school_reads_its_own_answers_and_nothing_else(db: TestDb) {
    let app = spawn(db).await;
    let token = app.school("25AB");
    let r = curl(&app, "/v1/resultaten/antwoorden", Some("school25"), Some(&token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    // Every answer of 25AB's students, also the cell below k (non-aggregated: no suppression).
    let own = own_answers(&app.db, "25AB", "student");
    assert_eq!(own.len(), 25);
    assert_eq!(v["aantal"], 25);
    assert_eq!(ids(&v), own);
    assert!(own_answers(&app.db, "26CD", "student").is_disjoint(&ids(&v)));
    let row = v["antwoorden"].as_array().unwrap().iter().find(|r| r["locatie"] == "L2").unwrap();
    assert_eq!(
        (row["leerweg"].as_str(), row["crebo"].as_str(), row["cijfer"].as_i64()),
        (Some("BBL"), Some("25655"), Some(6))
    );
    assert_eq!(row["groep"], "studenten");
    assert_eq!(row["maand"], "2024-03");
    assert!(row["items"].as_object().unwrap().values().all(|x| x == 2), "{row}");
    // No names, addresses or free text.
    assert!(!r.body.contains('@') && !r.body.contains("naam") && !r.body.contains("verbeterpunten"));

    // Filters as /v1/resultaten.
    let bbl = curl(&app, "/v1/resultaten/antwoorden?leerweg=BBL", Some("school25"), Some(&token)).await.json();
    assert_eq!(bbl["aantal"], 10);
    let small = curl(&app, "/v1/resultaten/antwoorden?aanbieder=123A457", Some("school25"), Some(&token)).await.json();
    assert_eq!(small["aantal"], 3);
    let po =
        curl(&app, "/v1/resultaten/antwoorden?groep=praktijkopleiders", Some("school25"), Some(&token)).await.json();
    assert_eq!(ids(&po), own_answers(&app.db, "25AB", "praktijkopleider"));
    let bad =
        curl(&app, "/v1/resultaten/antwoorden?leerweg=XYZ&aanbieder=223A456", Some("school25"), Some(&token)).await;
    bad.problem(400, "ongeldige-invoer");
    let bad = bad.json();
    let names: BTreeSet<&str> =
        bad["invalidParams"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["leerweg", "aanbieder"]));

    // Pages: 10 + 10 + 5, the links lead on, together exactly the same rows.
    let mut paged = BTreeSet::new();
    let mut next = Some("/v1/resultaten/antwoorden?paginagrootte=10".to_owned());
    let mut sizes = Vec::new();
    while let Some(path) = next {
        let p = curl(&app, &path, Some("school25"), Some(&token)).await.json();
        assert_eq!(p["totaal"], 25);
        sizes.push(p["aantal"].as_u64().unwrap());
        paged.extend(ids(&p));
        next = p["_links"]["next"]["href"].as_str().map(str::to_owned);
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(paged, own);
    let bad =
        curl(&app, "/v1/resultaten/antwoorden?pagina=0&paginagrootte=99999", Some("school25"), Some(&token)).await;
    bad.problem(400, "ongeldige-invoer");
    let names: BTreeSet<String> = bad.json()["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, BTreeSet::from(["pagina".to_owned(), "paginagrootte".to_owned()]));
    curl(&app, "/v1/resultaten/antwoorden/export.csv?pagina=2", Some("school25"), Some(&token))
        .await
        .problem(400, "ongeldige-invoer");

    // CSV: a header and one line per answer, one column per item.
    let csv = curl(&app, "/v1/resultaten/antwoorden/export.csv", Some("school25"), Some(&token)).await;
    assert_eq!(csv.status, 200);
    let mut lines = csv.body.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("pseudoniem,aanbieder,locatie,leerweg,crebo,sector,groep,vragenlijstversie,maand,cijfer,")
    );
    let csv_ids: BTreeSet<String> = lines.map(|l| l.split(',').next().unwrap().to_owned()).collect();
    assert_eq!(csv_ids, own);
    // No exported value of a row, JSON or CSV, equals any identifier the school sent.
    let known = school_identifiers(&app.db, "25AB");
    assert!(known.len() >= 25, "{}", known.len());
    let json_values: BTreeSet<String> = v["antwoorden"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_object().unwrap().values())
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
        .collect();
    let csv_values: BTreeSet<String> =
        csv.body.lines().skip(1).flat_map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>()).collect();
    for value in json_values.iter().chain(&csv_values) {
        assert!(!known.contains(value), "{value} is an identifier the school holds");
    }

    // The other school, with its own certificate and token, sees only its own.
    let other = curl(&app, "/v1/resultaten/antwoorden", Some("school26"), Some(&app.school("26CD"))).await.json();
    assert_eq!(ids(&other), own_answers(&app.db, "26CD", "student"));

    // Every read is in the audit log: the certificate's OIN, the client, the filters, the count.
    let log = audit::list(&mut app.db.conn(), Some("25AB"), None, 100).unwrap();
    let reads: Vec<_> = log.iter().filter(|e| e.action == "resultaten.antwoorden").collect();
    // json, BBL, 123A457, praktijkopleiders, three pages, csv (refused requests are not reads)
    assert_eq!(reads.len(), 8, "{reads:?}");
    assert!(reads.iter().all(|e| e.actor_kind == "certificaat" && e.actor_id == OIN_25AB));
    let bbl_entry = reads.iter().find(|e| e.detail.contains("BBL")).unwrap();
    assert_eq!(bbl_entry.row_count, Some(10));
    assert!(bbl_entry.detail.contains("test-client"));
    assert!(reads.iter().any(|e| e.detail.contains("\"formaat\":\"csv\"") && e.row_count == Some(25)));

    // A correlatieId a school typed as a formula (or as anything) never reaches the export.
    let target = own_answers(&app.db, "25AB", "student").len();
    {
        use bpv_store::schema::bpvos;
        diesel::update(bpvos::table)
            .set(bpvos::correlatie_id.eq(bpvos::correlatie_id.concat("=HYPERLINK(\"http://x.example\")")))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let csv = curl(&app, "/v1/resultaten/antwoorden/export.csv", Some("school25"), Some(&token)).await;
    assert_eq!(csv.body.lines().count(), target + 1);
    assert!(!csv.body.contains("HYPERLINK"));
}

async fn every_refusal_is_a_clear_problem(db: TestDb) {
    let app = spawn(db).await;
    let token = app.school("25AB");
    let path = "/v1/resultaten/antwoorden";
    let d = curl(&app, path, None, Some(&token)).await.problem(403, "clientcertificaat-vereist");
    assert!(d.contains("no client certificate"), "{d}");
    let d = curl(&app, path, Some("rogue25"), Some(&token)).await.problem(403, "clientcertificaat-ongeldig");
    assert!(d.contains("unknown issuer"), "{d}");
    let d = curl(&app, path, Some("expired"), Some(&token)).await.problem(403, "clientcertificaat-ongeldig");
    assert!(d.contains("verlopen"), "{d}");
    let d = curl(&app, path, Some("nooin"), Some(&token)).await.problem(403, "clientcertificaat-ongeldig");
    assert!(d.contains("OIN"), "{d}");
    let d = curl(&app, path, Some("school26"), Some(&token)).await.problem(403, "oin-hoort-niet-bij-instelling");
    assert!(d.contains(OIN_26CD) && d.contains("25AB"), "{d}");
    // A certificate but no token, or a bad one.
    curl(&app, path, Some("school25"), None).await.problem(401, "niet-geauthenticeerd");
    curl(&app, path, Some("school25"), Some("not-a-token")).await.problem(401, "niet-geauthenticeerd");
    // A token without the scope, an SBB token.
    let no_scope = app.token(Some("25AB"), bpv_web::auth::TokenRol::School, "bpvo:write");
    curl(&app, path, Some("school25"), Some(&no_scope)).await.problem(403, "geen-toegang");
    curl(&app, path, Some("school25"), Some(&app.sbb())).await.problem(403, "geen-toegang");
    // Asking for another instelling with one's own certificate and token.
    curl(&app, "/v1/resultaten/antwoorden?instelling=26CD", Some("school25"), Some(&token))
        .await
        .problem(403, "geen-toegang");
    // An instelling without a registered OIN.
    {
        use bpv_store::schema::instellingen::dsl;
        diesel::update(dsl::instellingen.find("25AB"))
            .set(dsl::oin.eq(None::<String>))
            .execute(&mut app.db.conn())
            .unwrap();
    }
    let d = curl(&app, path, Some("school25"), Some(&token)).await.problem(403, "oin-hoort-niet-bij-instelling");
    assert!(d.contains("geen OIN"), "{d}");
    // The plain listener points to the mTLS one; only the non-aggregated routes exist on mTLS.
    let plain = app.get(path, &token).await;
    assert_eq!(plain.status(), 403);
    let p: Value = plain.json().await.unwrap();
    assert_eq!(p["type"], "urn:bpv-monitor:problem:mutual-tls-vereist");
    curl(&app, "/v1/resultaten", Some("school25"), Some(&token)).await.problem(404, "niet-gevonden");
    // Nothing was read, so nothing was audited as a read.
    let log = audit::list(&mut app.db.conn(), None, None, 100).unwrap();
    assert!(log.iter().all(|e| e.action != "resultaten.antwoorden"), "{log:?}");
}

async_backend_tests!(the_school_reads_its_own_answers_and_nothing_else, every_refusal_is_a_clear_problem);
