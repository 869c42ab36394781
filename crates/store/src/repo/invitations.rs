//! Survey invitations: created once per bpvo and group (the unique key makes planning idempotent
//! even with two dispatchers), rescheduled or cancelled while still planned, marked sent, answered
//! or opted out. Link tokens are stored only as hashes.

use bpv_scheduling::InvitationStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::InvitationRow;
use crate::repo::CHUNK;
use crate::schema::{deliveries, invitation_tokens, invitations};
use crate::sqlite_text::{SqliteDate, SqliteTimestamp};

/// The invitations of these bpvo's.
pub fn for_bpvos(conn: &mut DbConnection, bpvo_ids: &[String]) -> StoreResult<Vec<InvitationRow>> {
    let mut out = Vec::new();
    for chunk in bpvo_ids.chunks(CHUNK) {
        out.extend(
            invitations::table
                .filter(invitations::bpvo_id.eq_any(chunk))
                .select(InvitationRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Invitations by id.
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<InvitationRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            invitations::table.filter(invitations::id.eq_any(chunk)).select(InvitationRow::as_select()).load(conn)?,
        );
    }
    Ok(out)
}

/// Insert invitations that do not exist yet (same bpvo and group: left alone); returns how many
/// were new.
pub fn insert_new(conn: &mut DbConnection, rows: &[InvitationRow]) -> StoreResult<usize> {
    if matches!(conn, DbConnection::Sqlite(_))
        && rows.iter().filter(|r| counted(r.status)).count() >= SQLITE_BULK_COUNTED
    {
        return crate::db::write_transaction(conn, |conn| match conn {
            DbConnection::Sqlite(c) => insert_counted_in_bulk(c, rows),
            DbConnection::Postgresql(_) => unreachable!("matched as SQLite above"),
        });
    }
    let mut n = 0;
    match conn {
        // One array per column: the statement is prepared once, where a multi-row insert binds
        // fourteen parameters per row and PostgreSQL parses each anew.
        DbConnection::Postgresql(c) => {
            use diesel::sql_types::{Array, Bool, Date, Integer, Nullable, Text, Timestamp};
            for chunk in rows.chunks(CHUNK * 5) {
                let text = |f: fn(&InvitationRow) -> &str| chunk.iter().map(f).collect::<Vec<&str>>();
                n += diesel::sql_query(
                    "INSERT INTO invitations (id, bpvo_id, groep, kanaal, status, scheduled_on, closes_on, sent_on, \
                     reminders_sent, opted_out, answered_at, cancel_reason, created_at, updated_at) \
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], \
                     $7::date[], $8::date[], $9::int4[], $10::bool[], $11::timestamp[], $12::text[], \
                     $13::timestamp[], $14::timestamp[]) \
                     ON CONFLICT (bpvo_id, groep) DO NOTHING",
                )
                .bind::<Array<Text>, _>(text(|r| &r.id))
                .bind::<Array<Text>, _>(text(|r| &r.bpvo_id))
                .bind::<Array<Text>, _>(text(|r| r.groep.as_str()))
                .bind::<Array<Text>, _>(text(|r| r.kanaal.as_str()))
                .bind::<Array<Text>, _>(text(|r| r.status.as_str()))
                .bind::<Array<Date>, _>(chunk.iter().map(|r| r.scheduled_on).collect::<Vec<_>>())
                .bind::<Array<Date>, _>(chunk.iter().map(|r| r.closes_on).collect::<Vec<_>>())
                .bind::<Array<Nullable<Date>>, _>(chunk.iter().map(|r| r.sent_on).collect::<Vec<_>>())
                .bind::<Array<Integer>, _>(chunk.iter().map(|r| r.reminders_sent).collect::<Vec<_>>())
                .bind::<Array<Bool>, _>(chunk.iter().map(|r| r.opted_out).collect::<Vec<_>>())
                .bind::<Array<Nullable<Timestamp>>, _>(chunk.iter().map(|r| r.answered_at).collect::<Vec<_>>())
                .bind::<Array<Nullable<Text>>, _>(chunk.iter().map(|r| r.cancel_reason.as_deref()).collect::<Vec<_>>())
                .bind::<Array<Timestamp>, _>(chunk.iter().map(|r| r.created_at).collect::<Vec<_>>())
                .bind::<Array<Timestamp>, _>(chunk.iter().map(|r| r.updated_at).collect::<Vec<_>>())
                .execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => n += insert_new_sqlite(c, rows)?,
    }
    Ok(n)
}

fn insert_new_sqlite(c: &mut diesel::SqliteConnection, rows: &[InvitationRow]) -> StoreResult<usize> {
    let rows: Vec<SqliteInvitation> = rows.iter().map(SqliteInvitation::of).collect();
    Ok(crate::repo::sqlite_kept_insert!(c, rows, |chunk| diesel::insert_into(invitations::table)
        .values(chunk)
        .on_conflict((invitations::bpvo_id, invitations::groep))
        .do_nothing()))
}

/// Whether an invitation in this state counts in `uitnodiging_tellingen` (the count triggers'
/// condition: sent or answered).
fn counted(status: InvitationStatus) -> bool {
    matches!(status, InvitationStatus::Verstuurd | InvitationStatus::Beantwoord)
}

/// From this many sent or answered invitations in one [`insert_new`] on SQLite (a bulk load, such
/// as the demo's earlier surveys), the count trigger is set aside for the insert. Below it the
/// trigger counts row by row as always.
const SQLITE_BULK_COUNTED: usize = 1_000;

/// [`insert_new`] on SQLite for a bulk load of counted invitations, inside a transaction (or a
/// savepoint of the caller's). The count trigger `uitnodiging_tellingen_ins` is dropped, the rows
/// go in, their counts are added per key ([`AddCounts`], 64 keys a statement), and the trigger
/// is made again from the very SQL SQLite kept for it. Row by row the trigger looked up the bpvo and
/// upserted its count for every invitation: 2.0 of the demo's 2.8 s of CPU for its earlier
/// surveys (135,833 invitations over 77,490 keys). Other connections never see the table without
/// its trigger: the drop and the new trigger commit together, and SQLite has one writer at a time.
fn insert_counted_in_bulk(c: &mut diesel::SqliteConnection, rows: &[InvitationRow]) -> StoreResult<usize> {
    use diesel::connection::SimpleConnection;

    #[derive(QueryableByName)]
    struct TriggerSql {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    const TRIGGER: &str = "uitnodiging_tellingen_ins";
    let trigger = diesel::sql_query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
        .bind::<diesel::sql_types::Text, _>(TRIGGER)
        .get_result::<TriggerSql>(c)
        .optional()?
        .ok_or_else(|| crate::error::StoreError::Corrupt(format!("the count trigger {TRIGGER} is missing")))?;
    c.batch_execute(&format!("DROP TRIGGER {TRIGGER}"))?;
    let n = insert_new_sqlite(c, rows)?;
    // Which rows went in: all, or (where a bpvo already had an invitation of that group) those
    // whose new id is now stored.
    let mut new: Vec<&InvitationRow> = rows.iter().filter(|r| counted(r.status)).collect();
    if n < rows.len() {
        let stored = stored_ids(c, &new)?;
        new.retain(|r| stored.contains(&r.id));
    }
    let keys = count_keys(c, &new)?;
    let mut counts: std::collections::HashMap<Key<'_>, (i64, i64)> = std::collections::HashMap::new();
    for r in &new {
        // The foreign key keeps an invitation from naming a bpvo that does not exist.
        let k = keys
            .get(&r.bpvo_id)
            .ok_or_else(|| crate::error::StoreError::Corrupt(format!("invitation {} names no stored bpvo", r.id)))?;
        let e = counts
            .entry((r.groep.as_str(), &k.aanbiedercode, &k.maand, &k.locatiecode, &k.leerweg, &k.crebo))
            .or_default();
        e.0 += 1;
        e.1 += i64::from(r.kanaal == bpvo::Kanaal::ViaPraktijkopleider);
    }
    let counts: Vec<(Key<'_>, (i64, i64))> = counts.into_iter().collect();
    let mut chunks = counts.chunks_exact(crate::repo::SQLITE_KEPT_ROWS);
    for chunk in &mut chunks {
        AddCounts::<{ crate::repo::SQLITE_KEPT_ROWS }>(chunk).execute(c)?;
    }
    for one in chunks.remainder().chunks(1) {
        AddCounts::<1>(one).execute(c)?;
    }
    c.batch_execute(&trigger.sql)?;
    Ok(n)
}

/// A count key as [`insert_counted_in_bulk`] sums it: groep, aanbieder, month, locatie ('' for
/// none), leerweg, crebo.
type Key<'k> = (&'k str, &'k str, &'k str, &'k str, &'k str, &'k str);

/// [`insert_counted_in_bulk`]'s upsert of `N` keys' counts (and `via`), as a query of its own so
/// that the connection keeps it prepared: diesel never keeps an `ON CONFLICT DO UPDATE` of its
/// own prepared, and parsed the 64-key statement anew for each of the demo's 1,211. Changed at
/// `CURRENT_TIMESTAMP`, as the trigger writes it. The slice holds exactly `N` keys.
struct AddCounts<'a, const N: usize>(&'a [(Key<'a>, (i64, i64))]);

/// [`AddCounts`]'s query id: one prepared statement per number of keys.
struct AddCountsId<const N: usize>;

impl<const N: usize> diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for AddCounts<'_, N> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text};
        assert_eq!(self.0.len(), N, "an AddCounts statement of {N} keys");
        out.push_sql(
            "INSERT INTO uitnodiging_tellingen \
             (groep, aanbiedercode, maand, locatiecode, leerweg, crebo, aantal, via, gewijzigd_op) VALUES ",
        );
        for (i, ((groep, aanbiedercode, maand, locatiecode, leerweg, crebo), (aantal, via))) in
            self.0.iter().enumerate()
        {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            for text in [groep, aanbiedercode, maand, locatiecode, leerweg, crebo] {
                out.push_bind_param::<Text, _>(*text)?;
                out.push_sql(", ");
            }
            out.push_bind_param::<BigInt, _>(aantal)?;
            out.push_sql(", ");
            out.push_bind_param::<BigInt, _>(via)?;
            out.push_sql(", CURRENT_TIMESTAMP)");
        }
        out.push_sql(
            " ON CONFLICT (groep, aanbiedercode, maand, locatiecode, leerweg, crebo) DO UPDATE \
             SET aantal = aantal + excluded.aantal, via = via + excluded.via, gewijzigd_op = excluded.gewijzigd_op",
        );
        Ok(())
    }
}

impl<const N: usize> diesel::query_builder::QueryId for AddCounts<'_, N> {
    type QueryId = AddCountsId<N>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const N: usize> RunQueryDsl<diesel::SqliteConnection> for AddCounts<'_, N> {}

/// Ids per statement of [`insert_counted_in_bulk`]'s `json_each` lookups.
const SQLITE_PER_STATEMENT: usize = 10_000;

/// Which of these invitations are stored (by id).
fn stored_ids(
    c: &mut diesel::SqliteConnection,
    rows: &[&InvitationRow],
) -> StoreResult<std::collections::HashSet<String>> {
    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let mut stored = std::collections::HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(SQLITE_PER_STATEMENT) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
        stored.extend(
            diesel::sql_query("SELECT id FROM invitations WHERE id IN (SELECT value FROM json_each(?))")
                .bind::<diesel::sql_types::Text, _>(super::sqlite_json_rows(&ids)?)
                .load::<Stored>(c)?
                .into_iter()
                .map(|s| s.id),
        );
    }
    Ok(stored)
}

/// A bpvo's count key, computed by SQLite exactly as the count triggers compute it.
#[derive(QueryableByName)]
struct CountKeys {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    aanbiedercode: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    maand: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    locatiecode: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    leerweg: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    crebo: String,
}

/// The count keys of the bpvo's of these invitations, by bpvo id.
fn count_keys(
    c: &mut diesel::SqliteConnection,
    rows: &[&InvitationRow],
) -> StoreResult<std::collections::HashMap<String, CountKeys>> {
    let mut bpvo_ids: Vec<&str> = rows.iter().map(|r| r.bpvo_id.as_str()).collect();
    bpvo_ids.sort_unstable();
    bpvo_ids.dedup();
    let mut keys = std::collections::HashMap::with_capacity(bpvo_ids.len());
    for chunk in bpvo_ids.chunks(SQLITE_PER_STATEMENT) {
        keys.extend(
            diesel::sql_query(
                "SELECT id, aanbiedercode, strftime('%Y-%m', geplande_einddatum) AS maand, \
                 COALESCE(locatiecode, '') AS locatiecode, leerweg, crebo \
                 FROM bpvos WHERE id IN (SELECT value FROM json_each(?))",
            )
            .bind::<diesel::sql_types::Text, _>(super::sqlite_json_rows(chunk)?)
            .load::<CountKeys>(c)?
            .into_iter()
            .map(|k| (k.id.clone(), k)),
        );
    }
    Ok(keys)
}

/// An [`InvitationRow`] as [`insert_new`] binds it on SQLite: its dates through
/// [`crate::sqlite_text`] instead of chrono's formatter. It owns its text: diesel keeps a
/// statement prepared only for a query type without borrowed values.
#[derive(Insertable)]
#[diesel(table_name = invitations, treat_none_as_default_value = false)]
struct SqliteInvitation {
    id: String,
    bpvo_id: String,
    groep: bpvo::Groep,
    kanaal: bpvo::Kanaal,
    status: InvitationStatus,
    scheduled_on: SqliteDate,
    closes_on: SqliteDate,
    sent_on: Option<SqliteDate>,
    reminders_sent: i32,
    opted_out: bool,
    answered_at: Option<SqliteTimestamp>,
    cancel_reason: Option<String>,
    created_at: SqliteTimestamp,
    updated_at: SqliteTimestamp,
}

impl SqliteInvitation {
    fn of(r: &InvitationRow) -> Self {
        // Every field named: a column added to the row does not compile until it is added here.
        let InvitationRow {
            id,
            bpvo_id,
            groep,
            kanaal,
            status,
            scheduled_on,
            closes_on,
            sent_on,
            reminders_sent,
            opted_out,
            answered_at,
            cancel_reason,
            created_at,
            updated_at,
        } = r;
        Self {
            id: id.clone(),
            bpvo_id: bpvo_id.clone(),
            groep: *groep,
            kanaal: *kanaal,
            status: *status,
            scheduled_on: SqliteDate(*scheduled_on),
            closes_on: SqliteDate(*closes_on),
            sent_on: sent_on.map(SqliteDate),
            reminders_sent: *reminders_sent,
            opted_out: *opted_out,
            answered_at: answered_at.map(SqliteTimestamp),
            cancel_reason: cancel_reason.clone(),
            created_at: SqliteTimestamp(*created_at),
            updated_at: SqliteTimestamp(*updated_at),
        }
    }
}

/// New dates for a planned invitation (its end date moved before it went out); a waiting
/// invitation mail moves with it.
pub fn reschedule(
    conn: &mut DbConnection,
    id: &str,
    scheduled_on: NaiveDate,
    closes_on: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let n = diesel::update(invitations::table.find(id).filter(invitations::status.eq(InvitationStatus::Gepland)))
        .set((
            invitations::scheduled_on.eq(scheduled_on),
            invitations::closes_on.eq(closes_on),
            invitations::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n > 0 {
        let onderwerp = crate::models::Onderwerp::Uitnodiging(id.to_owned());
        crate::repo::deliveries::move_waiting(conn, &onderwerp, scheduled_on, now)?;
    }
    Ok(n > 0)
}

/// Cancel a planned invitation and skip its waiting mails.
pub fn cancel(conn: &mut DbConnection, id: &str, reden: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(invitations::table.find(id).filter(invitations::status.eq(InvitationStatus::Gepland)))
        .set((
            invitations::status.eq(InvitationStatus::Geannuleerd),
            invitations::cancel_reason.eq(Some(reden)),
            invitations::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        deliveries::table
            .filter(deliveries::invitation_id.eq(id))
            .filter(deliveries::status.eq(crate::states::DeliveryStatus::Wachtend)),
    )
    .set((
        deliveries::status.eq(crate::states::DeliveryStatus::Overgeslagen),
        deliveries::last_reply.eq(Some(format!("geannuleerd: {reden}"))),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// The invitation went out today (its own mail, or the praktijkopleider's mail with its link).
pub fn mark_sent(conn: &mut DbConnection, id: &str, today: NaiveDate, now: NaiveDateTime) -> StoreResult<()> {
    mark_sent_many(conn, &[id], today, now)
}

/// Bring PostgreSQL's statistics of the invitations and the outbox up to date after planning added
/// many. Right after a bulk insert the planner still takes `gepland` and `wachtend` for rare
/// statuses. To record that a group of mails went out (the invitations they carried, `status =
/// 'gepland'`) it then walked every planned invitation in the status index: 1.7 ms a group at
/// 20,000 new invitations instead of 0.1 ms by primary key. To claim a batch it read every waiting
/// mail and sorted them (a bitmap scan) instead of reading the first 500 in the order of the due
/// index. (At this moment no mail is `bezig`, and the statistics say so; the outcome writes keep
/// their status condition out of the index for that reason, see `deliveries`.) Of the outbox only
/// the two columns the claim asks about are sampled. SQLite has no statistics here;
/// [`mark_sent_many`] keeps it off the status index by itself.
pub fn refresh_statistics(conn: &mut DbConnection) -> StoreResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query("ANALYZE invitations, deliveries (status, next_attempt_at)").execute(c)?;
    }
    Ok(())
}

/// [`mark_sent`] for several invitations in one statement. The status is compared as
/// `status || ''`, which no index serves: without statistics SQLite takes the status index for an
/// equality over five or more ids and walks every planned invitation for each group of mails
/// (in the demo's mail run, 9,187 planned invitations, a third of all its CPU time); by primary
/// key it looks up only the group's own.
pub fn mark_sent_many(conn: &mut DbConnection, ids: &[&str], today: NaiveDate, now: NaiveDateTime) -> StoreResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        for chunk in ids.chunks(crate::repo::CHUNK) {
            MarkSentSqlite {
                today: SqliteDate(today),
                now: SqliteTimestamp(now),
                ids: crate::repo::sqlite_json_rows(chunk)?,
            }
            .execute(c)?;
        }
        return Ok(());
    }
    for chunk in ids.chunks(crate::repo::CHUNK) {
        diesel::update(
            invitations::table
                .filter(invitations::id.eq_any(chunk))
                .filter(invitations::status.concat("").eq(InvitationStatus::Gepland)),
        )
        .set((
            invitations::status.eq(InvitationStatus::Verstuurd),
            invitations::sent_on.eq(Some(today)),
            invitations::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// [`mark_sent_many`]'s statement on SQLite, as a query of its own so that the connection keeps it
/// prepared: the ids come as one JSON array (`json_each`), so its SQL is the same for any number
/// of ids. diesel's `IN (?, ?, …)` has SQL of its own for each number and is parsed anew for every
/// group the dispatcher's recorder writes, and with it SQLite codes the count trigger's program
/// again: 2.7 % of the demo's CPU samples, a quarter of the recorder's.
struct MarkSentSqlite {
    today: SqliteDate,
    now: SqliteTimestamp,
    /// The invitation ids as a JSON array.
    ids: String,
}

/// [`MarkSentSqlite`]'s SQL around its three parameters.
static MARK_SENT_SQLITE_SQL: std::sync::LazyLock<[String; 2]> = std::sync::LazyLock::new(|| {
    [
        format!("UPDATE invitations SET status = '{}', sent_on = ", InvitationStatus::Verstuurd.as_str()),
        format!(" AND status || '' = '{}'", InvitationStatus::Gepland.as_str()),
    ]
});

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for MarkSentSqlite {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Date, Text, Timestamp};
        let sql = &*MARK_SENT_SQLITE_SQL;
        out.push_sql(&sql[0]);
        out.push_bind_param::<Date, _>(&self.today)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        // `status || ''`: no index on the status (see `mark_sent_many`); by primary key instead.
        out.push_sql(" WHERE id IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.ids)?;
        out.push_sql("))");
        out.push_sql(&sql[1]);
        Ok(())
    }
}

impl diesel::query_builder::QueryId for MarkSentSqlite {
    type QueryId = MarkSentSqlite;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<diesel::SqliteConnection> for MarkSentSqlite {}

/// Reminder `nummer` went out.
pub fn mark_reminded(conn: &mut DbConnection, id: &str, nummer: i32, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(invitations::table.find(id).filter(invitations::reminders_sent.lt(nummer)))
        .set((invitations::reminders_sent.eq(nummer), invitations::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Store the hash of a link token for an invitation.
pub fn add_token(
    conn: &mut DbConnection,
    invitation_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    add_tokens(conn, &[(invitation_id, token_hash.to_owned())], now)
}

/// Store the hashes of several link tokens (invitation id, hash) in multi-row inserts.
pub fn add_tokens(conn: &mut DbConnection, tokens: &[(&str, String)], now: NaiveDateTime) -> StoreResult<()> {
    match conn {
        // Two arrays instead of three parameters per row (see `insert_new`).
        DbConnection::Postgresql(c) => {
            use diesel::sql_types::{Array, Text, Timestamp};
            for chunk in tokens.chunks(CHUNK * 5) {
                diesel::sql_query(
                    "INSERT INTO invitation_tokens (token_hash, invitation_id, created_at) \
                     SELECT h, i, $3 FROM unnest($1::text[], $2::text[]) AS t(h, i)",
                )
                .bind::<Array<Text>, _>(chunk.iter().map(|(_, hash)| hash.as_str()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(chunk.iter().map(|(id, _)| *id).collect::<Vec<_>>())
                .bind::<Timestamp, _>(now)
                .execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => {
            for chunk in tokens.chunks(CHUNK) {
                let rows: Vec<_> = chunk
                    .iter()
                    .map(|(id, hash)| {
                        (
                            invitation_tokens::token_hash.eq(hash.as_str()),
                            invitation_tokens::invitation_id.eq(*id),
                            invitation_tokens::created_at.eq(now),
                        )
                    })
                    .collect();
                diesel::insert_into(invitation_tokens::table).values(&rows).execute(c)?;
            }
        }
    }
    Ok(())
}

/// The invitation a link token belongs to.
pub fn find_by_token_hash(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<InvitationRow>> {
    Ok(invitation_tokens::table
        .inner_join(invitations::table)
        .filter(invitation_tokens::token_hash.eq(token_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}

/// How many invitations there are per group and status.
pub fn counts(conn: &mut DbConnection) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(invitations::table
        .group_by((invitations::groep, invitations::status))
        .select((invitations::groep, invitations::status, diesel::dsl::count_star()))
        .order((invitations::groep, invitations::status))
        .load(conn)?)
}

/// Some invitations that are sent, unanswered and still open on `today` (the demo prints links to them).
pub fn open_sample(conn: &mut DbConnection, today: NaiveDate, groep: &str, n: i64) -> StoreResult<Vec<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::status.eq(InvitationStatus::Verstuurd))
        .filter(invitations::groep.eq(groep))
        .filter(invitations::kanaal.eq(bpvo::Kanaal::Direct))
        .filter(invitations::closes_on.gt(today))
        .order(invitations::id)
        .limit(n)
        .select(InvitationRow::as_select())
        .load(conn)?)
}

/// The invitation of a group for the bpvo with this key.
pub fn find_by_key(
    conn: &mut DbConnection,
    aanbiedercode: &str,
    correlatie_id: &str,
    groep: &str,
) -> StoreResult<Option<InvitationRow>> {
    use crate::schema::bpvos;
    Ok(invitations::table
        .inner_join(bpvos::table)
        .filter(bpvos::aanbiedercode.eq(aanbiedercode))
        .filter(bpvos::correlatie_id.eq(correlatie_id))
        .filter(invitations::groep.eq(groep))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?)
}
