//! What the reporting index reads: answers with their analysis keys (never names or addresses),
//! in the order they were stored, and invitation counts per analysis key.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::schema::{aanbieders, historie_antwoorden, historie_bestanden, responses};

/// One stored answer with its keys, as the index absorbs it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct KeyedResponse {
    pub id: String,
    pub submitted_at: NaiveDateTime,
    pub questionnaire_version: String,
    pub groep: String,
    pub maand: String,
    pub brin: String,
    pub aanbiedercode: String,
    pub locatiecode: Option<String>,
    pub leerweg: String,
    pub crebo: String,
    pub sector: Option<String>,
    pub cijfer: i32,
    /// The item answers as JSON (`bpv_aggregation::Answers`).
    pub antwoorden: String,
}

/// Where a page of [`answers_after`] ends: the next page starts after it.
pub type Cursor = (NaiveDateTime, String);

/// Up to `limit` answers stored after `after` (by `(submitted_at, id)`), oldest first; from the
/// beginning when `after` is `None`.
pub fn answers_after(conn: &mut DbConnection, after: Option<&Cursor>, limit: i64) -> StoreResult<Vec<KeyedResponse>> {
    let mut q = responses::table
        .inner_join(aanbieders::table.on(aanbieders::aanbiedercode.eq(responses::aanbiedercode)))
        .select((
            responses::id,
            responses::submitted_at,
            responses::questionnaire_version,
            responses::groep,
            responses::maand,
            aanbieders::brin,
            responses::aanbiedercode,
            responses::locatiecode,
            responses::leerweg,
            responses::crebo,
            responses::sector,
            responses::cijfer,
            responses::antwoorden,
        ))
        .order((responses::submitted_at, responses::id))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        // A row-value comparison, so both databases walk the (submitted_at, id) index instead of
        // sorting every answer for each page.
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("(responses.submitted_at, responses.id) > (")
                .bind::<diesel::sql_types::Timestamp, _>(*at)
                .sql(", ")
                .bind::<Text, _>(id.clone())
                .sql(")"),
        );
    }
    Ok(q.load(conn)?)
}

/// Up to `limit` history answers of one imported file (`repo::historie`) after answer id
/// `after`, by id: the reporting index absorbs a file whole, once, when it first sees its row in
/// `historie_bestanden`. `submitted_at` is the file's import moment.
pub fn historie_answers(
    conn: &mut DbConnection,
    bestand_id: &str,
    after: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<KeyedResponse>> {
    let mut q = historie_antwoorden::table
        .inner_join(aanbieders::table.on(aanbieders::aanbiedercode.eq(historie_antwoorden::aanbiedercode)))
        .inner_join(historie_bestanden::table.on(historie_bestanden::id.eq(historie_antwoorden::bestand_id)))
        .filter(historie_antwoorden::bestand_id.eq(bestand_id.to_owned()))
        .select((
            historie_antwoorden::id,
            historie_bestanden::geimporteerd_op,
            historie_antwoorden::questionnaire_version,
            historie_antwoorden::groep,
            historie_antwoorden::maand,
            aanbieders::brin,
            historie_antwoorden::aanbiedercode,
            historie_antwoorden::locatiecode,
            historie_antwoorden::leerweg,
            historie_antwoorden::crebo,
            historie_antwoorden::sector,
            historie_antwoorden::cijfer,
            historie_antwoorden::antwoorden,
        ))
        .order(historie_antwoorden::id)
        .limit(limit)
        .into_boxed();
    if let Some(id) = after {
        q = q.filter(historie_antwoorden::id.gt(id.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// Invitations that were sent (or answered) per analysis key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, QueryableByName)]
pub struct InvitationKeyCount {
    #[diesel(sql_type = Text)]
    pub groep: String,
    #[diesel(sql_type = Text)]
    pub maand: String,
    #[diesel(sql_type = Text)]
    pub brin: String,
    #[diesel(sql_type = Text)]
    pub aanbiedercode: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub locatiecode: Option<String>,
    #[diesel(sql_type = Text)]
    pub leerweg: String,
    #[diesel(sql_type = Text)]
    pub crebo: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub sector: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub aantal: i64,
    /// Of `aantal`, how many went through the praktijkopleider (`kanaal`); history counts none.
    #[diesel(sql_type = BigInt)]
    pub via: i64,
}

/// The number of invitations sent (or answered) per analysis key: the denominator of the
/// response rate, as kept in `uitnodiging_tellingen` (the live counts and imported history of a
/// key in one row; keys whose count fell to 0 are left out). The month is that of the planned end
/// date, as for answers.
pub fn invitation_counts(conn: &mut DbConnection) -> StoreResult<Vec<InvitationKeyCount>> {
    let names = KeyNames::load(conn)?;
    let mut counts = Vec::new();
    let mut after: Option<TellingSleutel> = None;
    loop {
        let page = invitation_counts_page(conn, &names, None, after.as_ref(), 50_000)?;
        let full = page.len() == 50_000;
        after = page.last().map(TellingSleutel::of);
        counts.extend(page.into_iter().map(|r| r.count).filter(|c| c.aantal != 0 || c.via != 0));
        if !full {
            return Ok(counts);
        }
    }
}

/// One row of `uitnodiging_tellingen` with its keys as the reporting index reads them, and when
/// it last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationCountRow {
    pub count: InvitationKeyCount,
    pub gewijzigd_op: NaiveDateTime,
}

/// Where a page of [`invitation_counts_page`] ends: the key of its last row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TellingSleutel {
    groep: String,
    aanbiedercode: String,
    maand: String,
    locatiecode: String,
    leerweg: String,
    crebo: String,
}

impl TellingSleutel {
    /// The key of a row read.
    pub fn of(row: &InvitationCountRow) -> Self {
        let c = &row.count;
        TellingSleutel {
            groep: c.groep.clone(),
            aanbiedercode: c.aanbiedercode.clone(),
            maand: c.maand.clone(),
            locatiecode: c.locatiecode.clone().unwrap_or_default(),
            leerweg: c.leerweg.clone(),
            crebo: c.crebo.clone(),
        }
    }
}

/// The brin of each aanbieder and the sector of each crebo: what [`invitation_counts_page`] puts
/// beside each row's aanbiedercode and crebo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyNames {
    pub brins: HashMap<String, String>,
    pub sectors: HashMap<String, String>,
}

impl KeyNames {
    /// As they are now.
    pub fn load(conn: &mut DbConnection) -> StoreResult<Self> {
        use crate::schema::kwalificaties;
        Ok(KeyNames {
            brins: aanbieders::table
                .select((aanbieders::aanbiedercode, aanbieders::brin))
                .load(conn)?
                .into_iter()
                .collect(),
            sectors: kwalificaties::table
                .select((kwalificaties::crebo, kwalificaties::sector))
                .load(conn)?
                .into_iter()
                .collect(),
        })
    }
}

/// Up to `limit` rows of `uitnodiging_tellingen` in key order after `after` — every row, or only
/// those changed at or after `since` — with brin and sector from `names`. Rows that fell to 0
/// are included (a reader must see the change). The counts are absolute, so reading a row twice
/// does no harm: a reader re-reads a window before its last change to catch transactions that
/// committed late.
///
/// The page is a walk of the table's primary key alone, decoded by position; brin and sector are
/// looked up in `names` (read once by the caller, a few hundred rows) rather than joined into
/// every row. (With the joins inside the paged query PostgreSQL estimated the row
/// comparison from its first column and sorted the rest of the table for every page; with them
/// around it, decoding the joined texts by column name cost four times the query.) A row whose
/// aanbieder is unknown is left out, as the join left it out; an unknown crebo has no sector.
pub fn invitation_counts_page(
    conn: &mut DbConnection,
    names: &KeyNames,
    since: Option<NaiveDateTime>,
    after: Option<&TellingSleutel>,
    limit: i64,
) -> StoreResult<Vec<InvitationCountRow>> {
    use crate::schema::uitnodiging_tellingen as t;
    use diesel::sql_types::Bool;
    let mut q = t::table
        .select((
            t::groep,
            t::aanbiedercode,
            t::maand,
            t::locatiecode,
            t::leerweg,
            t::crebo,
            t::aantal,
            t::via,
            t::gewijzigd_op,
        ))
        .order((t::groep, t::aanbiedercode, t::maand, t::locatiecode, t::leerweg, t::crebo))
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(t::gewijzigd_op.ge(since));
    }
    if let Some(k) = after {
        // A row-value comparison, so both databases walk the primary key.
        q = q.filter(
            diesel::dsl::sql::<Bool>(
                "(uitnodiging_tellingen.groep, uitnodiging_tellingen.aanbiedercode, uitnodiging_tellingen.maand, \
                 uitnodiging_tellingen.locatiecode, uitnodiging_tellingen.leerweg, uitnodiging_tellingen.crebo) > (",
            )
            .bind::<Text, _>(k.groep.clone())
            .sql(", ")
            .bind::<Text, _>(k.aanbiedercode.clone())
            .sql(", ")
            .bind::<Text, _>(k.maand.clone())
            .sql(", ")
            .bind::<Text, _>(k.locatiecode.clone())
            .sql(", ")
            .bind::<Text, _>(k.leerweg.clone())
            .sql(", ")
            .bind::<Text, _>(k.crebo.clone())
            .sql(")"),
        );
    }
    type Rij = (String, String, String, String, String, String, i64, i64, NaiveDateTime);
    let rows: Vec<Rij> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op)| {
            let brin = names.brins.get(&aanbiedercode)?.clone();
            let sector = names.sectors.get(&crebo).cloned();
            let locatiecode = (!locatiecode.is_empty()).then_some(locatiecode);
            Some(InvitationCountRow {
                count: InvitationKeyCount {
                    groep,
                    maand,
                    brin,
                    aanbiedercode,
                    locatiecode,
                    leerweg,
                    crebo,
                    sector,
                    aantal,
                    via,
                },
                gewijzigd_op,
            })
        })
        .collect())
}

/// The invitation counts grouped afresh from every invitation and the imported history, as the
/// reporting service read them before `uitnodiging_tellingen` kept them: the reference the
/// triggers are tested against (one `GROUP BY` over all invitations; not for a running service).
pub fn invitation_counts_grouped(conn: &mut DbConnection) -> StoreResult<Vec<InvitationKeyCount>> {
    let mut counts = live_invitation_counts(conn)?;
    let historie = "SELECT h.groep AS groep, h.maand AS maand, a.brin AS brin, h.aanbiedercode AS aanbiedercode, \
         h.locatiecode AS locatiecode, h.leerweg AS leerweg, h.crebo AS crebo, k.sector AS sector, \
         CAST(SUM(h.aantal) AS BIGINT) AS aantal, CAST(0 AS BIGINT) AS via \
         FROM historie_uitnodigingen h \
         JOIN aanbieders a ON a.aanbiedercode = h.aanbiedercode \
         LEFT JOIN kwalificaties k ON k.crebo = h.crebo \
         GROUP BY h.groep, h.maand, a.brin, h.aanbiedercode, h.locatiecode, h.leerweg, h.crebo, k.sector";
    // SUM over BIGINT is NUMERIC on PostgreSQL: the cast gives a BIGINT on both backends.
    counts.extend(diesel::sql_query(historie).load::<InvitationKeyCount>(conn)?);
    Ok(counts)
}

fn live_invitation_counts(conn: &mut DbConnection) -> StoreResult<Vec<InvitationKeyCount>> {
    let maand = match conn {
        DbConnection::Postgresql(_) => "to_char(b.geplande_einddatum, 'YYYY-MM')",
        DbConnection::Sqlite(_) => "strftime('%Y-%m', b.geplande_einddatum)",
    };
    let (verstuurd, beantwoord) =
        (bpv_scheduling::InvitationStatus::Verstuurd.as_str(), bpv_scheduling::InvitationStatus::Beantwoord.as_str());
    let via = bpvo::Kanaal::ViaPraktijkopleider.as_str();
    let sql = format!(
        "SELECT i.groep AS groep, {maand} AS maand, a.brin AS brin, b.aanbiedercode AS aanbiedercode, \
         b.locatiecode AS locatiecode, b.leerweg AS leerweg, b.crebo AS crebo, k.sector AS sector, \
         COUNT(*) AS aantal, \
         CAST(SUM(CASE WHEN i.kanaal = '{via}' THEN 1 ELSE 0 END) AS BIGINT) AS via \
         FROM invitations i \
         JOIN bpvos b ON b.id = i.bpvo_id \
         JOIN aanbieders a ON a.aanbiedercode = b.aanbiedercode \
         LEFT JOIN kwalificaties k ON k.crebo = b.crebo \
         WHERE i.status IN ('{verstuurd}', '{beantwoord}') \
         GROUP BY i.groep, {maand}, a.brin, b.aanbiedercode, b.locatiecode, b.leerweg, b.crebo, k.sector"
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

/// Which answers a school reads row by row: its own (`brin`), narrowed like a results selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerFilter {
    pub brin: String,
    /// First and last month (`jjjj-mm`), inclusive.
    pub van: Option<String>,
    pub tot_en_met: Option<String>,
    pub aanbieders: Vec<String>,
    pub locaties: Vec<String>,
    pub leerweg: Option<String>,
    pub sector: Option<String>,
    pub crebo: Option<String>,
    /// `student` or `praktijkopleider`.
    pub groep: String,
}

/// One answer of a school's own bpvo, without names, addresses or the school's own keys (and
/// without the free text, which may hold them): the answer's id, for a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct AnswerRow {
    pub id: String,
    pub aanbiedercode: String,
    pub locatiecode: Option<String>,
    pub leerweg: String,
    pub crebo: String,
    pub sector: Option<String>,
    pub groep: String,
    pub questionnaire_version: String,
    pub maand: String,
    pub cijfer: i32,
    /// The stored answers JSON (`bpv_aggregation::Answers`); callers take only the items.
    pub antwoorden: String,
}

/// Which rows of the ordered answer list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: i64,
    pub limit: i64,
}

/// The answers matching `filter` — all, or one page — in a stable order (month, aanbieder,
/// answer id), and how many match in all.
pub fn answers_of_school(
    conn: &mut DbConnection,
    filter: &AnswerFilter,
    page: Option<Page>,
) -> StoreResult<(i64, Vec<AnswerRow>)> {
    macro_rules! filtered {
        ($select:expr) => {{
            let own =
                aanbieders::table.filter(aanbieders::brin.eq(filter.brin.clone())).select(aanbieders::aanbiedercode);
            let mut q = responses::table
                .filter(responses::aanbiedercode.eq_any(own))
                .filter(responses::groep.eq(filter.groep.clone()))
                .select($select)
                .into_boxed();
            if let Some(v) = &filter.van {
                q = q.filter(responses::maand.ge(v.clone()));
            }
            if let Some(t) = &filter.tot_en_met {
                q = q.filter(responses::maand.le(t.clone()));
            }
            if !filter.aanbieders.is_empty() {
                q = q.filter(responses::aanbiedercode.eq_any(filter.aanbieders.clone()));
            }
            if !filter.locaties.is_empty() {
                q = q.filter(responses::locatiecode.eq_any(filter.locaties.clone()));
            }
            if let Some(l) = &filter.leerweg {
                q = q.filter(responses::leerweg.eq(l.clone()));
            }
            if let Some(s) = &filter.sector {
                q = q.filter(responses::sector.eq(s.clone()));
            }
            if let Some(c) = &filter.crebo {
                q = q.filter(responses::crebo.eq(c.clone()));
            }
            q
        }};
    }
    let mut rows = filtered!((
        responses::id,
        responses::aanbiedercode,
        responses::locatiecode,
        responses::leerweg,
        responses::crebo,
        responses::sector,
        responses::groep,
        responses::questionnaire_version,
        responses::maand,
        responses::cijfer,
        responses::antwoorden,
    ))
    .order((responses::maand, responses::aanbiedercode, responses::id));
    let total = match page {
        Some(p) => {
            rows = rows.offset(p.offset).limit(p.limit);
            filtered!(diesel::dsl::count_star()).get_result::<i64>(conn)?
        }
        None => -1,
    };
    let rows: Vec<AnswerRow> = rows.load(conn)?;
    Ok((if total < 0 { rows.len() as i64 } else { total }, rows))
}
