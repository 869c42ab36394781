//! `bpv admin import-historie FILE`: results of past years from the earlier research bureaus, so
//! that they count in every figure and in the trend. CSV (`;` or `,`, UTF-8), one line per answer
//! or per cell's invitation count, told apart by `soort`:
//!
//! - every line: `soort` (`antwoord` | `uitnodigingen`), `maand` (jjjj-mm of the planned end),
//!   `aanbiedercode`, `locatiecode` (may be empty), `leerweg` (BOL | BBL), `crebo`, `groep`
//!   (student | praktijkopleider);
//! - an `antwoord` line: optionally `vragenlijst` (a version; default the one in force that
//!   month), then one column per item code (`cijfer`, `voorbereiding_1`, …; `nvt` for "niet van
//!   toepassing"), checked like the web form's answers;
//! - an `uitnodigingen` line: `aantal`, the invitations sent in that cell (at most one line per
//!   cell).
//!
//! No invitations, names, addresses or free text are imported (a filled `verbeterpunten` column
//! is refused). Every line is checked first, and every cell's answers must not outnumber its
//! invitations; any problem stores nothing and names each line. A file is stored under its
//! SHA-256: the same file a second time changes nothing.

use std::collections::{BTreeMap, HashMap};

use bpv_aggregation::{Questionnaires, YearMonth, validate_imported};
use bpv_store::repo::historie::{self, HistorieAntwoord, HistorieBestand, HistorieSleutel};
use bpv_store::repo::{aanbieders, referentie};
use bpv_store::{DbConnection, now_utc};
use sha2::{Digest, Sha256};

use crate::{CliError, bad};

/// Columns that are not questionnaire items.
const SLEUTELS: [&str; 10] =
    ["soort", "maand", "aanbiedercode", "locatiecode", "leerweg", "crebo", "groep", "vragenlijst", "aantal", "sector"];
/// Columns every file must have.
const VERPLICHT: [&str; 6] = ["soort", "maand", "aanbiedercode", "leerweg", "crebo", "groep"];

/// What an import did.
#[derive(Debug)]
pub enum Uitkomst {
    /// Stored: the file's row.
    Opgeslagen(HistorieBestand),
    /// This very file was imported before (nothing changed).
    AlGeimporteerd(HistorieBestand),
}

/// SBB's registers the lines are checked against.
struct Registers {
    /// aanbiedercode → brin.
    aanbieders: HashMap<String, String>,
    /// locatiecode → aanbiedercode.
    locaties: HashMap<String, String>,
    /// crebo → sector.
    sectoren: HashMap<String, String>,
}

fn registers(conn: &mut DbConnection) -> Result<Registers, CliError> {
    let alle = aanbieders::list(conn)?;
    let codes: Vec<String> = alle.iter().map(|a| a.aanbiedercode.clone()).collect();
    let locaties = aanbieders::locaties_for(conn, &codes)?;
    Ok(Registers {
        aanbieders: alle.into_iter().map(|a| (a.aanbiedercode, a.brin)).collect(),
        locaties: locaties.into_iter().map(|l| (l.locatiecode, l.aanbiedercode)).collect(),
        sectoren: referentie::list_kwalificaties(conn)?.into_iter().map(|k| (k.crebo, k.sector)).collect(),
    })
}

/// The checked lines of a file.
#[derive(Default)]
struct Gelezen {
    antwoorden: Vec<HistorieAntwoord>,
    /// Cell → (line, invitations).
    uitnodigingen: BTreeMap<HistorieSleutel, (usize, i64)>,
    /// Cell → (first answer's line, answers).
    per_cel: BTreeMap<HistorieSleutel, (usize, i64)>,
    problemen: Vec<String>,
}

/// Import `bytes` (the file named `naam`) in one transaction, `this_month` being the last month
/// history may be about.
pub fn import(conn: &mut DbConnection, naam: &str, bytes: &[u8], this_month: YearMonth) -> Result<Uitkomst, CliError> {
    let id = hex(&Sha256::digest(bytes));
    if let Some(eerder) = historie::find(conn, &id)? {
        return Ok(Uitkomst::AlGeimporteerd(eerder));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad("het bestand is geen UTF-8 (file is not UTF-8)"))?;
    let mut reader = crate::shared::csv_reader(text.trim_start_matches('\u{feff}'));
    let headers: Vec<String> =
        reader.headers().map_err(|e| bad(format!("kopregel onleesbaar: {e}")))?.iter().map(str::to_lowercase).collect();
    let ontbreekt: Vec<&str> = VERPLICHT.iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
    if !ontbreekt.is_empty() {
        return Err(bad(format!("deze kolom(men) ontbreken in de kopregel: {}", ontbreekt.join(", "))));
    }
    let questionnaires = Questionnaires::builtin().map_err(|e| CliError::Failure(anyhow::anyhow!(e.to_string())))?;
    let reg = registers(conn)?;
    let mut g = Gelezen::default();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        match record {
            Ok(r) if r.iter().all(str::is_empty) => {}
            Ok(r) => lees_regel(&mut g, line, &headers, &r, &reg, &questionnaires, this_month),
            Err(e) => g.problemen.push(format!("regel {line}: {e}")),
        }
    }
    for (cel, (line, n)) in &g.per_cel {
        match g.uitnodigingen.get(cel) {
            None => g.problemen.push(format!(
                "regel {line}: {n} antwoord(en) in een cel zonder regel `uitnodigingen` ({})",
                cel_tekst(cel)
            )),
            Some((_, aantal)) if aantal < n => g.problemen.push(format!(
                "regel {line}: {n} antwoorden maar {aantal} uitnodigingen in dezelfde cel ({})",
                cel_tekst(cel)
            )),
            Some(_) => {}
        }
    }
    if !g.problemen.is_empty() {
        return Err(bad(crate::shared::refusal(&g.problemen)));
    }
    if g.antwoorden.is_empty() && g.uitnodigingen.is_empty() {
        return Err(bad("het bestand bevat geen regels (no lines)"));
    }
    let bestand = HistorieBestand {
        id,
        naam: naam.to_owned(),
        geimporteerd_op: now_utc(),
        antwoorden: i64::try_from(g.antwoorden.len()).unwrap_or(i64::MAX),
        uitnodigingen: g.uitnodigingen.values().map(|(_, n)| n).sum(),
    };
    let cellen: Vec<(HistorieSleutel, i64)> = g.uitnodigingen.into_iter().map(|(k, (_, n))| (k, n)).collect();
    bpv_store::write_transaction(conn, |conn| -> Result<(), CliError> {
        historie::store(conn, &bestand, &g.antwoorden, &cellen)?;
        let detail = serde_json::json!({
            "bestand": bestand.id, "naam": bestand.naam, "antwoorden": bestand.antwoorden,
            "uitnodigingen": bestand.uitnodigingen, "cellen": cellen.len(),
        });
        crate::admin::audit_admin(conn, None, "historie.import", detail)
    })?;
    Ok(Uitkomst::Opgeslagen(bestand))
}

/// What is wrong with a line: (field, message).
type Fouten = Vec<(String, String)>;

fn fout(fouten: &mut Fouten, veld: &str, melding: impl Into<String>) {
    fouten.push((veld.to_owned(), melding.into()));
}

/// Check one line and keep what it holds (or say what is wrong with it).
fn lees_regel(
    g: &mut Gelezen,
    line: usize,
    headers: &[String],
    record: &csv::StringRecord,
    reg: &Registers,
    questionnaires: &Questionnaires,
    this_month: YearMonth,
) {
    let get = |c: &str| headers.iter().position(|h| h == c).and_then(|p| record.get(p)).unwrap_or("");
    let mut fouten = Fouten::new();
    let sleutel = sleutel(&get, reg, this_month, &mut fouten);
    let items: BTreeMap<String, String> = headers
        .iter()
        .zip(record.iter())
        .filter(|(h, v)| !SLEUTELS.contains(&h.as_str()) && !v.is_empty())
        .map(|(h, v)| (h.clone(), v.to_owned()))
        .collect();
    match (get("soort").to_lowercase().as_str(), sleutel) {
        ("uitnodigingen", Some((sleutel, _))) => {
            if !items.is_empty() {
                fout(&mut fouten, "soort", "een regel `uitnodigingen` heeft geen antwoorden");
            }
            match get("aantal").parse::<i64>() {
                Ok(n) if n > 0 => match g.uitnodigingen.get(&sleutel) {
                    Some((eerder, _)) => fout(&mut fouten, "aantal", format!("deze cel staat al op regel {eerder}")),
                    None => {
                        g.uitnodigingen.insert(sleutel, (line, n));
                    }
                },
                _ => fout(&mut fouten, "aantal", format!("een positief geheel getal, gekregen {:?}", get("aantal"))),
            }
        }
        ("antwoord", Some((sleutel, sector))) => {
            if !get("aantal").is_empty() {
                fout(&mut fouten, "aantal", "alleen op een regel `uitnodigingen`");
            }
            if let Some(a) = antwoord(&get, &items, sleutel, sector, questionnaires, &mut fouten) {
                g.per_cel.entry(a.sleutel.clone()).or_insert((line, 0)).1 += 1;
                g.antwoorden.push(a);
            }
        }
        ("antwoord" | "uitnodigingen", None) => {}
        _ => fout(&mut fouten, "soort", "antwoord of uitnodigingen"),
    }
    g.problemen.extend(fouten.into_iter().map(|(veld, melding)| format!("regel {line}: {veld}: {melding}")));
}

/// The cell a line is about, checked against the registers, with its sector; `None` when any
/// key is bad (each named in `fouten`).
fn sleutel<'a>(
    get: &impl Fn(&str) -> &'a str,
    reg: &Registers,
    this_month: YearMonth,
    fouten: &mut Fouten,
) -> Option<(HistorieSleutel, Option<String>)> {
    let maand = match get("maand").parse::<YearMonth>() {
        Ok(m) if m > this_month => {
            fout(fouten, "maand", format!("{m} ligt in de toekomst; historie gaat over voorbije maanden"));
            None
        }
        Ok(m) => Some(m),
        Err(_) => {
            fout(fouten, "maand", format!("verwacht jjjj-mm, gekregen {:?}", get("maand")));
            None
        }
    };
    let aanbieder = get("aanbiedercode").to_uppercase();
    let bekend = reg.aanbieders.contains_key(&aanbieder);
    if !bekend {
        fout(
            fouten,
            "aanbiedercode",
            format!("{aanbieder:?} is geen bekende onderwijsaanbieder (bpv admin aanbieder add)"),
        );
    }
    let locatie = Some(get("locatiecode")).filter(|l| !l.is_empty()).map(str::to_owned);
    if let Some(l) = &locatie
        && reg.locaties.get(l) != Some(&aanbieder)
    {
        fout(fouten, "locatiecode", format!("{l} is geen onderwijslocatie van {aanbieder}"));
    }
    let leerweg = bpvo::Leerweg::parse(get("leerweg")).map_err(|e| fout(fouten, "leerweg", e.nl)).ok();
    let crebo = get("crebo").to_owned();
    let sector = reg.sectoren.get(&crebo).cloned();
    if sector.is_none() {
        fout(fouten, "crebo", format!("{crebo:?} staat niet in het crebo-register (bpv admin import-crebo)"));
    }
    let groep = bpvo::Groep::parse(get("groep"));
    if groep.is_none() {
        fout(fouten, "groep", "student of praktijkopleider");
    }
    let (Some(maand), Some(leerweg), Some(groep), true, true) = (maand, leerweg, groep, sector.is_some(), bekend)
    else {
        return None;
    };
    let sleutel = HistorieSleutel {
        groep: groep.as_str().to_owned(),
        maand: maand.to_string(),
        aanbiedercode: aanbieder,
        locatiecode: locatie,
        leerweg: leerweg.as_str().to_owned(),
        crebo,
    };
    Some((sleutel, sector))
}

/// An answer line's answer, checked like the web form's against its questionnaire.
fn antwoord<'a>(
    get: &impl Fn(&str) -> &'a str,
    items: &BTreeMap<String, String>,
    sleutel: HistorieSleutel,
    sector: Option<String>,
    questionnaires: &Questionnaires,
    fouten: &mut Fouten,
) -> Option<HistorieAntwoord> {
    if items.contains_key("verbeterpunten") {
        fout(fouten, "verbeterpunten", "historie bevat geen open antwoorden (no free text)");
        return None;
    }
    let maand: YearMonth = sleutel.maand.parse().ok()?;
    let q = match get("vragenlijst") {
        "" => {
            chrono::NaiveDate::from_ymd_opt(maand.year, u32::from(maand.month), 1).map(|d| questionnaires.for_date(d))
        }
        v => questionnaires.by_version(v),
    };
    let Some(q) = q else {
        fout(fouten, "vragenlijst", format!("onbekende versie {:?}", get("vragenlijst")));
        return None;
    };
    match validate_imported(q, items) {
        Ok(a) => Some(HistorieAntwoord {
            sleutel,
            sector,
            questionnaire_version: a.version.clone(),
            cijfer: i32::from(a.cijfer),
            antwoorden: a.to_json(),
        }),
        Err(errors) => {
            fouten.extend(errors.into_iter().map(|e| (e.item, e.melding)));
            None
        }
    }
}

fn cel_tekst(c: &HistorieSleutel) -> String {
    format!(
        "{} {} {}{} {} {}",
        c.maand,
        c.aanbiedercode,
        c.locatiecode.as_deref().map(|l| format!("{l} ")).unwrap_or_default(),
        c.leerweg,
        c.crebo,
        c.groep
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
