//! Instellingen (participation, contact), their aanbieders and locaties.

use super::*;

pub(super) fn instelling(conn: &mut DbConnection, command: InstellingCommand) -> Result<(), CliError> {
    match command {
        InstellingCommand::Add { brin, naam, oin } => instelling_add(conn, brin, naam, oin),
        InstellingCommand::Show { brin } => {
            let brin = parse_brin(&brin)?;
            show_instelling(conn, &brin)
        }
        InstellingCommand::List => {
            let rows: Vec<serde_json::Value> = instellingen::list(conn)?
                .into_iter()
                .map(|i| {
                    json!({
                        "brin": i.brin, "naam": i.naam,
                        "directeBevraging": i.neemt_deel_aan_directe_bevraging(),
                        "verwerkersovereenkomst": i.verwerkersovereenkomst_getekend_op,
                    })
                })
                .collect();
            let kolommen = [
                ("brin", "BRIN"),
                ("naam", "naam"),
                ("directeBevraging", "directe bevraging"),
                ("verwerkersovereenkomst", "verwerkersovereenkomst"),
            ];
            lijst(&kolommen, &rows);
            Ok(())
        }
        InstellingCommand::SetParticipation(args) => set_participation(conn, args),
        InstellingCommand::SetContact { brin, tekst, url } => set_contact(conn, &brin, tekst, url),
    }
}

/// Add an instelling (taking part in nothing yet).
fn instelling_add(conn: &mut DbConnection, brin: String, naam: String, oin: Option<String>) -> Result<(), CliError> {
    let brin = parse_brin(&brin)?;
    let naam = Schoolnaam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
    let oin = oin.map(|o| Oin::parse(&o).map_err(|e| invalid("--oin", &e))).transpose()?;
    if instellingen::find(conn, brin.as_str())?.is_some() {
        return Err(bad(format!("instelling {brin} bestaat al (already exists)")));
    }
    let now = now_utc();
    conn_tx(conn, |conn| {
        instellingen::insert(
            conn,
            &InstellingRow {
                brin: brin.as_str().into(),
                naam: naam.as_str().into(),
                oin: oin.as_ref().map(|o| o.as_str().into()),
                directe_studentbevraging: false,
                intake_op: None,
                resultaten_api: false,
                verwerkersovereenkomst_getekend_op: None,
                created_at: now,
                updated_at: now,
                vertrouwenspersoon_tekst: None,
                vertrouwenspersoon_url: None,
                verbeterpunten_delen: false,
            },
        )?;
        audit_admin(conn, Some(brin.as_str()), "instelling.add", json!({}))
    })?;
    gedaan(
        &format!("instelling {brin} ({naam}) toegevoegd"),
        json!({ "brin": brin.as_str(), "naam": naam.as_str(), "toegevoegd": true }),
    );
    Ok(())
}

/// Change how an instelling takes part; prints the result.
fn set_participation(conn: &mut DbConnection, args: ParticipationArgs) -> Result<(), CliError> {
    let brin = parse_brin(&args.brin)?;
    let change = instellingen::ParticipationChange {
        directe_studentbevraging: args.directe_studentbevraging,
        intake_op: args.intake_op.as_deref().map(|d| parse_opt_date("--intake-op", d)).transpose()?,
        resultaten_api: args.resultaten_api,
        verwerkersovereenkomst_getekend_op: args
            .verwerkersovereenkomst
            .as_deref()
            .map(|d| parse_opt_date("--verwerkersovereenkomst", d))
            .transpose()?,
        oin: args
            .oin
            .as_deref()
            .map(|o| match o.trim().to_lowercase().as_str() {
                "geen" | "none" => Ok(None),
                _ => Oin::parse(o).map(|o| Some(o.into_inner())).map_err(|e| invalid("--oin", &e)),
            })
            .transpose()?,
        naam: None,
        verbeterpunten_delen: args.verbeterpunten_delen,
    };
    if change == instellingen::ParticipationChange::default() {
        return Err(bad("geef minstens één wijziging op, bv. --verwerkersovereenkomst 2024-01-15 (nothing to change)"));
    }
    conn_tx(conn, |conn| {
        let row = instellingen::set_participation(conn, brin.as_str(), &change, now_utc())?;
        audit_admin(
            conn,
            Some(brin.as_str()),
            "instelling.set-participation",
            json!({
                "directeStudentbevraging": row.directe_studentbevraging,
                "intakeOp": row.intake_op,
                "resultatenApi": row.resultaten_api,
                "verwerkersovereenkomstGetekendOp": row.verwerkersovereenkomst_getekend_op,
                "oinGezet": row.oin.is_some(),
                "verbeterpuntenDelen": row.verbeterpunten_delen,
            }),
        )
    })?;
    show_instelling(conn, &brin)
}

/// Set or clear the instelling's help contact; prints the result.
fn set_contact(
    conn: &mut DbConnection,
    brin: &str,
    tekst: Option<String>,
    url: Option<String>,
) -> Result<(), CliError> {
    let brin = parse_brin(brin)?;
    let tekst = tekst.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if let Some(t) = &tekst
        && (t.chars().count() > 300 || t.chars().any(char::is_control))
    {
        return Err(bad("--tekst: hoogstens 300 tekens op één regel (at most 300 characters, one line)"));
    }
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(u) = &url
        && (!u.starts_with("https://") || u.len() > 300 || !u.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(bad("--url: een https-adres, bv. https://www.school.nl/klachten (an https address)"));
    }
    conn_tx(conn, |conn| {
        instellingen::set_contact(conn, brin.as_str(), tekst.as_deref(), url.as_deref(), now_utc())?;
        audit_admin(
            conn,
            Some(brin.as_str()),
            "instelling.set-contact",
            json!({ "tekst": tekst.is_some(), "url": url }),
        )
    })?;
    show_instelling(conn, &brin)
}

fn show_instelling(conn: &mut DbConnection, brin: &Brin) -> Result<(), CliError> {
    if crate::output::json() {
        return show_instelling_json(conn, brin);
    }
    let i = instellingen::get(conn, brin.as_str())?;
    println!("{} — {}", i.brin, i.naam);
    kv(&[
        ("OIN", i.oin.clone().unwrap_or_else(|| "—".into())),
        ("directe studentbevraging", ja_nee(i.directe_studentbevraging)),
        ("intake gedaan op", opt_date(i.intake_op)),
        ("verwerkersovereenkomst getekend op", opt_date(i.verwerkersovereenkomst_getekend_op)),
        ("verbeterpunten delen", ja_nee(i.verbeterpunten_delen)),
        (
            "hulp bij onveiligheid",
            match (&i.vertrouwenspersoon_tekst, &i.vertrouwenspersoon_url) {
                (None, None) => "— (landelijke tekst)".into(),
                (t, u) => format!("{} {}", t.as_deref().unwrap_or(""), u.as_deref().unwrap_or("")).trim().to_owned(),
            },
        ),
        ("resultaten-API", ja_nee(i.resultaten_api)),
        ("neemt deel (direct bevragen)", ja_nee(i.neemt_deel_aan_directe_bevraging())),
    ]);
    let aanb = aanbieders::list_for_brin(conn, brin.as_str())?;
    let codes: Vec<String> = aanb.iter().map(|a| a.aanbiedercode.clone()).collect();
    println!("aanbieders:");
    table(&["code", "naam"], &aanb.iter().map(|a| vec![a.aanbiedercode.clone(), a.naam.clone()]).collect::<Vec<_>>());
    let loc = aanbieders::locaties_for(conn, &codes)?;
    println!("locaties:");
    table(
        &["code", "aanbieder", "naam", "plaats"],
        &loc.iter()
            .map(|l| {
                vec![
                    l.locatiecode.clone(),
                    l.aanbiedercode.clone(),
                    l.naam.clone(),
                    l.plaats.clone().unwrap_or_default(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    println!("gemachtigden:");
    let gm = gemachtigden::list(conn, brin.as_str())?;
    table(
        &["e-mail", "naam", "actief"],
        &gm.iter().map(|g| vec![g.email.clone(), g.naam.clone(), ja_nee(g.actief)]).collect::<Vec<_>>(),
    );
    println!("API-clients:");
    let cl = api_clients::list(conn, Some(brin.as_str()))?;
    table(
        &["client_id", "naam", "scopes", "ingetrokken"],
        &cl.iter()
            .map(|c| vec![c.client_id.clone(), c.naam.clone(), c.scopes.clone(), ja_nee(c.revoked_at.is_some())])
            .collect::<Vec<_>>(),
    );
    Ok(())
}

/// `instelling show --json`: the same as one object.
fn show_instelling_json(conn: &mut DbConnection, brin: &Brin) -> Result<(), CliError> {
    let i = instellingen::get(conn, brin.as_str())?;
    let aanb = aanbieders::list_for_brin(conn, brin.as_str())?;
    let codes: Vec<String> = aanb.iter().map(|a| a.aanbiedercode.clone()).collect();
    let loc = aanbieders::locaties_for(conn, &codes)?;
    let gm = gemachtigden::list(conn, brin.as_str())?;
    let cl = api_clients::list(conn, Some(brin.as_str()))?;
    let v = json!({
        "brin": i.brin, "naam": i.naam, "oin": i.oin,
        "directeStudentbevraging": i.directe_studentbevraging,
        "intakeOp": i.intake_op,
        "verwerkersovereenkomstGetekendOp": i.verwerkersovereenkomst_getekend_op,
        "neemtDeelAanDirecteBevraging": i.neemt_deel_aan_directe_bevraging(),
        "verbeterpuntenDelen": i.verbeterpunten_delen,
        "resultatenApi": i.resultaten_api,
        "hulp": { "tekst": i.vertrouwenspersoon_tekst, "url": i.vertrouwenspersoon_url },
        "aanbieders": aanb.iter().map(|a| json!({ "code": a.aanbiedercode, "naam": a.naam })).collect::<Vec<_>>(),
        "locaties": loc.iter().map(|l| json!({ "code": l.locatiecode, "aanbieder": l.aanbiedercode, "naam": l.naam, "plaats": l.plaats })).collect::<Vec<_>>(),
        "gemachtigden": gm.iter().map(|g| json!({ "email": g.email, "naam": g.naam, "actief": g.actief })).collect::<Vec<_>>(),
        "clients": cl.iter().map(|c| json!({ "clientId": c.client_id, "naam": c.naam, "scopes": c.scopes.split_whitespace().collect::<Vec<_>>(), "ingetrokken": c.revoked_at.is_some() })).collect::<Vec<_>>(),
    });
    crate::output::print_json(&v);
    Ok(())
}

/// Add an aanbieder to an instelling.
pub(super) fn aanbieder_add(conn: &mut DbConnection, brin: String, code: String, naam: String) -> Result<(), CliError> {
    let brin = parse_brin(&brin)?;
    let code = Aanbiedercode::parse(&code).map_err(|e| invalid("--code", &e))?;
    let naam = Schoolnaam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
    instellingen::get(conn, brin.as_str())?;
    conn_tx(conn, |conn| {
        aanbieders::insert(
            conn,
            &AanbiederRow {
                aanbiedercode: code.as_str().into(),
                brin: brin.as_str().into(),
                naam: naam.as_str().into(),
                created_at: now_utc(),
            },
        )?;
        audit_admin(conn, Some(brin.as_str()), "aanbieder.add", json!({ "aanbiedercode": code.as_str() }))
    })?;
    gedaan(
        &format!("aanbieder {code} toegevoegd aan {brin}"),
        json!({ "aanbiedercode": code.as_str(), "brin": brin.as_str(), "naam": naam.as_str(), "toegevoegd": true }),
    );
    Ok(())
}

/// Add (or rename) a locatie of an aanbieder.
pub(super) fn locatie_add(
    conn: &mut DbConnection,
    aanbieder: String,
    code: String,
    naam: String,
    plaats: Option<String>,
) -> Result<(), CliError> {
    let aanbieder = Aanbiedercode::parse(&aanbieder).map_err(|e| invalid("--aanbieder", &e))?;
    let code = Locatiecode::parse(&code).map_err(|e| invalid("--code", &e))?;
    let naam = Schoolnaam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
    let owner = aanbieders::find(conn, aanbieder.as_str())?
        .ok_or_else(|| bad(format!("aanbieder {aanbieder} bestaat niet (unknown aanbieder)")))?;
    conn_tx(conn, |conn| {
        aanbieders::upsert_locatie(
            conn,
            &LocatieRow {
                locatiecode: code.as_str().into(),
                aanbiedercode: aanbieder.as_str().into(),
                naam: naam.as_str().into(),
                plaats: plaats.clone(),
            },
        )?;
        audit_admin(conn, Some(&owner.brin), "locatie.add", json!({ "locatiecode": code.as_str() }))
    })?;
    gedaan(
        &format!("locatie {code} van {aanbieder} opgeslagen"),
        json!({
            "locatiecode": code.as_str(), "aanbiedercode": aanbieder.as_str(), "naam": naam.as_str(),
            "plaats": plaats, "opgeslagen": true,
        }),
    );
    Ok(())
}
