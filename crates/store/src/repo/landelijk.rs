//! The national figures per group as the results engine last published them: the reporting
//! service writes them at every publication, the survey's thank-you page reads them (it holds no
//! results index of its own, and must not compute a figure itself).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreResult;
use crate::schema::landelijke_cijfers;

/// One published national figure: the grade (`code` = `cijfer`) or a theme score.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = landelijke_cijfers)]
pub struct LandelijkCijfer {
    /// `student` or `praktijkopleider`.
    pub groep: String,
    pub code: String,
    pub naam: String,
    /// Display order (the grade first, then the themes in questionnaire order).
    pub volgorde: i32,
    /// Null when the engine withholds it (fewer than k answers).
    pub waarde: Option<f64>,
    pub n: i64,
    /// The period, `jjjj-mm`, inclusive.
    pub van: String,
    pub tot_en_met: String,
    pub gepubliceerd_op: NaiveDateTime,
}

/// Replace a group's figures with `rijen`, in one transaction.
pub fn vervang(conn: &mut DbConnection, groep: &str, rijen: &[LandelijkCijfer]) -> StoreResult<()> {
    conn.transaction(|conn| {
        diesel::delete(landelijke_cijfers::table.filter(landelijke_cijfers::groep.eq(groep))).execute(conn)?;
        for r in rijen {
            diesel::insert_into(landelijke_cijfers::table).values(r).execute(conn)?;
        }
        Ok(())
    })
}

/// A group's figures in display order (empty before the first publication).
pub fn voor_groep(conn: &mut DbConnection, groep: &str) -> StoreResult<Vec<LandelijkCijfer>> {
    Ok(landelijke_cijfers::table
        .filter(landelijke_cijfers::groep.eq(groep))
        .order(landelijke_cijfers::volgorde.asc())
        .select(LandelijkCijfer::as_select())
        .load(conn)?)
}
