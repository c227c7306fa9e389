//! The random checks' tables: items, plans with their pool snapshots, tasks and their officers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use domain::account::Account;
use domain::org::{OrgId, OrgPath};
use domain::ports::random_check::{CheckChange, CheckStore, PoolCandidate};
use domain::random_check::item::{CheckItem, Frequency, Quantity, Scope};
use domain::random_check::plan::{Plan, PlanStatus, StrataWeights, Task, TaskResult};
use domain::random_check::record::{RecordOfficer, RecordUnit};
use domain::registry::risk::RiskGrade;
use domain::time::Timestamp;
use domain::{DomainError, Result};

use crate::engine::{Conn, Row, Value};
use crate::registry::ranges;
use crate::rows::{date, get, json, to_json};
use crate::{Db, all, one, params, rows};

const ITEM_COLUMNS: &str = "i.id, i.org_id, o.path AS org_path, i.name, i.basis, i.scope, i.quantity, i.frequency, i.method, \
    i.qualification, i.officers_per_unit, i.active, i.version, i.created_at";

fn item(row: &Row<'_>) -> Result<CheckItem> {
    Ok(CheckItem {
        id: get(row, "id")?,
        org_id: OrgId(get(row, "org_id")?),
        org_path: OrgPath::parse(&get::<String>(row, "org_path")?)?,
        name: get(row, "name")?,
        basis: get(row, "basis")?,
        scope: json(row, "scope")?,
        quantity: json(row, "quantity")?,
        frequency: Frequency::parse("frequency", &get::<String>(row, "frequency")?)?,
        method: get(row, "method")?,
        qualification: get(row, "qualification")?,
        officers_per_unit: get::<i64>(row, "officers_per_unit")? as u32,
        active: get::<i64>(row, "active")? != 0,
        version: get(row, "version")?,
        created_at: Timestamp(get(row, "created_at")?),
    })
}

const PLAN_COLUMNS: &str = "p.id, p.org_id, o.path AS org_path, o.name AS org_name, p.item_id, i.name AS item_name, p.title, \
    p.period_start, p.period_end, p.quantity, p.officers_per_unit, p.weights, p.exclude_recent_days, p.prioritize_penalised, \
    p.rotation, p.status, p.pool_size, p.officer_count, p.quota, p.pool_digest, p.officer_digest, p.commitment, p.announced_at, \
    p.beacon, p.inputs_digest, p.secret_hex, p.seed_hex, p.drawn_at, p.publish_due, p.published_at, p.cancel_reason, \
    p.created_by, p.created_at, p.version";

const PLAN_FROM: &str = "check_plans p JOIN orgs o ON o.id = p.org_id JOIN check_items i ON i.id = p.item_id";

fn plan(row: &Row<'_>) -> Result<Plan> {
    let ts = |c: &str| -> Result<Option<Timestamp>> { Ok(get::<Option<i64>>(row, c)?.map(Timestamp)) };
    Ok(Plan {
        id: get(row, "id")?,
        org_id: OrgId(get(row, "org_id")?),
        org_path: OrgPath::parse(&get::<String>(row, "org_path")?)?,
        org_name: get(row, "org_name")?,
        item_id: get(row, "item_id")?,
        item_name: get(row, "item_name")?,
        title: get(row, "title")?,
        period_start: date(&get::<String>(row, "period_start")?)?,
        period_end: date(&get::<String>(row, "period_end")?)?,
        quantity: json::<Quantity>(row, "quantity")?,
        officers_per_unit: get::<i64>(row, "officers_per_unit")? as u32,
        weights: json::<StrataWeights>(row, "weights")?,
        exclude_recent_days: get::<i64>(row, "exclude_recent_days")? as u32,
        prioritize_penalised: get::<i64>(row, "prioritize_penalised")? != 0,
        rotation: get::<i64>(row, "rotation")? != 0,
        status: PlanStatus::parse(&get::<String>(row, "status")?)?,
        pool_size: get(row, "pool_size")?,
        officer_count: get(row, "officer_count")?,
        quota: json(row, "quota")?,
        pool_digest: get(row, "pool_digest")?,
        officer_digest: get(row, "officer_digest")?,
        commitment: get(row, "commitment")?,
        announced_at: ts("announced_at")?,
        beacon: get(row, "beacon")?,
        inputs_digest: get(row, "inputs_digest")?,
        secret_hex: get(row, "secret_hex")?,
        seed_hex: get(row, "seed_hex")?,
        drawn_at: ts("drawn_at")?,
        publish_due: get::<Option<String>>(row, "publish_due")?.map(|d| date(&d)).transpose()?,
        published_at: ts("published_at")?,
        cancel_reason: get(row, "cancel_reason")?,
        created_by: get(row, "created_by")?,
        created_at: Timestamp(get(row, "created_at")?),
        version: get(row, "version")?,
    })
}

const TASK_COLUMNS: &str = "t.id, t.plan_id, t.seq, t.unit_id, u.name AS unit_name, u.address AS unit_address, t.stratum, \
    t.result, t.result_note, t.checked_on, t.published_at";

fn task(row: &Row<'_>) -> Result<Task> {
    Ok(Task {
        id: get(row, "id")?,
        plan_id: get(row, "plan_id")?,
        seq: get(row, "seq")?,
        unit_id: get(row, "unit_id")?,
        unit_name: get(row, "unit_name")?,
        unit_address: get(row, "unit_address")?,
        stratum: get(row, "stratum")?,
        officers: Vec::new(),
        result: get::<Option<String>>(row, "result")?.map(|r| TaskResult::parse("result", &r)).transpose()?,
        result_note: get(row, "result_note")?,
        checked_on: get::<Option<String>>(row, "checked_on")?.map(|d| date(&d)).transpose()?,
        published_at: get::<Option<i64>>(row, "published_at")?.map(Timestamp),
    })
}

fn expect_one(n: u64, what: &str) -> Result<()> {
    if n == 1 {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!("{what}已被他人修改或状态已变化，请刷新后重试")))
    }
}

/// Applies one change inside the writer's transaction.
pub(crate) async fn apply<C: Conn>(conn: &mut C, change: &CheckChange) -> Result<()> {
    match change {
        CheckChange::InsertItem(i) => {
            conn.exec(
                "INSERT INTO check_items (id, org_id, name, basis, scope, quantity, frequency, method, qualification, \
                 officers_per_unit, active, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                params![
                    &i.id,
                    &i.org_id.0,
                    &i.name,
                    &i.basis,
                    to_json(&i.scope)?,
                    to_json(&i.quantity)?,
                    i.frequency.code(),
                    &i.method,
                    &i.qualification,
                    i64::from(i.officers_per_unit),
                    i.active,
                    i.version,
                    i.created_at.0,
                    i.created_at.0
                ],
            )
            .await?;
        }
        CheckChange::UpdateItem { item: i, at } => {
            let n = conn
                .exec(
                    "UPDATE check_items SET name = $1, basis = $2, scope = $3, quantity = $4, frequency = $5, method = $6, \
                     qualification = $7, officers_per_unit = $8, active = $9, updated_at = $10, version = version + 1 \
                     WHERE id = $11 AND version = $12",
                    params![
                        &i.name,
                        &i.basis,
                        to_json(&i.scope)?,
                        to_json(&i.quantity)?,
                        i.frequency.code(),
                        &i.method,
                        &i.qualification,
                        i64::from(i.officers_per_unit),
                        i.active,
                        at.0,
                        &i.id,
                        i.version
                    ],
                )
                .await?;
            expect_one(n, "抽查事项")?;
        }
        CheckChange::InsertPlan(p) => {
            conn.exec(
                "INSERT INTO check_plans (id, org_id, item_id, title, period_start, period_end, quantity, officers_per_unit, \
                 weights, exclude_recent_days, prioritize_penalised, rotation, status, pool_size, officer_count, quota, \
                 pool_digest, officer_digest, commitment, secret_sealed, announced_at, beacon, inputs_digest, secret_hex, \
                 seed_hex, drawn_at, publish_due, published_at, cancel_reason, created_by, created_at, version) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, 0, '{}', '', '', '', '', NULL, '', '', '', '', \
                 NULL, NULL, NULL, '', $14, $15, 1)",
                params![
                    &p.id,
                    &p.org_id.0,
                    &p.item_id,
                    &p.title,
                    p.period_start.to_string(),
                    p.period_end.to_string(),
                    to_json(&p.quantity)?,
                    i64::from(p.officers_per_unit),
                    to_json(&p.weights)?,
                    i64::from(p.exclude_recent_days),
                    p.prioritize_penalised,
                    p.rotation,
                    p.status.code(),
                    &p.created_by,
                    p.created_at.0
                ],
            )
            .await?;
        }
        CheckChange::Announce {
            plan_id,
            expected_version,
            pool,
            officers,
            quota,
            pool_digest,
            officer_digest,
            commitment,
            secret_sealed,
            at,
        } => {
            let n = conn
                .exec(
                    "UPDATE check_plans SET status = 'announced', pool_size = $1, officer_count = $2, quota = $3, \
                     pool_digest = $4, officer_digest = $5, commitment = $6, secret_sealed = $7, announced_at = $8, \
                     version = version + 1 WHERE id = $9 AND version = $10 AND status = 'draft'",
                    params![
                        pool.len() as i64,
                        officers.len() as i64,
                        to_json(quota)?,
                        pool_digest,
                        officer_digest,
                        commitment,
                        secret_sealed,
                        at.0,
                        plan_id,
                        *expected_version
                    ],
                )
                .await?;
            expect_one(n, "抽查计划")?;
            for chunk in pool.chunks(100) {
                let tuples: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        format!("(${}, ${}, ${}, ${}, ${})", i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4, i * 5 + 5)
                    })
                    .collect();
                let mut p = Vec::with_capacity(chunk.len() * 5);
                for u in chunk {
                    p.extend(params![plan_id, &u.id, &u.stratum, &u.org_path, &u.name]);
                }
                conn.exec(
                    &format!(
                        "INSERT INTO check_plan_units (plan_id, unit_id, stratum, org_path, name) VALUES {}",
                        tuples.join(", ")
                    ),
                    p,
                )
                .await?;
            }
            for o in officers {
                let excluded: Vec<&String> = o.excluded_units.iter().collect();
                conn.exec(
                    "INSERT INTO check_plan_officers (plan_id, account_id, org_path, excluded_units, name) VALUES ($1, $2, $3, $4, $5)",
                    params![plan_id, &o.id, &o.org_path, to_json(&excluded)?, &o.name],
                )
                .await?;
            }
        }
        CheckChange::Draw {
            plan_id,
            expected_version,
            beacon,
            inputs_digest,
            secret_hex,
            seed_hex,
            tasks,
            publish_due,
            at,
        } => {
            let n = conn
                .exec(
                    "UPDATE check_plans SET status = 'drawn', beacon = $1, inputs_digest = $2, secret_hex = $3, seed_hex = $4, \
                     drawn_at = $5, publish_due = $6, secret_sealed = '', version = version + 1 \
                     WHERE id = $7 AND version = $8 AND status = 'announced'",
                    params![
                        beacon,
                        inputs_digest,
                        secret_hex,
                        seed_hex,
                        at.0,
                        publish_due.to_string(),
                        plan_id,
                        *expected_version
                    ],
                )
                .await?;
            expect_one(n, "抽查计划")?;
            for t in tasks {
                conn.exec(
                    "INSERT INTO check_tasks (id, plan_id, seq, unit_id, stratum, result, result_note, checked_on, published_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, NULL, '', NULL, NULL, $6)",
                    params![&t.id, plan_id, t.seq, &t.unit_id, &t.stratum, at.0],
                )
                .await?;
                for (i, o) in t.officers.iter().enumerate() {
                    conn.exec(
                        "INSERT INTO check_task_officers (task_id, account_id, position) VALUES ($1, $2, $3)",
                        params![&t.id, o, i as i64],
                    )
                    .await?;
                }
            }
        }
        CheckChange::Cancel { plan_id, expected_version, reason, at } => {
            let n = conn
                .exec(
                    "UPDATE check_plans SET status = 'cancelled', cancel_reason = $1, published_at = $2, secret_sealed = '', \
                     version = version + 1 WHERE id = $3 AND version = $4 AND status IN ('draft', 'announced')",
                    params![reason, at.0, plan_id, *expected_version],
                )
                .await?;
            expect_one(n, "抽查计划")?;
        }
        CheckChange::RecordResult { task_id, result, note, checked_on, at: _ } => {
            let n = conn
                .exec(
                    "UPDATE check_tasks SET result = $1, result_note = $2, checked_on = $3 WHERE id = $4 AND published_at IS NULL",
                    params![result.code(), note, checked_on.to_string(), task_id],
                )
                .await?;
            expect_one(n, "检查任务（已公示的结果不能修改）")?;
        }
        CheckChange::PublishResults { plan_id, complete, at } => {
            conn.exec(
                "UPDATE check_tasks SET published_at = $1 WHERE plan_id = $2 AND result IS NOT NULL AND published_at IS NULL",
                params![at.0, plan_id],
            )
            .await?;
            if *complete {
                conn.exec(
                    "UPDATE check_plans SET status = 'published', published_at = $1, version = version + 1 WHERE id = $2",
                    params![at.0, plan_id],
                )
                .await?;
            }
        }
    }
    Ok(())
}

impl Db {
    /// Fills in the officers of the given tasks, in their order of assignment, with one query.
    async fn fill_officers(&self, tasks: &mut [Task]) -> Result<()> {
        if tasks.is_empty() {
            return Ok(());
        }
        let ph: Vec<String> = (1..=tasks.len()).map(|i| format!("${i}")).collect();
        let rows = self
            .query(
                &format!(
                    "SELECT k.task_id, k.account_id, a.display_name FROM check_task_officers k \
                     JOIN accounts a ON a.id = k.account_id WHERE k.task_id IN ({}) ORDER BY k.task_id, k.position",
                    ph.join(", ")
                ),
                tasks.iter().map(|t| Value::Text(t.id.clone())).collect(),
            )
            .await?;
        let mut by_task: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for r in rows.iter() {
            by_task.entry(r.get("task_id")?).or_default().push((r.get("account_id")?, r.get("display_name")?));
        }
        for t in tasks.iter_mut() {
            if let Some(o) = by_task.remove(&t.id) {
                t.officers = o;
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl CheckStore for Db {
    async fn items_of(&self, orgs: &[String]) -> Result<Vec<CheckItem>> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let ph: Vec<String> = (1..=orgs.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM check_items i JOIN orgs o ON o.id = i.org_id WHERE i.org_id IN ({}) ORDER BY o.path, i.created_at, i.id",
            ph.join(", ")
        );
        all(&self.query(&sql, orgs.iter().map(|o| Value::Text(o.clone())).collect()).await?, item)
    }

    async fn item(&self, id: &str) -> Result<Option<CheckItem>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM check_items i JOIN orgs o ON o.id = i.org_id WHERE i.id = CAST($1 AS TEXT)"
        );
        one(&self.query(&sql, params![id]).await?, item)
    }

    async fn plans_in(&self, scopes: &[OrgPath]) -> Result<Vec<Plan>> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let mut p = Vec::new();
        let range = ranges("o.path", scopes, &mut p);
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM {PLAN_FROM} WHERE {range} ORDER BY p.period_start DESC, p.created_at DESC LIMIT 500"
        );
        all(&self.query(&sql, p).await?, plan)
    }

    async fn public_plans(&self, limit: u32) -> Result<Vec<Plan>> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM {PLAN_FROM} WHERE p.announced_at IS NOT NULL ORDER BY p.announced_at DESC LIMIT $1"
        );
        all(&self.query(&sql, params![i64::from(limit)]).await?, plan)
    }

    async fn plan(&self, id: &str) -> Result<Option<Plan>> {
        let sql = format!("SELECT {PLAN_COLUMNS} FROM {PLAN_FROM} WHERE p.id = CAST($1 AS TEXT)");
        one(&self.query(&sql, params![id]).await?, plan)
    }

    async fn plan_secret(&self, id: &str) -> Result<Option<String>> {
        let rows = self.query("SELECT secret_sealed FROM check_plans WHERE id = $1", params![id]).await?;
        one(&rows, |r| r.get::<String>("secret_sealed"))
    }

    async fn plan_pool(&self, plan_id: &str) -> Result<Vec<RecordUnit>> {
        let rows = self
            .query(
                "SELECT unit_id, stratum, org_path, name FROM check_plan_units WHERE plan_id = $1 ORDER BY unit_id",
                params![plan_id],
            )
            .await?;
        all(&rows, |r| {
            Ok(RecordUnit {
                id: r.get("unit_id")?,
                stratum: r.get("stratum")?,
                org_path: r.get("org_path")?,
                name: r.get("name")?,
            })
        })
    }

    async fn plan_officers(&self, plan_id: &str) -> Result<Vec<RecordOfficer>> {
        let rows = self
            .query(
                "SELECT account_id, org_path, excluded_units, name FROM check_plan_officers WHERE plan_id = $1 ORDER BY account_id",
                params![plan_id],
            )
            .await?;
        all(&rows, |r| {
            Ok(RecordOfficer {
                id: r.get("account_id")?,
                org_path: r.get("org_path")?,
                excluded_units: json::<BTreeSet<String>>(r, "excluded_units")?,
                name: r.get("name")?,
            })
        })
    }

    async fn tasks(&self, plan_id: &str) -> Result<Vec<Task>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM check_tasks t JOIN units u ON u.id = t.unit_id WHERE t.plan_id = $1 ORDER BY t.seq"
        );
        let mut tasks = all(&self.query(&sql, params![plan_id]).await?, task)?;
        self.fill_officers(&mut tasks).await?;
        Ok(tasks)
    }

    async fn task(&self, id: &str) -> Result<Option<Task>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM check_tasks t JOIN units u ON u.id = t.unit_id WHERE t.id = CAST($1 AS TEXT)"
        );
        let Some(t) = one(&self.query(&sql, params![id]).await?, task)? else { return Ok(None) };
        let mut one_task = [t];
        self.fill_officers(&mut one_task).await?;
        let [t] = one_task;
        Ok(Some(t))
    }

    async fn tasks_of_officer(&self, account_id: &str) -> Result<Vec<(Task, Plan)>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM check_tasks t JOIN units u ON u.id = t.unit_id JOIN check_task_officers k ON k.task_id = t.id \
             WHERE k.account_id = $1 AND t.result IS NULL ORDER BY t.created_at DESC, t.seq LIMIT 200"
        );
        let mut tasks = all(&self.query(&sql, params![account_id]).await?, task)?;
        self.fill_officers(&mut tasks).await?;
        let mut plans: BTreeMap<String, Plan> = BTreeMap::new();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            if !plans.contains_key(&t.plan_id)
                && let Some(p) = self.plan(&t.plan_id).await?
            {
                plans.insert(t.plan_id.clone(), p);
            }
            if let Some(p) = plans.get(&t.plan_id) {
                out.push((t, p.clone()));
            }
        }
        Ok(out)
    }

    async fn pool_candidates(&self, scope: &OrgPath, item: &Scope) -> Result<Vec<PoolCandidate>> {
        let mut p = Vec::new();
        let mut conds =
            vec![ranges("u.org_path", std::slice::from_ref(scope), &mut p), "u.status = 'operating'".to_string()];
        if let Some(k) = item.key_unit {
            p.push(Value::Int(i64::from(k)));
            conds.push(format!("u.key_unit = ${}", p.len()));
        }
        if !item.venue_kinds_any.is_empty() {
            let any: Vec<String> = item
                .venue_kinds_any
                .iter()
                .map(|k| {
                    p.push(Value::Text(format!("%,{},%", k.code())));
                    format!("u.venue_kinds LIKE ${}", p.len())
                })
                .collect();
            conds.push(format!("({})", any.join(" OR ")));
        }
        for k in &item.venue_kinds_none {
            p.push(Value::Text(format!("%,{},%", k.code())));
            conds.push(format!("u.venue_kinds NOT LIKE ${}", p.len()));
        }
        if !item.risk_grades.is_empty() {
            let ph: Vec<String> = item
                .risk_grades
                .iter()
                .map(|g| {
                    p.push(Value::Text(g.code().into()));
                    format!("${}", p.len())
                })
                .collect();
            conds.push(format!("u.risk_grade IN ({})", ph.join(", ")));
        }
        let sql = format!(
            "SELECT u.id, u.name, u.org_path, u.risk_grade FROM units u WHERE {} ORDER BY u.id",
            conds.join(" AND ")
        );
        all(&self.query(&sql, p).await?, |r| {
            Ok(PoolCandidate {
                id: r.get("id")?,
                name: r.get("name")?,
                org_path: r.get("org_path")?,
                risk_grade: RiskGrade::parse("risk_grade", &r.get::<String>("risk_grade")?)?,
            })
        })
    }

    async fn recently_checked(&self, scope: &OrgPath, since: NaiveDate) -> Result<Vec<String>> {
        let mut p = Vec::new();
        let range = ranges("u.org_path", std::slice::from_ref(scope), &mut p);
        p.push(Value::Text(since.to_string()));
        let sql = format!(
            "SELECT DISTINCT t.unit_id FROM check_tasks t JOIN units u ON u.id = t.unit_id JOIN check_plans p ON p.id = t.plan_id \
             WHERE {range} AND p.period_end >= $3"
        );
        all(&self.query(&sql, p).await?, |r| r.get("unit_id"))
    }

    async fn penalised_between(&self, scope: &OrgPath, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>> {
        let mut p = Vec::new();
        let range = ranges("u.org_path", std::slice::from_ref(scope), &mut p);
        p.push(Value::Text(from.to_string()));
        p.push(Value::Text(to.to_string()));
        let sql = format!(
            "SELECT DISTINCT c.unit_id FROM credit_records c JOIN units u ON u.id = c.unit_id \
             WHERE {range} AND c.kind = 'penalty' AND c.decided_on >= $3 AND c.decided_on <= $4"
        );
        all(&self.query(&sql, p).await?, |r| r.get("unit_id"))
    }

    async fn inspecting_officers(&self, scope: &OrgPath) -> Result<Vec<Account>> {
        let mut p = Vec::new();
        let range = ranges("o.path", std::slice::from_ref(scope), &mut p);
        let sql = format!(
            "SELECT {} FROM accounts a JOIN orgs o ON o.id = a.org_id WHERE {range} AND EXISTS \
             (SELECT 1 FROM role_grants g WHERE g.account_id = a.id AND g.role IN ('officer', 'dept_head')) ORDER BY a.id",
            rows::ACCOUNT_COLUMNS
        );
        all(&self.query(&sql, p).await?, rows::account)
    }

    async fn previous_assignments(
        &self,
        item_id: &str,
        org_id: &str,
        before: NaiveDate,
    ) -> Result<Vec<(String, String)>> {
        let latest = self
            .query(
                "SELECT id FROM check_plans WHERE item_id = $1 AND org_id = $2 AND period_start < $3 \
                 AND status IN ('drawn', 'published') ORDER BY period_start DESC LIMIT 1",
                params![item_id, org_id, before.to_string()],
            )
            .await?;
        let Some(plan_id) = one(&latest, |r| r.get::<String>("id"))? else { return Ok(Vec::new()) };
        let rows = self
            .query(
                "SELECT k.account_id, t.unit_id FROM check_task_officers k JOIN check_tasks t ON t.id = k.task_id WHERE t.plan_id = $1",
                params![&plan_id],
            )
            .await?;
        all(&rows, |r| Ok((r.get("account_id")?, r.get("unit_id")?)))
    }
}
