//! Imports of SBB's files: kwalificaties, erkenningen, registraties and an external bureau's answers. Each is all or nothing.

use super::*;

/// Import SBB's register of qualifications (all or nothing).
pub(super) fn import_crebo(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let list = bpvo::read_kwalificaties(&bytes).map_err(|e| bad(format!("{}: {e}", file.file.display())))?;
    let rows: Vec<KwalificatieRow> = list.iter().map(KwalificatieRow::from).collect();
    let n = conn_tx(conn, |conn| {
        let n = referentie::upsert_kwalificaties(conn, &rows)?;
        audit_admin(conn, None, "kwalificaties.import", json!({ "rows": n }))?;
        Ok(n)
    })?;
    println!("{n} kwalificaties geïmporteerd");
    Ok(())
}

/// Import kwalificatiedossiers (CSV or JSON, by the first non-blank byte): all or nothing, and a
/// refused file names every bad line.
pub(super) fn import_dossiers(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let name = file.file.display().to_string();
    let lines = |kind: &str, list: &[bpvo::CsvLineError]| {
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
    };
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
    println!("{} kwalificatiedossiers geïmporteerd ({n} werkprocessen)", dossiers.len());
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
    let (added, updated) = conn_tx(conn, |conn| {
        let counts = bpv_store::repo::bpvos::merge_registraties(conn, &regs, now_utc())?;
        audit_admin(
            conn,
            None,
            "registraties.import",
            json!({ "rows": regs.len(), "nieuw": counts.0, "bijgewerkt": counts.1 }),
        )?;
        Ok(counts)
    })?;
    println!("{} registraties gelezen: {added} nieuwe bpvo's, {updated} aangevuld", regs.len());
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
    println!("{n} antwoorden geïmporteerd");
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
        crate::historie::Uitkomst::Opgeslagen(b) => println!(
            "historie geïmporteerd uit {naam}: {} antwoorden, {} uitnodigingen (bestand {}); de resultaten \
             tellen ze mee vanaf de volgende publicatie",
            b.antwoorden,
            b.uitnodigingen,
            &b.id[..12]
        ),
        crate::historie::Uitkomst::AlGeimporteerd(b) => println!(
            "{naam} is al geïmporteerd op {} ({} antwoorden, {} uitnodigingen): er is niets veranderd",
            b.geimporteerd_op.format("%Y-%m-%d %H:%M"),
            b.antwoorden,
            b.uitnodigingen
        ),
    }
    Ok(())
}

/// Import leerbedrijf recognitions (new ones only).
pub(super) fn import_erkenningen(conn: &mut DbConnection, file: FileArg) -> Result<(), CliError> {
    let bytes = file.read()?;
    let list = bpvo::read_erkenningen(&bytes).map_err(|e| bad(format!("{}: {e}", file.file.display())))?;
    let rows: Vec<ErkenningRow> = list
        .iter()
        .map(|e| ErkenningRow {
            id: new_id(),
            leerbedrijf_id: e.leerbedrijf_id.as_str().into(),
            crebo: e.crebo.as_str().into(),
            geldig_van: e.geldig_van,
            geldig_tot: e.geldig_tot,
        })
        .collect();
    let n = conn_tx(conn, |conn| {
        let n = referentie::insert_erkenningen(conn, &rows)?;
        audit_admin(conn, None, "erkenningen.import", json!({ "rows": rows.len(), "new": n }))?;
        Ok(n)
    })?;
    println!("{} erkenningen gelezen, {n} nieuw", rows.len());
    Ok(())
}
