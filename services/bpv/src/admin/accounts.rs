//! Accounts: gemachtigden (upload page, dashboard), lezers (dashboard), SBB medewerkers and API
//! clients.

use super::*;

/// The columns of an account listing.
const ACCOUNT_KOLOMMEN: [(&str, &str); 4] =
    [("email", "e-mail"), ("naam", "naam"), ("actief", "actief"), ("sinds", "sinds")];

/// An account added: with `--json` the object (with `wachtwoord` when one was generated, shown
/// once); else the sentence and the generated password.
fn toegevoegd(tekst: &str, mut value: serde_json::Value, password: &str, generated: bool) {
    if generated {
        value["wachtwoord"] = json!(password);
    }
    gedaan(tekst, value);
    if generated && !crate::output::json() {
        println!("wachtwoord (wordt niet nog eens getoond): {password}");
    }
}

/// A password from standard input (at least 12 characters) or generated; with its hash.
fn new_password(from_stdin: bool) -> Result<(String, String, bool), CliError> {
    let (password, generated) = if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(anyhow::Error::from)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.chars().count() < 12 {
            return Err(bad("wachtwoord moet minstens 12 tekens hebben (password must be at least 12 characters)"));
        }
        (pw, false)
    } else {
        (bpv_web::credentials::generate_secret(), true)
    };
    let hash = bpv_web::credentials::hash_secret(&password).map_err(anyhow::Error::from)?;
    Ok((password, hash, generated))
}

pub(super) fn medewerker(conn: &mut DbConnection, command: MedewerkerCommand) -> Result<(), CliError> {
    match command {
        MedewerkerCommand::Add { email, naam, password_stdin } => {
            let email = Email::parse(&email).map_err(|e| invalid("--email", &e))?;
            let naam = Naam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            let (password, hash, generated) = new_password(password_stdin)?;
            let row = conn_tx(conn, |conn| {
                let row = medewerkers::add(conn, email.as_str(), naam.as_str(), &hash, now_utc())?;
                audit_admin(conn, None, "medewerker.add", json!({ "medewerkerId": row.id }))?;
                Ok(row)
            })?;
            let value = json!({ "medewerker": row.email, "naam": row.naam, "toegevoegd": true });
            toegevoegd(&format!("SBB-medewerker {} toegevoegd", row.email), value, &password, generated);
            Ok(())
        }
        MedewerkerCommand::Remove { email } => {
            let removed = conn_tx(conn, |conn| {
                let removed = medewerkers::remove(conn, &email, now_utc())?;
                if removed {
                    audit_admin(conn, None, "medewerker.remove", json!({}))?;
                }
                Ok(removed)
            })?;
            if !removed {
                return Err(bad(format!("geen actieve SBB-medewerker {email} (no such active account)")));
            }
            gedaan(
                &format!("SBB-medewerker {email} gedeactiveerd"),
                json!({ "medewerker": email, "gedeactiveerd": true }),
            );
            Ok(())
        }
        MedewerkerCommand::List => {
            let rows: Vec<serde_json::Value> = medewerkers::list(conn)?
                .into_iter()
                .map(|m| json!({ "email": m.email, "naam": m.naam, "actief": m.actief, "sinds": m.created_at.date() }))
                .collect();
            lijst(&ACCOUNT_KOLOMMEN, &rows);
            Ok(())
        }
    }
}

pub(super) fn toezicht(conn: &mut DbConnection, command: ToezichtCommand) -> Result<(), CliError> {
    use bpv_store::repo::toezichthouders;
    match command {
        ToezichtCommand::Add { email, naam, organisatie, password_stdin } => {
            let email = Email::parse(&email).map_err(|e| invalid("--email", &e))?;
            let naam = Naam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            let organisatie = organisatie.trim().to_lowercase();
            if !toezichthouders::ORGANISATIES.contains(&organisatie.as_str()) {
                return Err(bad(format!("--organisatie: kies inspectie of ocw (got {organisatie:?})")));
            }
            let (password, hash, generated) = new_password(password_stdin)?;
            let row = conn_tx(conn, |conn| {
                let row = toezichthouders::add(conn, email.as_str(), naam.as_str(), &organisatie, &hash, now_utc())?;
                audit_admin(
                    conn,
                    None,
                    "toezichthouder.add",
                    json!({ "toezichthouderId": row.id, "organisatie": row.organisatie }),
                )?;
                Ok(row)
            })?;
            let tekst = format!("toezichthouder {} ({}) toegevoegd", row.email, row.organisatie);
            let value = json!({
                "toezichthouder": row.email, "naam": row.naam, "organisatie": row.organisatie, "toegevoegd": true,
            });
            toegevoegd(&tekst, value, &password, generated);
            Ok(())
        }
        ToezichtCommand::Remove { email } => {
            let removed = conn_tx(conn, |conn| {
                let removed = toezichthouders::remove(conn, &email, now_utc())?;
                if removed {
                    audit_admin(conn, None, "toezichthouder.remove", json!({}))?;
                }
                Ok(removed)
            })?;
            if !removed {
                return Err(bad(format!("geen actieve toezichthouder {email} (no such active account)")));
            }
            gedaan(
                &format!("toezichthouder {email} gedeactiveerd"),
                json!({ "toezichthouder": email, "gedeactiveerd": true }),
            );
            Ok(())
        }
        ToezichtCommand::List => {
            let rows: Vec<serde_json::Value> = toezichthouders::list(conn)?
                .into_iter()
                .map(|t| {
                    json!({
                        "email": t.email, "naam": t.naam, "organisatie": t.organisatie,
                        "actief": t.actief, "sinds": t.created_at.date(),
                    })
                })
                .collect();
            let kolommen = [
                ("email", "e-mail"),
                ("naam", "naam"),
                ("organisatie", "organisatie"),
                ("actief", "actief"),
                ("sinds", "sinds"),
            ];
            lijst(&kolommen, &rows);
            Ok(())
        }
    }
}

pub(super) fn gemachtigde(conn: &mut DbConnection, command: GemachtigdeCommand) -> Result<(), CliError> {
    match command {
        GemachtigdeCommand::Add { brin, email, naam, password_stdin } => {
            let brin = parse_brin(&brin)?;
            let email = Email::parse(&email).map_err(|e| invalid("--email", &e))?;
            let naam = Naam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            let (password, hash, generated) = new_password(password_stdin)?;
            let row = conn_tx(conn, |conn| {
                let row = gemachtigden::add(
                    conn,
                    &gemachtigden::NewGemachtigde {
                        brin: brin.as_str(),
                        email: email.as_str(),
                        naam: naam.as_str(),
                        password_hash: &hash,
                    },
                    now_utc(),
                )?;
                audit_admin(conn, Some(brin.as_str()), "gemachtigde.add", json!({ "gemachtigdeId": row.id }))?;
                Ok(row)
            })?;
            let tekst = format!("gemachtigde {} toegevoegd aan {brin}", row.email);
            let value =
                json!({ "gemachtigde": row.email, "naam": row.naam, "brin": brin.as_str(), "toegevoegd": true });
            toegevoegd(&tekst, value, &password, generated);
            Ok(())
        }
        GemachtigdeCommand::Remove { brin, email } => {
            let brin = parse_brin(&brin)?;
            let removed = conn_tx(conn, |conn| {
                let removed = gemachtigden::remove(conn, brin.as_str(), &email, now_utc())?;
                if removed {
                    audit_admin(conn, Some(brin.as_str()), "gemachtigde.remove", json!({}))?;
                }
                Ok(removed)
            })?;
            if !removed {
                return Err(bad(format!("geen actieve gemachtigde {email} bij {brin} (no such active gemachtigde)")));
            }
            gedaan(
                &format!("gemachtigde {email} van {brin} gedeactiveerd"),
                json!({ "gemachtigde": email, "brin": brin.as_str(), "gedeactiveerd": true }),
            );
            Ok(())
        }
        GemachtigdeCommand::List { brin } => {
            let brin = parse_brin(&brin)?;
            instellingen::get(conn, brin.as_str())?;
            let rows: Vec<serde_json::Value> = gemachtigden::list(conn, brin.as_str())?
                .into_iter()
                .map(|g| json!({ "email": g.email, "naam": g.naam, "actief": g.actief, "sinds": g.created_at.date() }))
                .collect();
            lijst(&ACCOUNT_KOLOMMEN, &rows);
            Ok(())
        }
    }
}

pub(super) fn lezer(conn: &mut DbConnection, command: LezerCommand) -> Result<(), CliError> {
    match command {
        LezerCommand::Add { brin, email, naam, aanbieders, locaties, password_stdin } => {
            let brin = parse_brin(&brin)?;
            let email = Email::parse(&email).map_err(|e| invalid("--email", &e))?;
            let naam = Naam::parse(&naam).map_err(|e| invalid("--naam", &e))?;
            instellingen::get(conn, brin.as_str())?;
            let (password, hash, generated) = new_password(password_stdin)?;
            let new = lezers::NewLezer {
                brin: brin.as_str(),
                email: email.as_str(),
                naam: naam.as_str(),
                password_hash: &hash,
                aanbieders: &aanbieders,
                locaties: &locaties,
            };
            let row = conn_tx(conn, |conn| match lezers::add(conn, &new, now_utc())? {
                Ok(row) => {
                    let detail = json!({ "lezerId": row.id, "aanbieders": row.aanbieders, "locaties": row.locaties });
                    audit_admin(conn, Some(brin.as_str()), "lezer.add", detail)?;
                    Ok(row)
                }
                Err(bezwaren) => {
                    let regels: Vec<String> = bezwaren.iter().map(|b| format!("--{}: {}", b.veld, b.melding)).collect();
                    Err(bad(regels.join("\n")))
                }
            })?;
            let tekst = format!("lezer {} toegevoegd aan {brin} ({})", row.email, row.leest());
            let value = json!({
                "lezer": row.email, "naam": row.naam, "brin": brin.as_str(), "leest": row.leest(),
                "aanbieders": row.aanbieder_codes(), "locaties": row.locatie_codes(), "toegevoegd": true,
            });
            toegevoegd(&tekst, value, &password, generated);
            Ok(())
        }
        LezerCommand::Remove { brin, email } => {
            let brin = parse_brin(&brin)?;
            let removed = conn_tx(conn, |conn| {
                let removed = lezers::remove(conn, brin.as_str(), &email, now_utc())?;
                if let Some(id) = &removed {
                    audit_admin(conn, Some(brin.as_str()), "lezer.remove", json!({ "lezerId": id }))?;
                }
                Ok(removed)
            })?;
            if removed.is_none() {
                return Err(bad(format!("geen actieve lezer {email} bij {brin} (no such active lezer)")));
            }
            gedaan(
                &format!("lezer {email} van {brin} gedeactiveerd"),
                json!({ "lezer": email, "brin": brin.as_str(), "gedeactiveerd": true }),
            );
            Ok(())
        }
        LezerCommand::List { brin } => {
            let brin = parse_brin(&brin)?;
            instellingen::get(conn, brin.as_str())?;
            let rows: Vec<serde_json::Value> = lezers::list(conn, brin.as_str())?
                .into_iter()
                .map(|l| {
                    json!({
                        "email": l.email, "naam": l.naam, "leest": l.leest(),
                        "aanbieders": l.aanbieder_codes(), "locaties": l.locatie_codes(),
                        "actief": l.actief, "sinds": l.created_at.date(),
                    })
                })
                .collect();
            let kolommen =
                [("email", "e-mail"), ("naam", "naam"), ("leest", "leest"), ("actief", "actief"), ("sinds", "sinds")];
            lijst(&kolommen, &rows);
            Ok(())
        }
    }
}

/// `client create`: a new client and its secret, shown once.
fn client_create(
    conn: &mut DbConnection,
    brin: Option<String>,
    naam: String,
    scopes: Vec<String>,
    rol: String,
) -> Result<(), CliError> {
    let brin = brin.as_deref().map(parse_brin).transpose()?;
    let Some(rol) = Rol::parse(&rol) else {
        return Err(bad(format!("--rol moet school of sbb zijn (gekregen: {rol:?})")));
    };
    match (rol, &brin) {
        (Rol::School, None) => {
            return Err(bad("--brin is verplicht voor een school-client (required for rol school)"));
        }
        (Rol::Sbb, Some(_)) => return Err(bad("een sbb-client hoort bij geen instelling: laat --brin weg")),
        _ => {}
    }
    let scopes = if scopes.is_empty() { KNOWN_SCOPES.iter().map(|s| s.to_string()).collect() } else { scopes };
    for s in &scopes {
        if !KNOWN_SCOPES.contains(&s.as_str()) {
            return Err(bad(format!("onbekende scope {s:?}; bekend: {}", KNOWN_SCOPES.join(", "))));
        }
    }
    if let Some(b) = &brin {
        instellingen::get(conn, b.as_str())?;
    }
    let client_id = new_client_id(brin.as_ref());
    let secret = bpv_web::credentials::generate_secret();
    let hash = bpv_web::credentials::hash_secret(&secret).map_err(anyhow::Error::from)?;
    let row = ApiClientRow {
        client_id: client_id.clone(),
        brin: brin.as_ref().map(|b| b.as_str().into()),
        naam,
        rol,
        scopes: scopes.join(" "),
        secret_hash: hash,
        created_at: now_utc(),
        revoked_at: None,
    };
    conn_tx(conn, |conn| {
        api_clients::insert(conn, &row)?;
        audit_admin(
            conn,
            row.brin.as_deref(),
            "client.create",
            json!({ "clientId": row.client_id, "scopes": row.scopes, "rol": row.rol.as_str() }),
        )
    })?;
    if crate::output::json() {
        let scopes: Vec<&str> = row.scopes.split_whitespace().collect();
        let v = json!({ "clientId": client_id, "clientSecret": secret, "scopes": scopes, "rol": row.rol.as_str(), "brin": row.brin });
        crate::output::print_json(&v);
        return Ok(());
    }
    println!("client aangemaakt (het secret wordt niet nog eens getoond):");
    kv(&[("client_id", client_id), ("client_secret", secret), ("scopes", row.scopes)]);
    Ok(())
}

pub(super) fn client(conn: &mut DbConnection, command: ClientCommand) -> Result<(), CliError> {
    match command {
        ClientCommand::Create { brin, naam, scopes, rol } => client_create(conn, brin, naam, scopes, rol),
        ClientCommand::List { brin } => {
            let brin = brin.as_deref().map(parse_brin).transpose()?;
            let rows: Vec<serde_json::Value> = api_clients::list(conn, brin.as_ref().map(|b| b.as_str()))?
                .into_iter()
                .map(|c| {
                    json!({
                        "clientId": c.client_id, "brin": c.brin, "naam": c.naam, "rol": c.rol.to_string(),
                        "scopes": c.scopes.split_whitespace().collect::<Vec<_>>(), "ingetrokken": c.revoked_at.is_some(),
                    })
                })
                .collect();
            let kolommen = [
                ("clientId", "client_id"),
                ("brin", "BRIN"),
                ("rol", "rol"),
                ("scopes", "scopes"),
                ("ingetrokken", "ingetrokken"),
            ];
            lijst(&kolommen, &rows);
            Ok(())
        }
        ClientCommand::Revoke { client_id } => {
            let revoked = conn_tx(conn, |conn| {
                let revoked = api_clients::revoke(conn, &client_id, now_utc())?;
                if revoked {
                    audit_admin(conn, None, "client.revoke", json!({ "clientId": client_id }))?;
                }
                Ok(revoked)
            })?;
            if !revoked {
                return Err(bad(format!("geen actieve client {client_id} (no such active client)")));
            }
            gedaan(&format!("client {client_id} ingetrokken"), json!({ "clientId": client_id, "ingetrokken": true }));
            Ok(())
        }
    }
}

/// `bpv_25ab_x7k2…`: readable in logs, says whose it is, unguessable tail.
fn new_client_id(brin: Option<&Brin>) -> String {
    let owner = brin.map(|b| b.as_str().to_lowercase()).unwrap_or_else(|| "sbb".into());
    let tail: String =
        bpv_web::credentials::generate_secret().chars().filter(char::is_ascii_alphanumeric).take(12).collect();
    format!("bpv_{owner}_{}", tail.to_lowercase())
}
