//! What the data-quality indicators are computed from: one row per bpvo that started in a period
//! (withdrawn ones left out), and the quarterly photos of those indicators, which never change.

use bpv_aggregation::datakwaliteit::{BpvoMeting, Deelnemer};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::ids::new_id;
use crate::schema::{aanbieders, bpvos, datakwaliteit_fotos, erkenningen, kwalificaties, persoonsgegevens_verwijderd};

type Raw = (String, String, String, String, String, Option<String>, NaiveDate, NaiveDateTime, bool, bool, bool);

/// The bpvo's that started in `van ..= tot_en_met` (all instellingen, or one), not withdrawn,
/// ordered by instelling, aanbieder and correlatieId.
pub fn rijen(
    conn: &mut DbConnection,
    van: NaiveDate,
    tot_en_met: NaiveDate,
    brin: Option<&str>,
) -> StoreResult<Vec<BpvoMeting>> {
    let erkend = exists(
        erkenningen::table
            .filter(erkenningen::leerbedrijf_id.eq(bpvos::leerbedrijf_id))
            .filter(erkenningen::crebo.eq(bpvos::crebo))
            .filter(erkenningen::geldig_van.le(bpvos::startdatum))
            .filter(erkenningen::geldig_tot.is_null().or(erkenningen::geldig_tot.ge(bpvos::startdatum.nullable()))),
    );
    let verwijderd =
        exists(persoonsgegevens_verwijderd::table.filter(persoonsgegevens_verwijderd::bpvo_id.eq(bpvos::id)));
    let mut q = bpvos::table
        .inner_join(aanbieders::table)
        .left_join(kwalificaties::table.on(kwalificaties::crebo.eq(bpvos::crebo)))
        .filter(bpvos::startdatum.ge(van))
        .filter(bpvos::startdatum.le(tot_en_met))
        .filter(bpvos::status.ne("ingetrokken"))
        .select((
            aanbieders::brin,
            bpvos::aanbiedercode,
            bpvos::correlatie_id,
            bpvos::leerbedrijf_id,
            bpvos::crebo,
            kwalificaties::sector.nullable(),
            bpvos::startdatum,
            bpvos::received_at,
            bpvos::student_email.is_not_null(),
            verwijderd,
            erkend,
        ))
        .into_boxed();
    if let Some(b) = brin {
        q = q.filter(aanbieders::brin.eq(b.to_owned()));
    }
    // One correlated probe per bpvo: PostgreSQL's JIT compiles for seconds on this plan's
    // estimate and gains nothing, so it is off for this statement.
    let mut rows: Vec<Raw> = match conn {
        DbConnection::Postgresql(_) => crate::db::write_transaction(conn, |conn| -> StoreResult<Vec<Raw>> {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SET LOCAL jit = off")?;
            Ok(q.load(conn)?)
        })?,
        DbConnection::Sqlite(_) => q.load(conn)?,
    };
    // Sorted here rather than in SQL: the sort kept PostgreSQL from streaming the rows.
    rows.sort_unstable_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    Ok(rows
        .into_iter()
        .map(|r| BpvoMeting {
            brin: r.0,
            aanbiedercode: r.1,
            correlatie_id: r.2,
            leerbedrijf_id: r.3,
            crebo: r.4,
            sector: r.5,
            startdatum: r.6,
            // the UTC day of the first receipt
            geregistreerd_op: r.7.date(),
            heeft_student_email: r.8,
            persoonsgegevens_verwijderd: r.9,
            erkend: r.10,
        })
        .collect())
}

/// Every instelling as the indicators need it (by BRIN).
pub fn deelnemers(conn: &mut DbConnection) -> StoreResult<Vec<Deelnemer>> {
    Ok(crate::repo::instellingen::list(conn)?
        .into_iter()
        .map(|i| Deelnemer {
            directe_studentbevraging: i.neemt_deel_aan_directe_bevraging(),
            brin: i.brin,
            naam: i.naam,
        })
        .collect())
}

/// One stored quarterly photo.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Foto {
    pub kwartaal: String,
    pub peildatum: NaiveDate,
    pub brin: String,
    /// The indicators as JSON, exactly as computed when the photo was taken.
    pub indicatoren: String,
    pub created_at: NaiveDateTime,
}

/// Store a photo unless this quarter already has one for this instelling; returns whether it was
/// stored (a photo, once taken, stays as it was).
pub fn bewaar_foto(
    conn: &mut DbConnection,
    kwartaal: &str,
    peildatum: NaiveDate,
    brin: &str,
    indicatoren: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let row = (
        datakwaliteit_fotos::id.eq(new_id()),
        datakwaliteit_fotos::kwartaal.eq(kwartaal),
        datakwaliteit_fotos::peildatum.eq(peildatum),
        datakwaliteit_fotos::brin.eq(brin),
        datakwaliteit_fotos::indicatoren.eq(indicatoren),
        datakwaliteit_fotos::created_at.eq(now),
    );
    macro_rules! insert {
        ($c:expr) => {
            diesel::insert_into(datakwaliteit_fotos::table)
                .values(row)
                .on_conflict((datakwaliteit_fotos::kwartaal, datakwaliteit_fotos::brin))
                .do_nothing()
                .execute($c)?
        };
    }
    let n = match conn {
        DbConnection::Postgresql(c) => insert!(c),
        DbConnection::Sqlite(c) => insert!(c),
    };
    Ok(n == 1)
}

/// Photos, oldest quarter first; one instelling's or all.
pub fn fotos(conn: &mut DbConnection, brin: Option<&str>) -> StoreResult<Vec<Foto>> {
    let mut q = datakwaliteit_fotos::table
        .select((
            datakwaliteit_fotos::kwartaal,
            datakwaliteit_fotos::peildatum,
            datakwaliteit_fotos::brin,
            datakwaliteit_fotos::indicatoren,
            datakwaliteit_fotos::created_at,
        ))
        .order((datakwaliteit_fotos::kwartaal, datakwaliteit_fotos::brin))
        .into_boxed();
    if let Some(b) = brin {
        q = q.filter(datakwaliteit_fotos::brin.eq(b.to_owned()));
    }
    Ok(q.load(conn)?)
}
