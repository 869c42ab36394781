//! `bpv admin import-registraties FILE`: SBB's own bpvo registrations, which carry the
//! praktijkopleider (naam, emailadres) and the leerbedrijf, merged into the bpvo's by
//! (aanbiedercode, correlatieId). CSV (`;` or `,`, UTF-8) or JSON (an array). Every bad record is
//! reported with its line or position, and nothing is imported unless all are valid.

use std::collections::HashSet;

use bpv_store::repo::bpvos::Registratie;
use bpvo::{Aanbiedercode, CorrelatieId, Crebo, Email, LeerbedrijfId, Leerweg, Naam, Periode, ValueError};
use serde::Deserialize;

/// A registration as it arrives (JSON camelCase; CSV headers as the same names with underscores).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistratieRecord {
    pub aanbiedercode: Option<String>,
    pub correlatie_id: Option<String>,
    pub leerbedrijf_code: Option<String>,
    pub crebo_code: Option<String>,
    pub leerweg_naam: Option<String>,
    pub startdatum: Option<String>,
    pub geplande_einddatum: Option<String>,
    pub werkelijke_einddatum: Option<String>,
    pub praktijkopleider: Option<PraktijkopleiderRecord>,
}

/// The praktijkopleider of a registration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PraktijkopleiderRecord {
    pub naam: Option<String>,
    pub emailadres: Option<String>,
}

/// Read a file: JSON when it starts with `[`, CSV otherwise. Returns (where, record) pairs.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, RegistratieRecord)>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "het bestand is geen UTF-8 (file is not UTF-8)".to_owned())?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        let records: Vec<RegistratieRecord> =
            serde_json::from_str(text).map_err(|e| format!("ongeldige JSON (invalid JSON): {e}"))?;
        return Ok(records.into_iter().enumerate().map(|(i, r)| (format!("record {i}"), r)).collect());
    }
    let mut reader = crate::shared::csv_reader(text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("kopregel onleesbaar: {e}"))?
        .iter()
        .map(|h| h.to_lowercase().replace(['_', ' ', '-'], ""))
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let required = [
        "aanbiedercode",
        "correlatieid",
        "leerbedrijfcode",
        "crebocode",
        "leerwegnaam",
        "startdatum",
        "geplandeeinddatum",
    ];
    let missing: Vec<&str> = required.iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(format!("kolommen ontbreken (missing columns): {}", missing.join(", ")));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("regel {}: {e}", i + 2))?;
        if row.iter().all(str::is_empty) {
            continue;
        }
        let get = |name: &str| col(name).and_then(|c| row.get(c)).filter(|v| !v.is_empty()).map(str::to_owned);
        let po_naam = get("praktijkopleidernaam");
        let po_email = get("praktijkopleideremailadres").or_else(|| get("praktijkopleideremail"));
        out.push((
            format!("regel {}", row.position().map(|p| p.line()).unwrap_or(i as u64 + 2)),
            RegistratieRecord {
                aanbiedercode: get("aanbiedercode"),
                correlatie_id: get("correlatieid"),
                leerbedrijf_code: get("leerbedrijfcode"),
                crebo_code: get("crebocode"),
                leerweg_naam: get("leerwegnaam"),
                startdatum: get("startdatum"),
                geplande_einddatum: get("geplandeeinddatum"),
                werkelijke_einddatum: get("werkelijkeeinddatum"),
                praktijkopleider: (po_naam.is_some() || po_email.is_some())
                    .then_some(PraktijkopleiderRecord { naam: po_naam, emailadres: po_email }),
            },
        ));
    }
    Ok(out)
}

/// Validate one record into a registration, or every problem with it.
pub fn validate(r: &RegistratieRecord) -> Result<Registratie, Vec<String>> {
    let mut errors = Vec::new();
    fn need<T>(
        errors: &mut Vec<String>,
        field: &str,
        v: &Option<String>,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match v.as_deref() {
            None | Some("") => {
                errors.push(format!("{field}: is verplicht (required)"));
                None
            }
            Some(s) => parse(s).map_err(|e| errors.push(format!("{field}: {}", e.nl))).ok(),
        }
    }
    let aanbieder = need(&mut errors, "aanbiedercode", &r.aanbiedercode, Aanbiedercode::parse);
    let correlatie = need(&mut errors, "correlatieId", &r.correlatie_id, CorrelatieId::parse);
    let leerbedrijf = need(&mut errors, "leerbedrijfCode", &r.leerbedrijf_code, LeerbedrijfId::parse);
    let crebo = need(&mut errors, "creboCode", &r.crebo_code, Crebo::parse);
    let leerweg = need(&mut errors, "leerwegNaam", &r.leerweg_naam, Leerweg::parse);
    let start = need(&mut errors, "startdatum", &r.startdatum, bpvo::parse_school_date);
    let eind = need(&mut errors, "geplandeEinddatum", &r.geplande_einddatum, bpvo::parse_school_date);
    let werkelijk = r
        .werkelijke_einddatum
        .as_deref()
        .map(|s| bpvo::parse_school_date(s).map_err(|e| errors.push(format!("werkelijkeEinddatum: {}", e.nl))).ok())
        .unwrap_or(None);
    let periode = match (start, eind) {
        (Some(s), Some(e)) => Periode::new(s, e).map_err(|e| errors.push(format!("geplandeEinddatum: {}", e.nl))).ok(),
        _ => None,
    };
    let (mut po_naam, mut po_email) = (None, None);
    if let Some(po) = &r.praktijkopleider {
        po_naam = po
            .naam
            .as_deref()
            .map(|n| Naam::parse(n).map_err(|e| errors.push(format!("praktijkopleider.naam: {}", e.nl))).ok())
            .unwrap_or(None);
        po_email = po
            .emailadres
            .as_deref()
            .map(|n| Email::parse(n).map_err(|e| errors.push(format!("praktijkopleider.emailadres: {}", e.nl))).ok())
            .unwrap_or(None);
    }
    match (aanbieder, correlatie, leerbedrijf, crebo, leerweg, periode) {
        (Some(a), Some(c), Some(l), Some(cr), Some(lw), Some(p)) if errors.is_empty() => Ok(Registratie {
            aanbiedercode: a.into_inner(),
            correlatie_id: c.into_inner(),
            leerbedrijf_id: l.into_inner(),
            crebo: cr.into_inner(),
            leerweg: lw.as_str().to_owned(),
            startdatum: p.startdatum(),
            geplande_einddatum: p.geplande_einddatum(),
            werkelijke_einddatum: werkelijk,
            praktijkopleider_naam: po_naam.map(|n| n.as_str().to_owned()),
            praktijkopleider_email: po_email.map(|e| e.as_str().to_owned()),
        }),
        _ => Err(errors),
    }
}

/// Validate every record; duplicates of a key are an error too.
pub fn validate_all(records: &[(String, RegistratieRecord)]) -> Result<Vec<Registratie>, Vec<String>> {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (waar, r) in records {
        match validate(r) {
            Ok(reg) => {
                if !seen.insert((reg.aanbiedercode.clone(), reg.correlatie_id.clone())) {
                    problems.push(format!("{waar}: correlatieId {} komt dubbel voor", reg.correlatie_id));
                }
                ok.push(reg);
            }
            Err(errs) => problems.extend(errs.into_iter().map(|e| format!("{waar}: {e}"))),
        }
    }
    if problems.is_empty() { Ok(ok) } else { Err(problems) }
}
