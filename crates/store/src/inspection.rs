//! Inspections and what follows them: hazards, evidence, collective decisions, measures, numbered
//! documents, due dates and alerts.

use chrono::NaiveDate;
use domain::collective::CollectiveDecision;
use domain::document::{DocStatus, Document};
use domain::evidence::Evidence;
use domain::inspection::exposure::Exposure;
use domain::inspection::hazard::{Escalation, Hazard, HazardStatus};
use domain::inspection::major_hazard::Determination;
use domain::inspection::record::Inspection;
use domain::inspection::sealing::Measure;
use domain::org::OrgPath;
use domain::ports::inspection::{
    Alert, DOC_NUMBER_TAKEN, Deadline, DeadlineQuery, InspectionChange, InspectionQuery, InspectionStore,
};
use domain::time::Timestamp;
use domain::{DomainError, Result};

use crate::engine::{Conn, Row, Value};
use crate::registry::scope_filter;
use crate::rows::{date, get, json, to_json};
use crate::writer::expect_one;
use crate::{Db, all, one, params};

fn opt_date(d: Option<NaiveDate>) -> Value {
    Value::from(d.map(|d| d.to_string()))
}

fn read_opt_date(row: &Row<'_>, col: &str) -> Result<Option<NaiveDate>> {
    get::<Option<String>>(row, col)?.map(|s| date(&s)).transpose()
}

/// Renders the JSON bodies `change` stores, in the order [`apply`] writes them (before the writer, on the
/// caller's thread).
pub(crate) fn render(change: &InspectionChange, bodies: &mut Vec<String>) -> Result<()> {
    if let InspectionChange::InsertInspection { inspection, hazards } = change {
        bodies.push(to_json(inspection)?);
        for h in hazards {
            bodies.push(to_json(h)?);
        }
    }
    Ok(())
}

/// Applies one change, taking the bodies [`render`] made for it from `bodies`.
pub(crate) async fn apply<C: Conn>(
    conn: &mut C,
    change: &InspectionChange,
    bodies: &mut std::slice::Iter<'_, String>,
) -> Result<()> {
    let mut body = || bodies.next().cloned().ok_or_else(|| DomainError::internal("body not rendered"));
    match change {
        InspectionChange::InsertInspection { inspection: i, hazards } => {
            let officer_ids = format!(",{},", i.officers.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(","));
            conn.exec(
                "INSERT INTO inspections (id, org_id, unit_id, kind, task_id, reinspection_of, started_at, officer_ids, body, \
                 created_by, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
                params![
                    &i.id,
                    &i.org_id.0,
                    &i.unit_id,
                    i.kind.code(),
                    i.task_id.clone(),
                    i.reinspection_of.clone(),
                    i.started_at.0,
                    officer_ids,
                    body()?,
                    &i.created_by,
                    i.created_at.0
                ],
            )
            .await?;
            for h in hazards {
                conn.exec(
                    "INSERT INTO hazards (id, inspection_id, org_id, unit_id, status, found_on, deadline, applied_on, order_doc_id, \
                     closed_by, closed_at, escalation, body, version) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9, NULL, $10, 1)",
                    params![
                        &h.id,
                        &h.inspection_id,
                        &h.org_id.0,
                        &h.unit_id,
                        h.status.code(),
                        h.found_on.to_string(),
                        opt_date(h.deadline),
                        h.closed_by.clone(),
                        h.closed_at.map(|t| t.0),
                        body()?
                    ],
                )
                .await?;
            }
        }
        InspectionChange::HazardOutcome(o) => {
            let n = conn
                .exec(
                    "UPDATE hazards SET status = $1, escalation = $2, closed_by = $3, closed_at = $4, version = version + 1 \
                     WHERE id = $5 AND version = $6 AND status = 'open'",
                    params![
                        o.status.code(),
                        o.escalation.map(|e| e.code()),
                        o.closed_by.clone(),
                        o.at.0,
                        &o.hazard_id,
                        o.expected_version
                    ],
                )
                .await?;
            expect_one(n, "隐患")?;
        }
        InspectionChange::HazardApplied { hazard_id, on } => {
            let n = conn
                .exec(
                    "UPDATE hazards SET applied_on = $1, version = version + 1 WHERE id = $2 AND status = 'open'",
                    params![on.to_string(), hazard_id],
                )
                .await?;
            expect_one(n, "隐患")?;
        }
        InspectionChange::HazardsOrdered { hazard_ids, doc_id } => {
            for h in hazard_ids {
                conn.exec("UPDATE hazards SET order_doc_id = $1 WHERE id = $2", params![doc_id, h]).await?;
            }
        }
        InspectionChange::AttachEvidence { evidence_ids, owner_type, owner_id } => {
            for e in evidence_ids {
                // Only files not yet attached to something else (uploaded for this record).
                let n = conn
                    .exec(
                        "UPDATE evidence SET owner_type = $1, owner_id = $2 WHERE id = $3 AND owner_type = 'pending'",
                        params![owner_type, owner_id, e],
                    )
                    .await?;
                expect_one(n, "证据文件")?;
            }
        }
        InspectionChange::InsertEvidence(e) => {
            conn.exec(
                "INSERT INTO evidence (id, owner_type, owner_id, kind, name, mime, size, sm3, storage_key, caption, created_by, created_at, \
                 print_key, print_sm3) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                params![
                    &e.id,
                    &e.owner_type,
                    &e.owner_id,
                    e.kind.code(),
                    &e.name,
                    &e.mime,
                    e.size,
                    &e.sm3,
                    &e.storage_key,
                    &e.caption,
                    &e.created_by,
                    e.created_at.0,
                    e.print_copy.as_ref().map(|(k, _)| k.clone()),
                    e.print_copy.as_ref().map(|(_, h)| h.clone())
                ],
            )
            .await?;
        }
        InspectionChange::InsertDecision(d) => {
            conn.exec(
                "INSERT INTO collective_decisions (id, org_id, subject_type, subject_id, held_at, body, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![&d.id, &d.org_id.0, &d.subject_type, &d.subject_id, d.held_at.0, to_json(d)?, &d.created_by],
            )
            .await?;
        }
        InspectionChange::InsertExposure(e) => {
            conn.exec(
                "INSERT INTO hazard_exposures (id, org_id, unit_id, hazard_id, status, published_at, body, version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
                params![&e.id, &e.org_id.0, &e.unit_id, &e.hazard_id, e.status.code(), e.published_at.map(|t| t.0), to_json(e)?, e.created_at.0],
            )
            .await?;
        }
        InspectionChange::UpdateExposure(e) => {
            let n = conn
                .exec(
                    "UPDATE hazard_exposures SET status = $1, published_at = $2, body = $3, version = version + 1 WHERE id = $4 AND version = $5",
                    params![e.status.code(), e.published_at.map(|t| t.0), to_json(e)?, &e.id, e.version],
                )
                .await?;
            expect_one(n, "隐患曝光")?;
        }
        InspectionChange::InsertMajor(m) => {
            conn.exec(
                "INSERT INTO major_hazards (id, org_id, unit_id, inspection_id, status, body, version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
                params![&m.id, &m.org_id.0, &m.unit_id, &m.inspection_id, m.status.code(), to_json(m)?, m.created_at.0],
            )
            .await?;
        }
        InspectionChange::UpdateMajor(m) => {
            let n = conn
                .exec(
                    "UPDATE major_hazards SET status = $1, body = $2, version = version + 1 WHERE id = $3 AND version = $4",
                    params![m.status.code(), to_json(m)?, &m.id, m.version],
                )
                .await?;
            expect_one(n, "重大火灾隐患")?;
        }
        InspectionChange::InsertMeasure(m) => {
            conn.exec(
                "INSERT INTO measures (id, org_id, unit_id, kind, status, started_at, body, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
                params![&m.id, &m.org_id.0, &m.unit_id, m.kind.code(), m.status.code(), m.started_at.0, to_json(m)?],
            )
            .await?;
        }
        InspectionChange::UpdateMeasure(m) => {
            let n = conn
                .exec(
                    "UPDATE measures SET status = $1, body = $2, version = version + 1 WHERE id = $3 AND version = $4",
                    params![m.status.code(), to_json(m)?, &m.id, m.version],
                )
                .await?;
            expect_one(n, "强制措施")?;
        }
        InspectionChange::IssueDocument(d) => {
            // The number must be the next of its series: claim it, or fail and let the service retry.
            let claimed = if d.seq == 1 {
                conn.exec(
                    "INSERT INTO doc_counters (org_id, doc_type, year, next_seq) VALUES ($1, $2, $3, 2) ON CONFLICT DO NOTHING",
                    params![&d.org_id.0, d.doc_type.code(), i64::from(d.year)],
                )
                .await?
            } else {
                conn.exec(
                    "UPDATE doc_counters SET next_seq = next_seq + 1 WHERE org_id = $1 AND doc_type = $2 AND year = $3 AND next_seq = $4",
                    params![&d.org_id.0, d.doc_type.code(), i64::from(d.year), d.seq],
                )
                .await?
            };
            if claimed != 1 {
                return Err(DomainError::Conflict(DOC_NUMBER_TAKEN.into()));
            }
            conn.exec(
                "INSERT INTO documents (id, org_id, doc_type, year, seq, number, subject_type, subject_id, unit_id, status, served_at, \
                 service_method, receiver, body, issued_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, '', '', $11, $12, 1)",
                params![
                    &d.id,
                    &d.org_id.0,
                    d.doc_type.code(),
                    i64::from(d.year),
                    d.seq,
                    d.number.as_str(),
                    &d.subject_type,
                    &d.subject_id,
                    &d.unit_id,
                    d.status.code(),
                    to_json(d)?,
                    d.issued_at.0
                ],
            )
            .await?;
        }
        InspectionChange::ServeDocument { id, expected_version, at, method, receiver } => {
            let n = conn
                .exec(
                    "UPDATE documents SET status = 'served', served_at = $1, service_method = $2, receiver = $3, version = version + 1 \
                     WHERE id = $4 AND version = $5 AND status = 'issued'",
                    params![at.0, method, receiver, id, *expected_version],
                )
                .await?;
            expect_one(n, "文书")?;
        }
        InspectionChange::InsertDeadlines(list) => {
            for d in list {
                conn.exec(
                    "INSERT INTO deadlines (id, org_id, subject_type, subject_id, unit_id, unit_name, assignee_id, rule_code, due_on, \
                     due_at, status, met_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', NULL, $11)",
                    params![
                        &d.id,
                        &d.org_id,
                        &d.subject_type,
                        &d.subject_id,
                        &d.unit_id,
                        &d.unit_name,
                        d.assignee_id.clone(),
                        &d.rule_code,
                        d.due_on.to_string(),
                        d.due_at.map(|t| t.0),
                        d.created_at.0
                    ],
                )
                .await?;
            }
        }
        InspectionChange::MeetDeadlines { subject_id, rule_codes, at } => {
            if rule_codes.is_empty() {
                conn.exec(
                    "UPDATE deadlines SET status = 'met', met_at = $1 WHERE subject_id = $2 AND status = 'open'",
                    params![at.0, subject_id],
                )
                .await?;
            } else {
                for r in rule_codes {
                    conn.exec(
                        "UPDATE deadlines SET status = 'met', met_at = $1 WHERE subject_id = $2 AND rule_code = $3 AND status = 'open'",
                        params![at.0, subject_id, r],
                    )
                    .await?;
                }
            }
        }
        InspectionChange::InsertAlerts(list) => {
            for a in list {
                conn.exec(
                    "INSERT INTO alerts (id, user_id, deadline_id, kind, message, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, NULL) \
                     ON CONFLICT DO NOTHING",
                    params![&a.id, &a.user_id, &a.deadline_id, &a.kind, &a.message, a.created_at.0],
                )
                .await?;
            }
        }
        InspectionChange::ReadAlert { id, user_id, at } => {
            conn.exec(
                "UPDATE alerts SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
                params![at.0, id, user_id],
            )
            .await?;
        }
    }
    Ok(())
}

fn inspection(row: &Row<'_>) -> Result<Inspection> {
    let mut i: Inspection = json(row, "body")?;
    i.version = get(row, "version")?;
    Ok(i)
}

fn hazard(row: &Row<'_>) -> Result<Hazard> {
    let mut h: Hazard = json(row, "body")?;
    h.status = HazardStatus::parse(&get::<String>(row, "status")?)?;
    h.applied_on = read_opt_date(row, "applied_on")?;
    h.order_doc_id = get(row, "order_doc_id")?;
    h.closed_by = get(row, "closed_by")?;
    h.closed_at = get::<Option<i64>>(row, "closed_at")?.map(Timestamp);
    h.escalation = get::<Option<String>>(row, "escalation")?.map(|e| Escalation::parse(&e)).transpose()?;
    h.version = get(row, "version")?;
    Ok(h)
}

const HAZARD_COLUMNS: &str =
    "h.status, h.applied_on, h.order_doc_id, h.closed_by, h.closed_at, h.escalation, h.body, h.version";

fn evidence(row: &Row<'_>) -> Result<Evidence> {
    Ok(Evidence {
        id: get(row, "id")?,
        owner_type: get(row, "owner_type")?,
        owner_id: get(row, "owner_id")?,
        kind: domain::evidence::EvidenceKind::parse(&get::<String>(row, "kind")?)?,
        name: get(row, "name")?,
        mime: get(row, "mime")?,
        size: get(row, "size")?,
        sm3: get(row, "sm3")?,
        storage_key: get(row, "storage_key")?,
        caption: get(row, "caption")?,
        print_copy: match (get::<Option<String>>(row, "print_key")?, get::<Option<String>>(row, "print_sm3")?) {
            (Some(k), Some(h)) => Some((k, h)),
            _ => None,
        },
        created_by: get(row, "created_by")?,
        created_at: Timestamp(get(row, "created_at")?),
    })
}

const EVIDENCE_COLUMNS: &str = "id, owner_type, owner_id, kind, name, mime, size, sm3, storage_key, caption, created_by, created_at, print_key, print_sm3";

fn measure(row: &Row<'_>) -> Result<Measure> {
    let mut m: Measure = json(row, "body")?;
    m.version = get(row, "version")?;
    Ok(m)
}

fn exposure(row: &Row<'_>) -> Result<Exposure> {
    let mut e: Exposure = json(row, "body")?;
    e.version = get(row, "version")?;
    Ok(e)
}

fn major(row: &Row<'_>) -> Result<Determination> {
    let mut m: Determination = json(row, "body")?;
    m.version = get(row, "version")?;
    Ok(m)
}

fn document(row: &Row<'_>) -> Result<Document> {
    let mut d: Document = json(row, "body")?;
    d.status = DocStatus::parse(&get::<String>(row, "status")?)?;
    d.served_at = get::<Option<i64>>(row, "served_at")?.map(Timestamp);
    d.service_method = get(row, "service_method")?;
    d.receiver = get(row, "receiver")?;
    d.version = get(row, "version")?;
    Ok(d)
}

const DOCUMENT_COLUMNS: &str = "status, served_at, service_method, receiver, body, version";

fn deadline(row: &Row<'_>) -> Result<Deadline> {
    Ok(Deadline {
        id: get(row, "id")?,
        org_id: get(row, "org_id")?,
        org_path: get(row, "org_path")?,
        subject_type: get(row, "subject_type")?,
        subject_id: get(row, "subject_id")?,
        unit_id: get(row, "unit_id")?,
        unit_name: get(row, "unit_name")?,
        assignee_id: get(row, "assignee_id")?,
        rule_code: get(row, "rule_code")?,
        due_on: date(&get::<String>(row, "due_on")?)?,
        due_at: get::<Option<i64>>(row, "due_at")?.map(Timestamp),
        status: get(row, "status")?,
        met_at: get::<Option<i64>>(row, "met_at")?.map(Timestamp),
        created_at: Timestamp(get(row, "created_at")?),
    })
}

const DEADLINE_COLUMNS: &str = "d.id, d.org_id, o.path AS org_path, d.subject_type, d.subject_id, d.unit_id, d.unit_name, \
    d.assignee_id, d.rule_code, d.due_on, d.due_at, d.status, d.met_at, d.created_at";

fn alert(row: &Row<'_>) -> Result<Alert> {
    Ok(Alert {
        id: get(row, "id")?,
        user_id: get(row, "user_id")?,
        deadline_id: get(row, "deadline_id")?,
        kind: get(row, "kind")?,
        message: get(row, "message")?,
        created_at: Timestamp(get(row, "created_at")?),
        read_at: get::<Option<i64>>(row, "read_at")?.map(Timestamp),
    })
}

#[async_trait::async_trait]
impl InspectionStore for Db {
    async fn inspection(&self, id: &str) -> Result<Option<Inspection>> {
        one(
            &self.query("SELECT body, version FROM inspections WHERE id = CAST($1 AS TEXT)", params![id]).await?,
            inspection,
        )
    }

    async fn inspections(&self, q: &InspectionQuery) -> Result<Vec<Inspection>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", &q.scopes, &mut p) else { return Ok(Vec::new()) };
        let mut sql =
            format!("SELECT i.body, i.version FROM inspections i JOIN orgs o ON o.id = i.org_id WHERE {range}");
        if let Some(u) = &q.unit_id {
            p.push(Value::Text(u.clone()));
            sql.push_str(&format!(" AND i.unit_id = ${}", p.len()));
        }
        if let Some(o) = &q.officer_id {
            p.push(Value::Text(format!("%,{o},%")));
            sql.push_str(&format!(" AND i.officer_ids LIKE ${}", p.len()));
        }
        p.push(Value::Int(i64::from(q.limit.clamp(1, 500))));
        sql.push_str(&format!(" ORDER BY i.started_at DESC, i.id DESC LIMIT ${}", p.len()));
        all(&self.query(&sql, p).await?, inspection)
    }

    async fn hazard(&self, id: &str) -> Result<Option<Hazard>> {
        let sql = format!("SELECT {HAZARD_COLUMNS} FROM hazards h WHERE h.id = CAST($1 AS TEXT)");
        one(&self.query(&sql, params![id]).await?, hazard)
    }

    async fn hazards_of_inspection(&self, inspection_id: &str) -> Result<Vec<Hazard>> {
        let sql =
            format!("SELECT {HAZARD_COLUMNS} FROM hazards h WHERE h.inspection_id = CAST($1 AS TEXT) ORDER BY h.id");
        all(&self.query(&sql, params![inspection_id]).await?, hazard)
    }

    async fn hazards_closed_by(&self, inspection_id: &str) -> Result<Vec<Hazard>> {
        let sql = format!(
            "SELECT {HAZARD_COLUMNS} FROM hazards h WHERE h.closed_by = CAST($1 AS TEXT) ORDER BY h.found_on, h.id"
        );
        all(&self.query(&sql, params![inspection_id]).await?, hazard)
    }

    async fn open_hazards_of_unit(&self, unit_id: &str) -> Result<Vec<Hazard>> {
        let sql = format!(
            "SELECT {HAZARD_COLUMNS} FROM hazards h WHERE h.unit_id = CAST($1 AS TEXT) AND h.status = 'open' ORDER BY h.deadline, h.id"
        );
        all(&self.query(&sql, params![unit_id]).await?, hazard)
    }

    async fn hazards_in(&self, scopes: &[OrgPath], status: Option<HazardStatus>, limit: u32) -> Result<Vec<Hazard>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        let mut sql = format!("SELECT {HAZARD_COLUMNS} FROM hazards h JOIN orgs o ON o.id = h.org_id WHERE {range}");
        if let Some(s) = status {
            p.push(Value::Text(s.code().into()));
            sql.push_str(&format!(" AND h.status = ${}", p.len()));
        }
        p.push(Value::Int(i64::from(limit.clamp(1, 1000))));
        sql.push_str(&format!(" ORDER BY h.found_on DESC, h.id DESC LIMIT ${}", p.len()));
        all(&self.query(&sql, p).await?, hazard)
    }

    async fn evidence_of(&self, owner_type: &str, owner_id: &str) -> Result<Vec<Evidence>> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE owner_type = CAST($1 AS TEXT) AND owner_id = CAST($2 AS TEXT) ORDER BY created_at, id"
        );
        all(&self.query(&sql, params![owner_type, owner_id]).await?, evidence)
    }

    async fn evidence(&self, id: &str) -> Result<Option<Evidence>> {
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id = CAST($1 AS TEXT)");
        one(&self.query(&sql, params![id]).await?, evidence)
    }

    async fn decision(&self, id: &str) -> Result<Option<CollectiveDecision>> {
        let rows = self.query("SELECT body FROM collective_decisions WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, |r| json(r, "body"))
    }

    async fn measure(&self, id: &str) -> Result<Option<Measure>> {
        one(&self.query("SELECT body, version FROM measures WHERE id = CAST($1 AS TEXT)", params![id]).await?, measure)
    }

    async fn measures_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Measure>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        p.push(Value::Int(i64::from(limit.clamp(1, 500))));
        let sql = format!(
            "SELECT m.body, m.version FROM measures m JOIN orgs o ON o.id = m.org_id WHERE {range} ORDER BY m.started_at DESC LIMIT ${}",
            p.len()
        );
        all(&self.query(&sql, p).await?, measure)
    }

    async fn unit_hazard_counts(&self, unit_id: &str, since: NaiveDate) -> Result<(u32, u32)> {
        let since_ms = Timestamp::start_of_local_day(since).0;
        let rows = self
            .query(
                "SELECT (SELECT COUNT(*) FROM hazards WHERE unit_id = CAST($1 AS TEXT) AND found_on >= CAST($2 AS TEXT)) AS hazards, \
                 (SELECT COUNT(*) FROM major_hazards WHERE unit_id = CAST($1 AS TEXT) AND status <> 'not_major' AND created_at >= $3) AS majors",
                params![unit_id, since.to_string(), since_ms],
            )
            .await?;
        let r = rows.first().ok_or_else(|| DomainError::internal("count row"))?;
        Ok((get::<i64>(&r, "hazards")? as u32, get::<i64>(&r, "majors")? as u32))
    }

    async fn exposure(&self, id: &str) -> Result<Option<Exposure>> {
        let rows =
            self.query("SELECT body, version FROM hazard_exposures WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, exposure)
    }

    async fn exposures_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Exposure>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        p.push(Value::Int(i64::from(limit.clamp(1, 500))));
        let sql = format!(
            "SELECT e.body, e.version FROM hazard_exposures e JOIN orgs o ON o.id = e.org_id WHERE {range} ORDER BY e.created_at DESC LIMIT ${}",
            p.len()
        );
        all(&self.query(&sql, p).await?, exposure)
    }

    async fn public_exposures(&self, limit: u32) -> Result<Vec<Exposure>> {
        let rows = self
            .query(
                "SELECT body, version FROM hazard_exposures WHERE status = 'published' ORDER BY published_at DESC LIMIT $1",
                params![i64::from(limit.clamp(1, 500))],
            )
            .await?;
        all(&rows, exposure)
    }

    async fn major(&self, id: &str) -> Result<Option<Determination>> {
        let rows =
            self.query("SELECT body, version FROM major_hazards WHERE id = CAST($1 AS TEXT)", params![id]).await?;
        one(&rows, major)
    }

    async fn majors_in(&self, scopes: &[OrgPath], limit: u32) -> Result<Vec<Determination>> {
        let mut p = Vec::new();
        let Some(range) = scope_filter("o.path", scopes, &mut p) else { return Ok(Vec::new()) };
        p.push(Value::Int(i64::from(limit.clamp(1, 500))));
        let sql = format!(
            "SELECT m.body, m.version FROM major_hazards m JOIN orgs o ON o.id = m.org_id WHERE {range} ORDER BY m.created_at DESC LIMIT ${}",
            p.len()
        );
        all(&self.query(&sql, p).await?, major)
    }

    async fn document(&self, id: &str) -> Result<Option<Document>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = CAST($1 AS TEXT)");
        one(&self.query(&sql, params![id]).await?, document)
    }

    async fn documents_of(&self, subject_id: &str) -> Result<Vec<Document>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE subject_id = CAST($1 AS TEXT) ORDER BY issued_at, seq"
        );
        all(&self.query(&sql, params![subject_id]).await?, document)
    }

    async fn next_doc_seq(&self, org_id: &str, doc_type: &str, year: i32) -> Result<i64> {
        let rows = self
            .query(
                "SELECT next_seq FROM doc_counters WHERE org_id = CAST($1 AS TEXT) AND doc_type = CAST($2 AS TEXT) AND year = $3",
                params![org_id, doc_type, i64::from(year)],
            )
            .await?;
        Ok(one(&rows, |r| get::<i64>(r, "next_seq"))?.unwrap_or(1))
    }

    async fn deadlines(&self, q: &DeadlineQuery) -> Result<Vec<Deadline>> {
        let mut p = Vec::new();
        let range = if q.everywhere {
            "1 = 1".to_string()
        } else {
            let Some(range) = scope_filter("o.path", &q.scopes, &mut p) else { return Ok(Vec::new()) };
            range
        };
        let mut sql =
            format!("SELECT {DEADLINE_COLUMNS} FROM deadlines d JOIN orgs o ON o.id = d.org_id WHERE {range}");
        if q.open_only {
            sql.push_str(" AND d.status = 'open'");
        }
        if let Some(a) = &q.assignee {
            p.push(Value::Text(a.clone()));
            sql.push_str(&format!(" AND d.assignee_id = ${}", p.len()));
        }
        if let Some(by) = q.due_by {
            p.push(Value::Text(by.to_string()));
            sql.push_str(&format!(" AND d.due_on <= ${}", p.len()));
        }
        p.push(Value::Int(i64::from(q.limit.clamp(1, 2000))));
        sql.push_str(&format!(" ORDER BY d.due_on, d.due_at, d.id LIMIT ${}", p.len()));
        all(&self.query(&sql, p).await?, deadline)
    }

    async fn deadlines_of(&self, subject_id: &str) -> Result<Vec<Deadline>> {
        let sql = format!(
            "SELECT {DEADLINE_COLUMNS} FROM deadlines d JOIN orgs o ON o.id = d.org_id WHERE d.subject_id = CAST($1 AS TEXT) ORDER BY d.due_on, d.id"
        );
        all(&self.query(&sql, params![subject_id]).await?, deadline)
    }

    async fn alerts_of(&self, user_id: &str, unread_only: bool, limit: u32) -> Result<Vec<Alert>> {
        let unread = if unread_only { " AND read_at IS NULL" } else { "" };
        let sql = format!(
            "SELECT id, user_id, deadline_id, kind, message, created_at, read_at FROM alerts WHERE user_id = CAST($1 AS TEXT){unread} \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        all(&self.query(&sql, params![user_id, i64::from(limit.clamp(1, 500))]).await?, alert)
    }
}
