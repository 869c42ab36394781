//! `bpv admin audit`: the audit log as a table or JSON lines.

use super::*;

pub(super) fn audit_log(conn: &mut DbConnection, args: AuditArgs) -> Result<(), CliError> {
    let brin = args.instelling.as_deref().map(parse_brin).transpose()?;
    let since = args
        .since
        .as_deref()
        .map(|s| bpvo::parse_iso_date(s).map_err(|e| invalid("--since", &e)))
        .transpose()?
        .map(|d| d.and_time(chrono::NaiveTime::MIN));
    if !(1..=100_000).contains(&args.limit) {
        return Err(bad("--limit: tussen 1 en 100000"));
    }
    let mut rows = audit::list(conn, brin.as_ref().map(|b| b.as_str()), since, args.limit)?;
    rows.reverse();
    if crate::output::json() {
        for r in &rows {
            let detail: serde_json::Value =
                serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::String(r.detail.clone()));
            println!(
                "{}",
                json!({
                    "tijd": r.at.and_utc().to_rfc3339(), "wie": { "soort": r.actor_kind, "id": r.actor_id },
                    "instelling": r.brin, "actie": r.action, "rijen": r.row_count, "detail": detail,
                })
            );
        }
        return Ok(());
    }
    if rows.is_empty() {
        println!("geen regels in het auditlog voor deze selectie");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                format!("{}:{}", r.actor_kind, r.actor_id),
                r.brin.clone().unwrap_or_else(|| "—".into()),
                r.action.clone(),
                r.row_count.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                r.detail.clone(),
            ]
        })
        .collect();
    table(&["tijd (UTC)", "wie", "instelling", "actie", "rijen", "detail"], &cells);
    if rows.len() as i64 == args.limit {
        println!("(de laatste {} regels; --limit of --since voor meer of minder)", args.limit);
    }
    Ok(())
}
