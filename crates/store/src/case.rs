//! Penalty cases and the publications of their decisions.

use domain::Result;
use domain::org::OrgPath;
use domain::penalty::case::{Case, CaseStatus};
use domain::penalty::publication::{Publication, PublicationStatus};
use domain::ports::case::{CaseChange, CaseQuery, CaseStore};

use crate::engine::{Conn, Row, Value};
use crate::registry::scope_filter;
use crate::rows::{get, json, to_json};
use crate::writer::expect_one;
use crate::{Db, all, one, params};

/// Officer ids as stored for `LIKE '%,id,%'` lookups.
fn handler_ids(c: &Case) -> String {
    format!(",{},", c.handlers.iter().map(|h| h.id.as_str()).collect::<Vec<_>>().join(","))
}

/// What the portal's search reads: the published (already redacted) texts, lower-cased.
fn search_text(p: &Publication) -> String {
    let c = &p.content;
    format!("{} {} {} {} {} {}", c.number, c.party, c.credit_code, c.title, c.basis, c.agency).to_lowercase()
}

/// Applies one change.
pub(crate) async fn apply<C: Conn>(conn: &mut C, change: &CaseChange) -> Result<()> {
    match change {
        CaseChange::InsertCase { case: c, party_sealed } => {
            conn.exec(
                "INSERT INTO cases (id, org_id, unit_id, status, procedure, handler_ids, party_sealed, created_at, body, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
                params![
                    &c.id,
                    &c.org_id.0,
                    c.party.unit_id.clone(),
                    c.status.code(),
                    c.procedure.code(),
                    handler_ids(c),
                    party_sealed,
                    c.created_at.0,
                    to_json(c)?
                ],
            )
            .await?;
        }
        CaseChange::UpdateCase(c) => {
            let n = conn
                .exec(
                    "UPDATE cases SET status = $1, handler_ids = $2, body = $3, version = version + 1 WHERE id = $4 AND version = $5",
                    params![c.status.code(), handler_ids(c), to_json(c)?, &c.id, c.version],
                )
                .await?;
            expect_one(n, "案件")?;
        }
        CaseChange::InsertPublication(p) => {
            conn.exec(
                "INSERT INTO case_publications (id, case_id, org_id, status, published_at, search, body, version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
                params![
                    &p.id,
                    &p.case_id,
                    &p.org_id.0,
                    p.status.code(),
                    p.published_at.map(|t| t.0),
                    search_text(p),
                    to_json(p)?,
                    p.created_at.0
                ],
            )
            .await?;
        }
        CaseChange::UpdatePublication(p) => {
            let n = conn
                .exec(
                    "UPDATE case_publications SET status = $1, published_at = $2, search = $3, body = $4, version = version + 1 \
                     WHERE id = $5 AND version = $6",
                    params![p.status.code(), p.published_at.map(|t| t.0), search_text(p), to_json(p)?, &p.id, p.version],
                )
                .await?;
            expect_one(n, "处罚决定公示")?;
        }
    }
    Ok(())
}

fn case_row(row: &Row<'_>) -> Result<Case> {
    let mut c: Case = json(row, "body")?;
    c.version = get(row, "version")?;
    Ok(c)
}

fn publication_row(row: &Row<'_>) -> Result<Publication> {
    let mut p: Publication = json(row, "body")?;
    p.status = PublicationStatus::parse(&get::<String>(row, "status")?)?;
    p.version = get(row, "version")?;
    Ok(p)
}

#[async_trait::async_trait]
impl CaseStore for Db {
    async fn case(&self, id: &str) -> Result<Option<Case>> {
        one(&self.query("SELECT body, version FROM cases WHERE id = CAST($1 AS TEXT)", params![id]).await?, case_row)
    }

    async fn case_party_sealed(&self, id: &str) -> Result<Option<String>> {
        let rows = self.query("SELECT party_sealed FROM cases WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, |r| get::<String>(r, "party_sealed"))
    }

    async fn cases(&self, q: &CaseQuery) -> Result<Vec<Case>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", &q.scopes, &mut p) else { return Ok(Vec::new()) };
        let mut sql = format!("SELECT c.body, c.version FROM cases c JOIN orgs o ON o.id = c.org_id WHERE {range}");
        if !q.statuses.is_empty() {
            let mut marks = Vec::new();
            for s in &q.statuses {
                p.push(Value::Text(s.code().into()));
                marks.push(format!("${}", p.len()));
            }
            sql.push_str(&format!(" AND c.status IN ({})", marks.join(", ")));
        }
        if let Some(u) = &q.unit_id {
            p.push(Value::Text(u.clone()));
            sql.push_str(&format!(" AND c.unit_id = ${}", p.len()));
        }
        if let Some(h) = &q.handler_id {
            p.push(Value::Text(format!("%,{h},%")));
            sql.push_str(&format!(" AND c.handler_ids LIKE ${}", p.len()));
        }
        p.push(Value::Int(i64::from(q.limit.clamp(1, 500))));
        sql.push_str(&format!(" ORDER BY c.created_at DESC, c.id DESC LIMIT ${}", p.len()));
        all(&self.query(&sql, p).await?, case_row)
    }

    async fn case_counts(&self, scopes: &[OrgPath]) -> Result<Vec<(CaseStatus, u64)>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        let sql = format!(
            "SELECT c.status, COUNT(*) AS n FROM cases c JOIN orgs o ON o.id = c.org_id WHERE {range} GROUP BY c.status"
        );
        all(&self.query(&sql, p).await?, |r| {
            Ok((CaseStatus::parse(&get::<String>(r, "status")?)?, get::<i64>(r, "n")? as u64))
        })
    }

    async fn publication(&self, id: &str) -> Result<Option<Publication>> {
        let rows = self
            .query("SELECT status, body, version FROM case_publications WHERE id = CAST($1 AS TEXT)", params![id])
            .await?;
        one(&rows, publication_row)
    }

    async fn publication_of_case(&self, case_id: &str) -> Result<Option<Publication>> {
        let rows = self
            .query(
                "SELECT status, body, version FROM case_publications WHERE case_id = CAST($1 AS TEXT)",
                params![case_id],
            )
            .await?;
        one(&rows, publication_row)
    }

    async fn publications_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Publication>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        p.push(Value::Int(i64::from(limit.clamp(1, 500))));
        let sql = format!(
            "SELECT x.status, x.body, x.version FROM case_publications x JOIN orgs o ON o.id = x.org_id WHERE {range} \
             ORDER BY x.created_at DESC LIMIT ${}",
            p.len()
        );
        all(&self.query(&sql, p).await?, publication_row)
    }

    async fn public_decisions(&self, text: Option<&str>, limit: u32, offset: u32) -> Result<(Vec<Publication>, u64)> {
        let mut p: Vec<Value> = Vec::new();
        let mut filter = String::from("status = 'published'");
        if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
            // LIKE wildcards typed by the public are taken literally.
            let escaped = t.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            p.push(Value::Text(format!("%{escaped}%")));
            filter.push_str(&format!(" AND search LIKE ${} ESCAPE '\\'", p.len()));
        }
        let count_rows =
            self.query(&format!("SELECT COUNT(*) AS n FROM case_publications WHERE {filter}"), p.clone()).await?;
        let total = one(&count_rows, |r| get::<i64>(r, "n"))?.unwrap_or(0) as u64;
        p.push(Value::Int(i64::from(limit.clamp(1, 100))));
        p.push(Value::Int(i64::from(offset)));
        let sql = format!(
            "SELECT status, body, version FROM case_publications WHERE {filter} ORDER BY published_at DESC, id DESC LIMIT ${} OFFSET ${}",
            p.len() - 1,
            p.len()
        );
        Ok((all(&self.query(&sql, p).await?, publication_row)?, total))
    }
}
