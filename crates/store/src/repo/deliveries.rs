//! The outbox: one row per mail. Dispatchers claim due rows with a lease (PostgreSQL:
//! `FOR UPDATE SKIP LOCKED`; SQLite: inside an IMMEDIATE transaction, so one claimer at a time),
//! commit the claim before talking SMTP, and record each outcome on its own. A claim whose lease
//! ran out (the dispatcher died) is claimed again: at-least-once, never lost.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::models::DeliveryRow;
use crate::repo::CHUNK;
use crate::schema::{deliveries, suppressed_addresses};
use crate::states::DeliveryStatus;

/// Outcome writes take only a delivery that is still `bezig` under this owner's lease: a
/// dispatcher whose lease ran out during a slow SMTP session may find the mail claimed (and sent)
/// by another since, and must not overwrite that. Each returns whether it wrote.
macro_rules! still_ours {
    ($id:expr, $owner:expr) => {
        deliveries::table
            .find($id)
            .filter(deliveries::status.eq(DeliveryStatus::Bezig))
            .filter(deliveries::lease_owner.eq($owner))
    };
}

/// Insert mails that do not exist yet (same invitation, kind and number: left alone); returns how
/// many were new.
pub fn insert_new(conn: &mut DbConnection, rows: &[DeliveryRow]) -> StoreResult<usize> {
    let mut n = 0;
    match conn {
        // One array per column, as `invitations::insert_new` does it.
        DbConnection::Postgresql(c) => {
            use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
            for chunk in rows.chunks(CHUNK * 5) {
                let text = |f: fn(&DeliveryRow) -> &str| chunk.iter().map(f).collect::<Vec<&str>>();
                let opt = |f: fn(&DeliveryRow) -> Option<&str>| chunk.iter().map(f).collect::<Vec<Option<&str>>>();
                let time = |f: fn(&DeliveryRow) -> Option<NaiveDateTime>| chunk.iter().map(f).collect::<Vec<_>>();
                n += diesel::sql_query(
                    "INSERT INTO deliveries (id, invitation_id, verzoek_id, soort, nummer, recipient, status, \
                     attempts, next_attempt_at, lease_until, lease_owner, message_id, last_reply, sent_at, \
                     created_at, updated_at) \
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::text[], \
                     $7::text[], $8::int4[], $9::timestamp[], $10::timestamp[], $11::text[], $12::text[], \
                     $13::text[], $14::timestamp[], $15::timestamp[], $16::timestamp[]) \
                     ON CONFLICT (invitation_id, soort, nummer) DO NOTHING",
                )
                .bind::<Array<Text>, _>(text(|r| &r.id))
                .bind::<Array<Nullable<Text>>, _>(opt(|r| r.invitation_id.as_deref()))
                .bind::<Array<Nullable<Text>>, _>(opt(|r| r.verzoek_id.as_deref()))
                .bind::<Array<Text>, _>(text(|r| r.soort.as_str()))
                .bind::<Array<Integer>, _>(chunk.iter().map(|r| r.nummer).collect::<Vec<_>>())
                .bind::<Array<Nullable<Text>>, _>(opt(|r| r.recipient.as_deref()))
                .bind::<Array<Text>, _>(text(|r| r.status.as_str()))
                .bind::<Array<Integer>, _>(chunk.iter().map(|r| r.attempts).collect::<Vec<_>>())
                .bind::<Array<Timestamp>, _>(chunk.iter().map(|r| r.next_attempt_at).collect::<Vec<_>>())
                .bind::<Array<Nullable<Timestamp>>, _>(time(|r| r.lease_until))
                .bind::<Array<Nullable<Text>>, _>(opt(|r| r.lease_owner.as_deref()))
                .bind::<Array<Nullable<Text>>, _>(opt(|r| r.message_id.as_deref()))
                .bind::<Array<Nullable<Text>>, _>(opt(|r| r.last_reply.as_deref()))
                .bind::<Array<Nullable<Timestamp>>, _>(time(|r| r.sent_at))
                .bind::<Array<Timestamp>, _>(chunk.iter().map(|r| r.created_at).collect::<Vec<_>>())
                .bind::<Array<Timestamp>, _>(chunk.iter().map(|r| r.updated_at).collect::<Vec<_>>())
                .execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(CHUNK / 2) {
                n += diesel::insert_into(deliveries::table)
                    .values(chunk)
                    .on_conflict((deliveries::invitation_id, deliveries::soort, deliveries::nummer))
                    .do_nothing()
                    .execute(c)?;
            }
        }
    }
    Ok(n)
}

/// Claim up to `limit` due mails for `owner` until `now + lease`, and commit. Due: waiting with
/// `next_attempt_at <= now`, or claimed by someone whose lease ran out. Mails whose lease ran out
/// (a dispatcher that stopped) go first. Returned in the order `(recipient, id)`.
pub fn claim(
    conn: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    crate::db::write_transaction(conn, |conn| match conn {
        DbConnection::Postgresql(c) => {
            let mut rows = expired_first(limit, |kind, n| claim_pg(c, kind, owner, now, lease, n))?;
            // As `ORDER BY recipient, id` would: no recipient last.
            rows.sort_by(|a, b| {
                (a.recipient.is_none(), &a.recipient, &a.id).cmp(&(b.recipient.is_none(), &b.recipient, &b.id))
            });
            Ok(rows)
        }
        DbConnection::Sqlite(_) => claim_sqlite(conn, owner, now, lease, limit),
    })
}

/// The two kinds of due mail, each claimed on its own.
#[derive(Clone, Copy)]
enum DueKind {
    /// Claimed by a dispatcher whose lease ran out.
    Expired,
    /// Waiting for its (next) attempt.
    Waiting,
}

/// Up to `limit` due mails: those whose lease ran out first, then waiting ones to fill the batch.
/// `take(kind, n)` takes up to `n` of one kind (each backend claims or reads them its own way).
fn expired_first<T>(limit: i64, mut take: impl FnMut(DueKind, i64) -> StoreResult<Vec<T>>) -> StoreResult<Vec<T>> {
    let mut rows = take(DueKind::Expired, limit)?;
    let rest = limit - i64::try_from(rows.len()).unwrap_or(limit);
    if rest > 0 {
        rows.extend(take(DueKind::Waiting, rest)?);
    }
    Ok(rows)
}

/// One kind of due mail claimed on PostgreSQL in one statement: the subquery reads the due mails
/// in the order of the index `(status, next_attempt_at, recipient)`, stops at `limit` and locks
/// them (`FOR UPDATE SKIP LOCKED`: a row another dispatcher holds is passed over; a row changed
/// since the statement began is locked in its newest version and taken only if it is still due),
/// and the update takes exactly those rows by primary key and returns them. The update names no
/// status of its own: given a status condition, the planner walked every waiting mail in the due
/// index to find the batch's 500 (20,000 at a time when 20,000 were waiting), so a claim cost
/// grew with the queue.
fn claim_pg(
    c: &mut diesel::PgConnection,
    kind: DueKind,
    owner: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    // The same conditions as the SQLite claim's `expired` and `waiting`.
    let (from, due) = match kind {
        DueKind::Expired => (DeliveryStatus::Bezig, "status = $4 AND lease_until < $3"),
        DueKind::Waiting => (DeliveryStatus::Wachtend, "status = $4 AND next_attempt_at <= $3"),
    };
    Ok(diesel::sql_query(format!(
        "UPDATE deliveries SET status = $5, lease_until = $1, lease_owner = $2, attempts = attempts + 1, \
         updated_at = $3 \
         WHERE id = ANY(ARRAY(SELECT id FROM deliveries WHERE {due} \
         ORDER BY next_attempt_at, recipient LIMIT $6 FOR UPDATE SKIP LOCKED)) \
         RETURNING *"
    ))
    .bind::<Timestamp, _>(now + lease)
    .bind::<Text, _>(owner)
    .bind::<Timestamp, _>(now)
    .bind::<Text, _>(from.as_str())
    .bind::<Text, _>(DeliveryStatus::Bezig.as_str())
    .bind::<BigInt, _>(limit)
    .load::<DeliveryRow>(c)?)
}

/// The claim on SQLite, inside the caller's IMMEDIATE transaction (so one claimer at a time).
fn claim_sqlite(
    conn: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    let waiting = deliveries::status.eq(DeliveryStatus::Wachtend).and(deliveries::next_attempt_at.le(now));
    let expired = deliveries::status.eq(DeliveryStatus::Bezig).and(deliveries::lease_until.lt(now));
    // Each kind on its own, in the order of the index `(status, next_attempt_at, recipient)`:
    // read in that order, a claim stops at `limit` rows instead of sorting every due mail.
    macro_rules! due_ids {
        ($kind:expr, $limit:expr) => {
            deliveries::table
                .filter($kind)
                .order((deliveries::next_attempt_at, deliveries::recipient))
                .limit($limit)
                .select(deliveries::id)
                .load::<String>(conn)?
        };
    }
    let ids = expired_first(limit, |kind, n| {
        Ok(match kind {
            DueKind::Expired => due_ids!(expired, n),
            DueKind::Waiting => due_ids!(waiting, n),
        })
    })?;
    let due = waiting.or(expired);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Guarded: only rows still due are taken (the same condition, re-checked).
    diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)).filter(due))
        .set((
            deliveries::status.eq(DeliveryStatus::Bezig),
            deliveries::lease_until.eq(Some(now + lease)),
            deliveries::lease_owner.eq(Some(owner)),
            deliveries::attempts.eq(deliveries::attempts + 1),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(deliveries::table
        .filter(deliveries::id.eq_any(&ids))
        .filter(deliveries::lease_owner.eq(owner))
        .filter(deliveries::status.eq(DeliveryStatus::Bezig))
        .order((deliveries::recipient, deliveries::id))
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// Renew the lease on claimed mails right before they are sent: a batch claimed ahead (while the
/// one before it went out) gets its full lease from the moment its sending starts. Returns the
/// ids that are still this owner's; a mail whose lease ran out and that another dispatcher took
/// over is left to that dispatcher.
pub fn renew_leases(
    conn: &mut DbConnection,
    ids: &[&str],
    owner: &str,
    now: NaiveDateTime,
    lease: Duration,
) -> StoreResult<HashSet<String>> {
    crate::db::write_transaction(conn, |conn| {
        let mut ours = HashSet::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mine = deliveries::table
                .filter(deliveries::id.eq_any(chunk))
                .filter(deliveries::status.eq(DeliveryStatus::Bezig))
                .filter(deliveries::lease_owner.eq(owner));
            diesel::update(mine.clone()).set(deliveries::lease_until.eq(Some(now + lease))).execute(conn)?;
            ours.extend(mine.select(deliveries::id).load::<String>(conn)?);
        }
        Ok(ours)
    })
}

/// The server accepted the mail. `false`: the lease was no longer ours; nothing written.
pub fn record_sent(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    message_id: &str,
    reply: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let n = diesel::update(still_ours!(id, owner))
        .set((
            deliveries::status.eq(DeliveryStatus::Verstuurd),
            deliveries::message_id.eq(Some(message_id)),
            deliveries::last_reply.eq(Some(reply)),
            deliveries::sent_at.eq(Some(now)),
            deliveries::lease_until.eq(None::<NaiveDateTime>),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Invitation mails the server accepted, recorded as [`record_sent`] and
/// [`invitations::mark_sent`](crate::repo::invitations::mark_sent) record each, together:
/// each mail (delivery id, message id, server reply) still `owner`'s is marked sent, and with it the
/// invitations it carried (`carried`: delivery id, invitation id — a praktijkopleider's mail also
/// carries the student invitation riding along). Returns the delivery ids that were still ours; the
/// invitations of the others are left alone. Atomic by itself: on PostgreSQL one statement (the
/// dispatcher's recorder needs no transaction around it: one round trip instead of four), on
/// SQLite a transaction.
pub fn record_invitation_mails_sent(
    conn: &mut DbConnection,
    sent: &[(&str, &str, &str)],
    carried: &[(&str, &str)],
    owner: &str,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<HashSet<String>> {
    if sent.is_empty() {
        return Ok(HashSet::new());
    }
    match conn {
        DbConnection::Postgresql(c) => {
            let query = RecordSent {
                ids: sent.iter().map(|s| s.0).collect(),
                message_ids: sent.iter().map(|s| s.1).collect(),
                replies: sent.iter().map(|s| s.2).collect(),
                now,
                owner,
                today,
                carried_by: carried.iter().map(|c| c.0).collect(),
                carried: carried.iter().map(|c| c.1).collect(),
            };
            Ok(query.load::<String>(c)?.into_iter().collect())
        }
        // In process: one statement per mail costs no round trip.
        DbConnection::Sqlite(_) => crate::db::write_transaction(conn, |conn| {
            let mut ours = HashSet::with_capacity(sent.len());
            for (id, mid, reply) in sent {
                if record_sent(conn, id, owner, mid, reply, now)? {
                    ours.insert((*id).to_owned());
                }
            }
            let ids: Vec<&str> = carried.iter().filter(|c| ours.contains(c.0)).map(|c| c.1).collect();
            crate::repo::invitations::mark_sent_many(conn, &ids, today, now)?;
            Ok(ours)
        }),
    }
}

/// The statement of [`record_invitation_mails_sent`] on PostgreSQL, as a query of its own so that
/// the connection keeps it prepared: the recorder runs it for every group of mails, and parsing and
/// planning it anew each time (as a plain SQL query is) cost a third of its time. `status || ''`
/// keeps the status index out of the outbox's update: statistics taken while no mail was `bezig`
/// (as after planning) make the planner walk every `bezig` mail of the run through that index for
/// each group (1.0 ms at 1,000 in flight) instead of looking the group's mails up by id (0.2 ms).
/// The invitations' update sees the rows the outbox's update returned (a data-modifying CTE), so
/// only the invitations of mails still ours are marked.
struct RecordSent<'a> {
    ids: Vec<&'a str>,
    message_ids: Vec<&'a str>,
    replies: Vec<&'a str>,
    now: NaiveDateTime,
    owner: &'a str,
    today: chrono::NaiveDate,
    /// The mail (delivery id) that carried each invitation of `carried`.
    carried_by: Vec<&'a str>,
    carried: Vec<&'a str>,
}

/// The parts of [`RecordSent`]'s SQL that name a status (the rest is written in `walk_ast`).
static RECORD_SENT_SQL: std::sync::LazyLock<[String; 4]> = std::sync::LazyLock::new(|| {
    use bpv_scheduling::InvitationStatus;
    [
        format!(
            "WITH sent AS (UPDATE deliveries d SET status = '{}', message_id = v.mid, last_reply = v.reply, \
             lease_until = NULL, sent_at = ",
            DeliveryStatus::Verstuurd.as_str()
        ),
        format!(
            "::text[]) AS v(id, mid, reply) WHERE d.id = v.id AND (d.status || '') = '{}' AND d.lease_owner = ",
            DeliveryStatus::Bezig.as_str()
        ),
        format!(
            " RETURNING d.id), marked AS (UPDATE invitations i SET status = '{}', sent_on = ",
            InvitationStatus::Verstuurd.as_str()
        ),
        format!(
            "::text[]) AS c(delivery_id, invitation_id) WHERE i.id = c.invitation_id AND i.status = '{}' \
             AND c.delivery_id IN (SELECT id FROM sent)) SELECT id FROM sent",
            InvitationStatus::Gepland.as_str()
        ),
    ]
});

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for RecordSent<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, Date, Text, Timestamp};
        let sql = &*RECORD_SENT_SQL;
        out.push_sql(&sql[0]);
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.ids)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.message_ids)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.replies)?;
        out.push_sql(&sql[1]);
        out.push_bind_param::<Text, _>(&self.owner)?;
        out.push_sql(&sql[2]);
        out.push_bind_param::<Date, _>(&self.today)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.carried_by)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Text>, _>(&self.carried)?;
        out.push_sql(&sql[3]);
        Ok(())
    }
}

impl diesel::query_builder::QueryId for RecordSent<'_> {
    type QueryId = RecordSent<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for RecordSent<'_> {
    type SqlType = diesel::sql_types::Text;
}

impl RunQueryDsl<diesel::PgConnection> for RecordSent<'_> {}

/// A temporary failure: try again at `retry_at`, or give up (`dood`) when `give_up`. `false`: the
/// lease was no longer ours; nothing written.
pub fn record_transient(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    reply: &str,
    retry_at: NaiveDateTime,
    give_up: bool,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let n = diesel::update(still_ours!(id, owner))
        .set((
            deliveries::status.eq(if give_up { DeliveryStatus::Dood } else { DeliveryStatus::Wachtend }),
            deliveries::next_attempt_at.eq(retry_at),
            deliveries::last_reply.eq(Some(reply)),
            deliveries::lease_until.eq(None::<NaiveDateTime>),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// A permanent refusal: the mail failed and the address is never mailed again (the server's
/// refusal holds whoever's lease it is). `false`: the delivery itself was no longer ours.
pub fn record_permanent(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    recipient: &str,
    reply: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let ours = finish_claimed(conn, id, owner, DeliveryStatus::Mislukt, reply, now)?;
        suppress(conn, recipient, reply, now)?;
        // Mails to the same address that are still waiting are skipped.
        diesel::update(
            deliveries::table
                .filter(deliveries::recipient.eq(recipient.to_lowercase()))
                .filter(deliveries::status.eq(DeliveryStatus::Wachtend)),
        )
        .set((
            deliveries::status.eq(DeliveryStatus::Overgeslagen),
            deliveries::last_reply.eq(Some("adres geweigerd door de mailserver")),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(ours)
    })
}

/// Skip a claimed mail (its address is suppressed or its invitation no longer open). `false`: the
/// lease was no longer ours; nothing written.
pub fn record_skipped(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    reason: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    finish_claimed(conn, id, owner, DeliveryStatus::Overgeslagen, reason, now)
}

/// End a claimed mail in a final state with the reason, releasing its lease (only under this
/// owner's lease).
fn finish_claimed(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    status: DeliveryStatus,
    reply: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let n = diesel::update(still_ours!(id, owner))
        .set((
            deliveries::status.eq(status),
            deliveries::last_reply.eq(Some(reply)),
            deliveries::lease_until.eq(None::<NaiveDateTime>),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Never mail this address again (stored lower-cased).
pub fn suppress(conn: &mut DbConnection, email: &str, reason: &str, now: NaiveDateTime) -> StoreResult<()> {
    let email = email.trim().to_lowercase();
    match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(suppressed_addresses::table)
            .values((
                suppressed_addresses::email.eq(&email),
                suppressed_addresses::reason.eq(reason),
                suppressed_addresses::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(suppressed_addresses::table)
            .values((
                suppressed_addresses::email.eq(&email),
                suppressed_addresses::reason.eq(reason),
                suppressed_addresses::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(())
}

/// Which of these addresses are suppressed (compared lower-cased).
pub fn suppressed_among(conn: &mut DbConnection, emails: &[String]) -> StoreResult<HashSet<String>> {
    let lower: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let mut out = HashSet::new();
    for chunk in lower.chunks(CHUNK) {
        let found: Vec<String> = suppressed_addresses::table
            .filter(suppressed_addresses::email.eq_any(chunk))
            .select(suppressed_addresses::email)
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

/// Mails per status.
pub fn status_counts(conn: &mut DbConnection) -> StoreResult<Vec<(String, i64)>> {
    Ok(deliveries::table
        .group_by(deliveries::status)
        .select((deliveries::status, diesel::dsl::count_star()))
        .order(deliveries::status)
        .load(conn)?)
}

/// When the oldest mail that is due now became due.
pub fn oldest_due(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<Option<NaiveDateTime>> {
    Ok(deliveries::table
        .filter(deliveries::status.eq(DeliveryStatus::Wachtend))
        .filter(deliveries::next_attempt_at.le(now))
        .select(diesel::dsl::min(deliveries::next_attempt_at))
        .first(conn)?)
}

/// Put dead mails back in the queue (after the cause was fixed); returns how many.
pub fn retry_dead(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(deliveries::table.filter(deliveries::status.eq(DeliveryStatus::Dood)))
        .set((
            deliveries::status.eq(DeliveryStatus::Wachtend),
            deliveries::attempts.eq(0),
            deliveries::next_attempt_at.eq(now),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?)
}

/// All mails of some invitations (tests, status pages).
pub fn for_invitations(conn: &mut DbConnection, invitation_ids: &[String]) -> StoreResult<Vec<DeliveryRow>> {
    let mut out = Vec::new();
    for chunk in invitation_ids.chunks(CHUNK) {
        out.extend(
            deliveries::table
                .filter(deliveries::invitation_id.eq_any(chunk))
                .select(DeliveryRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Move the waiting mail of an invitation or an assessment request to a new day (its date moved
/// before it went out); returns how many rows moved.
pub fn move_waiting(
    conn: &mut DbConnection,
    onderwerp: &crate::models::Onderwerp,
    day: chrono::NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    use crate::models::Onderwerp;
    let waiting = deliveries::table.filter(deliveries::status.eq(DeliveryStatus::Wachtend)).into_boxed();
    let rows = match onderwerp {
        Onderwerp::Uitnodiging(id) => waiting.filter(deliveries::invitation_id.eq(id.clone())),
        Onderwerp::Beoordelingsverzoek(id) => waiting.filter(deliveries::verzoek_id.eq(id.clone())),
    };
    let ids: Vec<String> = rows.select(deliveries::id).load(conn)?;
    Ok(diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
        .set((deliveries::next_attempt_at.eq(day.and_time(chrono::NaiveTime::MIN)), deliveries::updated_at.eq(now)))
        .execute(conn)?)
}

/// All mails of an assessment request (tests, status pages).
pub fn for_verzoek(conn: &mut DbConnection, verzoek_id: &str) -> StoreResult<Vec<DeliveryRow>> {
    Ok(deliveries::table.filter(deliveries::verzoek_id.eq(verzoek_id)).select(DeliveryRow::as_select()).load(conn)?)
}
