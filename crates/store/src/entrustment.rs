//! Entrustments (委托执法): agreements, the brigade's records about each town, town acts under review and
//! handovers. Bodies are JSON; the columns serve lists, scopes and locking.

use domain::Result;
use domain::entrustment::EntrustmentAgreement;
use domain::entrustment::handover::{Handover, HandoverStatus};
use domain::entrustment::oversight::{EntrustmentRecord, ReviewStatus, TownAct};
use domain::org::{OrgId, OrgPath};
use domain::ports::entrustment::{EntrustmentChange, EntrustmentStore};

use crate::engine::{Conn, Row, Value};
use crate::registry::scope_filter;
use crate::rows::{get, json, to_json};
use crate::writer::expect_one;
use crate::{Db, all, one, params};

/// Applies one change.
pub(crate) async fn apply<C: Conn>(conn: &mut C, change: &EntrustmentChange) -> Result<()> {
    match change {
        EntrustmentChange::InsertAgreement(a) => {
            conn.exec(
                "INSERT INTO entrustments (id, brigade_id, town_id, status, starts_on, ends_on, published_at, body, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                params![
                    &a.id,
                    &a.brigade_id.0,
                    &a.town_id.0,
                    a.status.code(),
                    a.starts_on.to_string(),
                    a.ends_on.to_string(),
                    a.published_at.map(|t| t.0),
                    to_json(a)?
                ],
            )
            .await?;
        }
        EntrustmentChange::UpdateAgreement(a) => {
            let n = conn
                .exec(
                    "UPDATE entrustments SET status = $1, published_at = $2, body = $3, version = version + 1 WHERE id = $4 AND version = $5",
                    params![a.status.code(), a.published_at.map(|t| t.0), to_json(a)?, &a.id, a.version],
                )
                .await?;
            expect_one(n, "委托协议")?;
        }
        EntrustmentChange::InsertRecord(r) => {
            conn.exec(
                "INSERT INTO entrustment_records (id, agreement_id, town_id, kind, on_date, created_at, body) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![
                    &r.id,
                    &r.agreement_id,
                    &r.town_id.0,
                    r.kind.code(),
                    r.on.to_string(),
                    r.created_at.0,
                    to_json(r)?
                ],
            )
            .await?;
        }
        EntrustmentChange::InsertTownAct(t) => {
            conn.exec(
                "INSERT INTO town_acts (id, agreement_id, town_id, review, archived_at, done_at, body, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
                params![
                    &t.id,
                    &t.agreement_id,
                    &t.town_id.0,
                    t.review.code(),
                    t.archived_at.map(|x| x.0),
                    t.done_at.0,
                    to_json(t)?
                ],
            )
            .await?;
        }
        EntrustmentChange::UpdateTownAct(t) => {
            let n = conn
                .exec(
                    "UPDATE town_acts SET review = $1, archived_at = $2, body = $3, version = version + 1 WHERE id = $4 AND version = $5",
                    params![t.review.code(), t.archived_at.map(|x| x.0), to_json(t)?, &t.id, t.version],
                )
                .await?;
            expect_one(n, "镇（街道）执法行为")?;
        }
        EntrustmentChange::InsertHandover(h) => {
            conn.exec(
                "INSERT INTO handovers (id, agreement_id, brigade_id, town_id, unit_id, status, submitted_at, body, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                params![
                    &h.id,
                    &h.agreement_id,
                    &h.brigade_id.0,
                    &h.town_id.0,
                    &h.unit_id,
                    h.status.code(),
                    h.submitted_at.0,
                    to_json(h)?
                ],
            )
            .await?;
        }
        EntrustmentChange::UpdateHandover(h) => {
            let n = conn
                .exec(
                    "UPDATE handovers SET status = $1, body = $2, version = version + 1 WHERE id = $3 AND version = $4",
                    params![h.status.code(), to_json(h)?, &h.id, h.version],
                )
                .await?;
            expect_one(n, "移交事项")?;
        }
    }
    Ok(())
}

fn agreement_row(row: &Row<'_>) -> Result<EntrustmentAgreement> {
    let mut a: EntrustmentAgreement = json(row, "body")?;
    a.version = get(row, "version")?;
    Ok(a)
}

fn act_row(row: &Row<'_>) -> Result<TownAct> {
    let mut t: TownAct = json(row, "body")?;
    t.version = get(row, "version")?;
    Ok(t)
}

fn handover_row(row: &Row<'_>) -> Result<Handover> {
    let mut h: Handover = json(row, "body")?;
    h.version = get(row, "version")?;
    Ok(h)
}

fn record_row(row: &Row<'_>) -> Result<EntrustmentRecord> {
    json(row, "body")
}

#[async_trait::async_trait]
impl EntrustmentStore for Db {
    async fn agreement(&self, id: &str) -> Result<Option<EntrustmentAgreement>> {
        let rows =
            self.query("SELECT body, version FROM entrustments WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, agreement_row)
    }

    async fn agreements_in(&self, scopes: &[OrgPath]) -> Result<Vec<EntrustmentAgreement>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        let sql = format!(
            "SELECT e.body, e.version FROM entrustments e JOIN orgs o ON o.id = e.town_id WHERE {range} \
             ORDER BY e.starts_on DESC, e.id DESC LIMIT 500"
        );
        all(&self.query(&sql, p).await?, agreement_row)
    }

    async fn agreements_of_town(&self, town_id: &OrgId) -> Result<Vec<EntrustmentAgreement>> {
        let rows = self
            .query(
                "SELECT body, version FROM entrustments WHERE town_id = CAST($1 AS TEXT) ORDER BY starts_on DESC, id DESC",
                params![&town_id.0],
            )
            .await?;
        all(&rows, agreement_row)
    }

    async fn published_agreements(&self) -> Result<Vec<EntrustmentAgreement>> {
        let rows = self
            .query(
                "SELECT body, version FROM entrustments WHERE published_at IS NOT NULL ORDER BY starts_on DESC, id DESC LIMIT 500",
                vec![],
            )
            .await?;
        all(&rows, agreement_row)
    }

    async fn entrustment_records(&self, agreement_id: &str) -> Result<Vec<EntrustmentRecord>> {
        let rows = self
            .query(
                "SELECT body FROM entrustment_records WHERE agreement_id = CAST($1 AS TEXT) ORDER BY on_date, created_at, id",
                params![agreement_id],
            )
            .await?;
        all(&rows, record_row)
    }

    async fn town_records(&self, town_id: &OrgId) -> Result<Vec<EntrustmentRecord>> {
        let rows = self
            .query(
                "SELECT body FROM entrustment_records WHERE town_id = CAST($1 AS TEXT) ORDER BY on_date, created_at, id",
                params![&town_id.0],
            )
            .await?;
        all(&rows, record_row)
    }

    async fn town_act(&self, id: &str) -> Result<Option<TownAct>> {
        let rows = self.query("SELECT body, version FROM town_acts WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, act_row)
    }

    async fn town_acts(
        &self,
        scopes: &[OrgPath],
        review: Option<ReviewStatus>,
        agreement_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TownAct>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        let mut sql =
            format!("SELECT t.body, t.version FROM town_acts t JOIN orgs o ON o.id = t.town_id WHERE {range}");
        if let Some(r) = review {
            p.push(Value::Text(r.code().into()));
            sql.push_str(&format!(" AND t.review = ${}", p.len()));
        }
        if let Some(a) = agreement_id {
            p.push(Value::Text(a.into()));
            sql.push_str(&format!(" AND t.agreement_id = ${}", p.len()));
        }
        p.push(Value::Int(i64::from(limit.clamp(1, 1000))));
        sql.push_str(&format!(" ORDER BY t.done_at DESC, t.id DESC LIMIT ${}", p.len()));
        all(&self.query(&sql, p).await?, act_row)
    }

    async fn handover(&self, id: &str) -> Result<Option<Handover>> {
        let rows = self.query("SELECT body, version FROM handovers WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, handover_row)
    }

    async fn handovers(&self, scopes: &[OrgPath], status: Option<HandoverStatus>, limit: u32) -> Result<Vec<Handover>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        let mut sql =
            format!("SELECT h.body, h.version FROM handovers h JOIN orgs o ON o.id = h.town_id WHERE {range}");
        if let Some(s) = status {
            p.push(Value::Text(s.code().into()));
            sql.push_str(&format!(" AND h.status = ${}", p.len()));
        }
        p.push(Value::Int(i64::from(limit.clamp(1, 1000))));
        sql.push_str(&format!(" ORDER BY h.submitted_at DESC, h.id DESC LIMIT ${}", p.len()));
        all(&self.query(&sql, p).await?, handover_row)
    }
}
