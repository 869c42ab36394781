//! Imports of SBB's files: kwalificaties, erkenningen, registraties and an external bureau's answers. Each is all or nothing.

use super::*;

/// Import SBB's register of qualifications (all or nothing).
pub(super) fn import_crebo(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let list = bpvo::read_kwalificaties(&bytes).map_err(|e| reference_error(&file, e))?;
    let rows: Vec<KwalificatieRow> = list.iter().map(KwalificatieRow::from).collect();
    let n = conn_tx(conn, |conn| {
        let n = referentie::upsert_kwalificaties(conn, &rows)?;
        referentie::record_levering(conn, "kwalificaties", now_utc())?;
        audit_admin(conn, None, "kwalificaties.import", json!({ "rows": n }))?;
        Ok(n)
    })?;
    gedaan(&format!("{n} kwalificaties geïmporteerd"), json!({ "geimporteerd": n }));
    Ok(())
}

/// A refused file: every bad line (the first 50) with each bad field, nothing imported.
fn refused_lines(name: &str, kind: &str, list: &[bpvo::CsvLineError]) -> CliError {
    let shown: Vec<String> = list
        .iter()
        .take(50)
        .map(|l| {
            format!(
                "  {kind} {}: {}",
                l.line,
                l.errors.iter().map(|e| format!("{}: {}", e.field, e.message_nl)).collect::<Vec<_>>().join("; ")
            )
        })
        .collect();
    let more = list.len().saturating_sub(50);
    let tail = if more > 0 { format!("\n  … en nog {more}") } else { String::new() };
    bad(format!("{name}: {} ongeldig, niets geïmporteerd:\n{}{tail}", list.len(), shown.join("\n")))
}

/// A reference file's error: the bad lines named one by one, or what is wrong with the file.
fn reference_error(file: &FileArg, e: bpvo::ReferenceError) -> CliError {
    let name = file.file.display().to_string();
    match e {
        bpvo::ReferenceError::Lines(list) => refused_lines(&name, "regel", &list),
        other => bad(format!("{name}: {other}")),
    }
}

/// Import kwalificatiedossiers (CSV or JSON, by the first non-blank byte): all or nothing, and a
/// refused file names every bad line.
pub(super) fn import_dossiers(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let name = file.file.display().to_string();
    let lines = |kind: &str, list: &[bpvo::CsvLineError]| refused_lines(&name, kind, list);
    let json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let dossiers = if json {
        praktijkleren::read_dossiers_json(&bytes).map_err(|e| match e {
            praktijkleren::DossierJsonError::Entries(list) => lines("element", &list),
            other => bad(format!("{name}: {other}")),
        })?
    } else {
        praktijkleren::read_dossiers_csv(&bytes).map_err(|e| match e {
            bpvo::ReferenceError::Lines(list) => lines("regel", &list),
            other => bad(format!("{name}: {other}")),
        })?
    };
    let n = conn_tx(conn, |conn| {
        let n = bpv_store::repo::praktijkloket::replace_dossiers(conn, &dossiers)?;
        audit_admin(
            conn,
            None,
            "kwalificatiedossiers.import",
            json!({ "kwalificaties": dossiers.len(), "werkprocessen": n }),
        )?;
        Ok(n)
    })?;
    gedaan(
        &format!("{} kwalificatiedossiers geïmporteerd ({n} werkprocessen)", dossiers.len()),
        json!({ "kwalificatiedossiers": dossiers.len(), "werkprocessen": n }),
    );
    Ok(())
}

/// Import SBB's own registrations of bpvo's (all or nothing; unknown aanbieders refuse the file).
pub(super) fn import_registraties(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let records = crate::registraties::read(&bytes).map_err(|e| bad(format!("{}: {e}", file.file.display())))?;
    let regs = crate::registraties::validate_all(&records)
        .map_err(|problems| bad(format!("{}: {}", file.file.display(), crate::shared::refusal(&problems))))?;
    let known: std::collections::HashSet<String> =
        aanbieders::list(conn)?.into_iter().map(|a| a.aanbiedercode).collect();
    let unknown: std::collections::BTreeSet<&str> =
        regs.iter().map(|r| r.aanbiedercode.as_str()).filter(|c| !known.contains(*c)).collect();
    if !unknown.is_empty() {
        return Err(bad(format!(
            "onbekende aanbieder(s), niets geïmporteerd: {}",
            unknown.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let (added, updated) = bpv_store::with_bulk_cache(conn, |conn| {
        conn_tx(conn, |conn| {
            let counts = bpv_store::repo::bpvos::merge_registraties(conn, &regs, now_utc())?;
            audit_admin(
                conn,
                None,
                "registraties.import",
                json!({ "rows": regs.len(), "nieuw": counts.0, "bijgewerkt": counts.1 }),
            )?;
            Ok(counts)
        })
    })?;
    gedaan(
        &format!("{} registraties gelezen: {added} nieuwe bpvo's, {updated} aangevuld", regs.len()),
        json!({ "gelezen": regs.len(), "nieuw": added, "aangevuld": updated }),
    );
    Ok(())
}

/// Import the answers of an external survey bureau.
pub(super) fn import_antwoorden(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let n = crate::antwoorden::import(conn, &bytes).map_err(|e| match e {
        CliError::BadInput(m) => bad(format!("{}: {m}", file.file.display())),
        other => other,
    })?;
    audit_admin(conn, None, "antwoorden.import", json!({ "rows": n }))?;
    gedaan(&format!("{n} antwoorden geïmporteerd"), json!({ "geimporteerd": n }));
    Ok(())
}

/// Import results of past years (`crate::historie`): all or nothing, once per file.
pub(super) fn import_historie(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let naam = file.file.display().to_string();
    let this_month = bpv_aggregation::YearMonth::of(bpvo::vandaag());
    let uitkomst = crate::historie::import(conn, &naam, &bytes, this_month).map_err(|e| match e {
        CliError::BadInput(m) => bad(format!("{naam}: {m}")),
        other => other,
    })?;
    match uitkomst {
        crate::historie::Uitkomst::Opgeslagen(b) => gedaan(
            &format!(
                "historie geïmporteerd uit {naam}: {} antwoorden, {} uitnodigingen (bestand {}); de resultaten \
                 tellen ze mee vanaf de volgende publicatie",
                b.antwoorden,
                b.uitnodigingen,
                &b.id[..12]
            ),
            json!({ "bestand": b.id, "antwoorden": b.antwoorden, "uitnodigingen": b.uitnodigingen, "alGeimporteerd": false }),
        ),
        crate::historie::Uitkomst::AlGeimporteerd(b) => gedaan(
            &format!(
                "{naam} is al geïmporteerd op {} ({} antwoorden, {} uitnodigingen): er is niets veranderd",
                b.geimporteerd_op.format("%Y-%m-%d %H:%M"),
                b.antwoorden,
                b.uitnodigingen
            ),
            json!({ "bestand": b.id, "antwoorden": b.antwoorden, "uitnodigingen": b.uitnodigingen, "alGeimporteerd": true }),
        ),
    }
    Ok(())
}

/// Import leerbedrijf recognitions for crebo's and keuzedelen (all or nothing; known ones take
/// the file's end, application and decision dates), and record the delivery (data quality,
/// question 4).
pub(super) fn import_erkenningen(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let list = bpvo::read_erkenningen(&bytes).map_err(|e| reference_error(&file, e))?;
    let rows: Vec<ErkenningRow> = list
        .kwalificaties
        .iter()
        .map(|e| ErkenningRow {
            id: new_id(),
            leerbedrijf_id: e.leerbedrijf_id.as_str().into(),
            crebo: e.crebo.as_str().into(),
            geldig_van: e.geldig_van,
            geldig_tot: e.geldig_tot,
            aangevraagd_op: e.aangevraagd_op,
            besloten_op: e.besloten_op,
        })
        .collect();
    let keuzedelen: Vec<KeuzedeelErkenningRow> = list
        .keuzedelen
        .iter()
        .map(|e| KeuzedeelErkenningRow {
            id: new_id(),
            leerbedrijf_id: e.leerbedrijf_id.as_str().into(),
            keuzedeel_code: e.keuzedeel_code.as_str().into(),
            geldig_van: e.geldig_van,
            geldig_tot: e.geldig_tot,
            aangevraagd_op: e.aangevraagd_op,
            besloten_op: e.besloten_op,
        })
        .collect();
    let (n, k) = conn_tx(conn, |conn| {
        let n = referentie::insert_erkenningen(conn, &rows)?;
        let k = referentie::insert_keuzedeel_erkenningen(conn, &keuzedelen)?;
        referentie::record_levering(conn, "erkenningen", now_utc())?;
        audit_admin(
            conn,
            None,
            "erkenningen.import",
            json!({ "rows": rows.len(), "new": n, "keuzedelen": keuzedelen.len(), "keuzedelenNew": k }),
        )?;
        Ok((n, k))
    })?;
    gedaan(
        &format!(
            "{} erkenningen gelezen ({} voor een keuzedeel), {} nieuw",
            rows.len() + keuzedelen.len(),
            keuzedelen.len(),
            n + k
        ),
        json!({ "gelezen": rows.len() + keuzedelen.len(), "keuzedelen": keuzedelen.len(), "nieuw": n + k }),
    );
    Ok(())
}

/// Import DUO's registration dates of bpvo's (all or nothing; a bpvo already known takes the
/// file's dates): data quality, question 3.
pub(super) fn import_duo_meldingen(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let known: std::collections::HashSet<String> =
        bpv_store::repo::aanbieders::list(conn)?.into_iter().map(|a| a.aanbiedercode).collect();
    let list = bpvo::read_duo_meldingen(&bytes, &|a| known.contains(a)).map_err(|e| reference_error(&file, e))?;
    let now = now_utc();
    let rows: Vec<DuoMeldingRow> = list
        .iter()
        .map(|m| DuoMeldingRow {
            aanbiedercode: m.aanbiedercode.as_str().into(),
            correlatie_id: m.correlatie_id.as_str().into(),
            startdatum: m.startdatum,
            gemeld_op: m.gemeld_op,
            geimporteerd_op: now,
        })
        .collect();
    let n = conn_tx(conn, |conn| {
        let n = referentie::upsert_duo_meldingen(conn, &rows)?;
        audit_admin(conn, None, "duo_meldingen.import", json!({ "rows": n }))?;
        Ok(n)
    })?;
    gedaan(&format!("{n} DUO-meldingen geïmporteerd"), json!({ "geimporteerd": n }));
    Ok(())
}
