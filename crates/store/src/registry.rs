//! The registry's tables: units with their search index, history, credit records, import jobs, and the
//! officer pool's absences and conflicts.

use chrono::NaiveDate;
use domain::identity::CreditCode;
use domain::org::{OrgId, OrgPath};
use domain::ports::registry::{
    COUNT_CAP, CreditRecord, HistoryEntry, ImportJob, NewUnit, RegistryChange, RegistryStore, UnitSearch,
};
use domain::random_check::officers::{Absence, AbsenceKind, Conflict, ConflictKind};
use domain::registry::key_unit::KeyDesignation;
use domain::registry::risk::RiskGrade;
use domain::registry::search::{self, SearchQuery};
use domain::registry::unit::{Contact, Sealed, SizeFacts, Unit, UnitFacts, UnitStatus};
use domain::registry::venue::VenueKinds;
use domain::time::Timestamp;
use domain::{DomainError, Result};

use crate::engine::{Conn, Row, Value};
use crate::rows::{date, get};
use crate::writer::expect_one;
use crate::{Backend, Db, all, one, params};

/// The upper bound of a subtree's paths: paths end in `/`, and `0` follows `/` in byte order.
pub(crate) fn path_range(p: &OrgPath) -> (String, String) {
    let s = p.as_str();
    (s.to_string(), format!("{}0", &s[..s.len() - 1]))
}

/// The condition of [`ranges`], or `None` when there are no scopes (nothing is visible: the caller
/// returns an empty list without a query).
pub(crate) fn scope_filter(col: &str, scopes: &[OrgPath], p: &mut Vec<Value>) -> Option<String> {
    if scopes.is_empty() { None } else { Some(ranges(col, scopes, p)) }
}

/// `(col >= $a AND col < $b) OR …` over subtrees: unlike `LIKE`, a range uses the index on both engines.
pub(crate) fn ranges(col: &str, scopes: &[OrgPath], p: &mut Vec<Value>) -> String {
    let parts: Vec<String> = scopes
        .iter()
        .map(|s| {
            let (lo, hi) = path_range(s);
            p.push(Value::Text(lo));
            p.push(Value::Text(hi));
            format!("({col} >= ${} AND {col} < ${})", p.len() - 1, p.len())
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

const UNIT_COLUMNS: &str = "u.id, u.search_key, u.credit_code, u.name, u.address, u.org_id, u.org_path, o.name AS org_name, \
    u.venue_kinds, u.floor_area, u.floors, u.beds, u.rooms, u.staff, \
    u.responsible_name, u.responsible_phone, u.responsible_phone_mask, u.responsible_id_card, u.responsible_id_card_mask, \
    u.manager_name, u.manager_phone, u.manager_phone_mask, u.manager_id_card, u.manager_id_card_mask, \
    u.status, u.risk_grade, u.risk_reason, u.key_unit, u.key_category, u.key_reason, u.key_confirmed_by, u.key_confirmed_at, \
    u.version, u.created_at, u.updated_at";

fn sealed(row: &Row<'_>, col: &str) -> Result<Option<Sealed>> {
    let s: Option<String> = get(row, col)?;
    Ok(match s {
        Some(sealed) => {
            Some(Sealed { sealed, masked: get::<Option<String>>(row, &format!("{col}_mask"))?.unwrap_or_default() })
        }
        None => None,
    })
}

fn contact(row: &Row<'_>, prefix: &str) -> Result<Contact<Sealed>> {
    Ok(Contact {
        name: get(row, &format!("{prefix}_name"))?,
        phone: sealed(row, &format!("{prefix}_phone"))?,
        id_card: sealed(row, &format!("{prefix}_id_card"))?,
    })
}

fn unit(row: &Row<'_>) -> Result<Unit> {
    let bad = |e: DomainError| DomainError::internal(format!("stored unit does not parse: {e}"));
    let key_unit = if get::<i64>(row, "key_unit")? != 0 {
        Some(KeyDesignation {
            category: get::<Option<String>>(row, "key_category")?.unwrap_or_default(),
            reason: get::<Option<String>>(row, "key_reason")?.unwrap_or_default(),
            confirmed_by: get::<Option<String>>(row, "key_confirmed_by")?.unwrap_or_default(),
            confirmed_at: Timestamp(get::<Option<i64>>(row, "key_confirmed_at")?.unwrap_or(0)),
        })
    } else {
        None
    };
    Ok(Unit {
        id: get(row, "id")?,
        credit_code: CreditCode::parse(&get::<String>(row, "credit_code")?).map_err(bad)?,
        facts: UnitFacts {
            name: get(row, "name")?,
            address: get(row, "address")?,
            org_id: OrgId(get(row, "org_id")?),
            venue_kinds: VenueKinds::from_stored(&get::<String>(row, "venue_kinds")?).map_err(bad)?,
            size: SizeFacts {
                floor_area: get(row, "floor_area")?,
                floors: get(row, "floors")?,
                beds: get(row, "beds")?,
                rooms: get(row, "rooms")?,
                staff: get(row, "staff")?,
            },
            responsible: contact(row, "responsible")?,
            manager: contact(row, "manager")?,
            status: UnitStatus::parse("status", &get::<String>(row, "status")?).map_err(bad)?,
        },
        org_path: OrgPath::parse(&get::<String>(row, "org_path")?)?,
        org_name: get(row, "org_name")?,
        risk_grade: RiskGrade::parse("risk_grade", &get::<String>(row, "risk_grade")?).map_err(bad)?,
        risk_reason: get(row, "risk_reason")?,
        key_unit,
        version: get(row, "version")?,
        created_at: Timestamp(get(row, "created_at")?),
        updated_at: Timestamp(get(row, "updated_at")?),
    })
}

fn history(row: &Row<'_>) -> Result<HistoryEntry> {
    Ok(HistoryEntry {
        id: get(row, "id")?,
        unit_id: get(row, "unit_id")?,
        at: Timestamp(get(row, "at")?),
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        changes: serde_json::from_str(&get::<String>(row, "changes")?).map_err(DomainError::internal)?,
        reason: get(row, "reason")?,
    })
}

fn import_job(row: &Row<'_>) -> Result<ImportJob> {
    Ok(ImportJob {
        id: get(row, "id")?,
        file_name: get(row, "file_name")?,
        mode: get(row, "mode")?,
        status: get(row, "status")?,
        total: get(row, "total")?,
        done: get(row, "done")?,
        inserted: get(row, "inserted")?,
        updated: get(row, "updated")?,
        unchanged: get(row, "unchanged")?,
        failed: get(row, "failed")?,
        errors: get(row, "errors")?,
        message: get(row, "message")?,
        created_by: get(row, "created_by")?,
        created_at: Timestamp(get(row, "created_at")?),
        finished_at: get::<Option<i64>>(row, "finished_at")?.map(Timestamp),
    })
}

fn absence(row: &Row<'_>) -> Result<Absence> {
    Ok(Absence {
        id: get(row, "id")?,
        account_id: get(row, "account_id")?,
        kind: AbsenceKind::parse("kind", &get::<String>(row, "kind")?)?,
        from: date(&get::<String>(row, "from_day")?)?,
        to: date(&get::<String>(row, "to_day")?)?,
        note: get(row, "note")?,
        created_at: Timestamp(get(row, "created_at")?),
    })
}

fn conflict(row: &Row<'_>) -> Result<Conflict> {
    Ok(Conflict {
        id: get(row, "id")?,
        account_id: get(row, "account_id")?,
        officer_name: get(row, "officer_name")?,
        unit_id: get(row, "unit_id")?,
        unit_name: get(row, "unit_name")?,
        kind: ConflictKind::parse("kind", &get::<String>(row, "kind")?)?,
        note: get(row, "note")?,
        declared_at: Timestamp(get(row, "declared_at")?),
    })
}

fn insert_history_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let b = i * 7;
            format!("(${}, ${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7)
        })
        .collect();
    format!("INSERT INTO unit_history (id, unit_id, at, actor, action, changes, reason) VALUES {}", rows.join(", "))
}

fn history_params(h: &HistoryEntry) -> Result<Vec<Value>> {
    Ok(params![
        &h.id,
        &h.unit_id,
        h.at.0,
        &h.actor,
        &h.action,
        serde_json::to_string(&h.changes).map_err(DomainError::internal)?,
        &h.reason,
    ])
}

async fn insert_history<C: Conn>(conn: &mut C, h: &HistoryEntry) -> Result<()> {
    conn.exec(&insert_history_sql(1), history_params(h)?).await?;
    Ok(())
}

/// The columns written for a unit's facts, in order (shared by insert and update).
const FACT_COLUMNS: [&str; 22] = [
    "name",
    "address",
    "org_id",
    "org_path",
    "venue_kinds",
    "floor_area",
    "floors",
    "beds",
    "rooms",
    "staff",
    "responsible_name",
    "responsible_phone",
    "responsible_phone_mask",
    "responsible_id_card",
    "responsible_id_card_mask",
    "manager_name",
    "manager_phone",
    "manager_phone_mask",
    "manager_id_card",
    "manager_id_card_mask",
    "status",
    "updated_at",
];

fn seal_parts(s: &Option<Sealed>) -> (Value, Value) {
    match s {
        Some(s) => (Value::Text(s.sealed.clone()), Value::Text(s.masked.clone())),
        None => (Value::Null, Value::Null),
    }
}

/// The fact values in [`FACT_COLUMNS`] order.
fn fact_values(f: &UnitFacts<Sealed>, org_path: &OrgPath, at: Timestamp) -> Vec<Value> {
    let (rp, rpm) = seal_parts(&f.responsible.phone);
    let (ri, rim) = seal_parts(&f.responsible.id_card);
    let (mp, mpm) = seal_parts(&f.manager.phone);
    let (mi, mim) = seal_parts(&f.manager.id_card);
    vec![
        Value::Text(f.name.clone()),
        Value::Text(f.address.clone()),
        Value::Text(f.org_id.0.clone()),
        Value::Text(org_path.as_str().to_string()),
        Value::Text(f.venue_kinds.to_stored()),
        f.size.floor_area.into(),
        f.size.floors.into(),
        f.size.beds.into(),
        f.size.rooms.into(),
        f.size.staff.into(),
        f.responsible.name.clone().into(),
        rp,
        rpm,
        ri,
        rim,
        f.manager.name.clone().into(),
        mp,
        mpm,
        mi,
        mim,
        Value::Text(f.status.code().to_string()),
        Value::Int(at.0),
    ]
}

/// What the search index holds for a unit.
struct IndexEntry {
    name: String,
    address: String,
    tags: Vec<String>,
}

impl IndexEntry {
    fn of(u: &Unit) -> IndexEntry {
        IndexEntry {
            name: u.facts.name.clone(),
            address: u.facts.address.clone(),
            tags: search::tags(&u.org_path, u.key_unit.is_some(), u.risk_grade, u.facts.status, &u.facts.venue_kinds),
        }
    }

    /// PostgreSQL: the array (bigrams, characters, tags) and the normalised text.
    fn pg_values(&self) -> (Value, Value) {
        let mut grams = search::gram_set(&[&self.name, &self.address]);
        grams.extend(self.tags.iter().cloned());
        (Value::Text(search::array_literal(&grams)), Value::Text(search::normalized_text(&[&self.name, &self.address])))
    }

    /// SQLite: the three FTS columns.
    fn fts_values(&self) -> [Value; 3] {
        [
            Value::Text(search::token_text(&self.name)),
            Value::Text(search::token_text(&self.address)),
            Value::Text(self.tags.join(" ")),
        ]
    }
}

/// The next free search key in a jurisdiction bucket (the writer holds the write lock: no race).
async fn next_in_bucket<C: Conn>(conn: &mut C, bucket: i64) -> Result<i64> {
    let (lo, hi) = search::bucket_range(bucket);
    let max: Option<i64> = conn
        .query("SELECT MAX(search_key) AS m FROM units WHERE search_key >= $1 AND search_key <= $2", params![lo, hi])
        .await?
        .first()
        .map(|r| r.get("m"))
        .transpose()?
        .flatten();
    Ok(max.map_or(lo + 1, |m| m + 1))
}

/// Rewrites a unit's search entry from its stored row (after any change to it). A unit that moved to
/// another brigade gets a key in that brigade's bucket.
async fn reindex<C: Conn>(conn: &mut C, backend: Backend, id: &str) -> Result<()> {
    let rows = conn
        .query(
            "SELECT search_key, name, address, org_path, key_unit, risk_grade, status, venue_kinds FROM units WHERE id = $1",
            params![id],
        )
        .await?;
    let r = rows.first().ok_or_else(|| DomainError::internal("unit vanished"))?;
    let bad = |e: DomainError| DomainError::internal(format!("stored unit does not parse: {e}"));
    let entry = IndexEntry {
        name: r.get("name")?,
        address: r.get("address")?,
        tags: search::tags(
            &OrgPath::parse(&r.get::<String>("org_path")?)?,
            r.get::<i64>("key_unit")? != 0,
            RiskGrade::parse("risk_grade", &r.get::<String>("risk_grade")?).map_err(bad)?,
            UnitStatus::parse("status", &r.get::<String>("status")?).map_err(bad)?,
            &VenueKinds::from_stored(&r.get::<String>("venue_kinds")?).map_err(bad)?,
        ),
    };
    let old_key: i64 = r.get("search_key")?;
    let path = OrgPath::parse(&r.get::<String>("org_path")?)?;
    let bucket = search::bucket_of(&path);
    let key = if old_key >> search::SEQ_BITS == bucket {
        old_key
    } else {
        let k = next_in_bucket(conn, bucket).await?;
        conn.exec("UPDATE units SET search_key = $1 WHERE id = $2", params![k, id]).await?;
        k
    };
    match backend {
        Backend::Sqlite => {
            conn.exec("DELETE FROM unit_search WHERE rowid = $1", params![old_key]).await?;
            let [a, b, c] = entry.fts_values();
            conn.exec(
                "INSERT INTO unit_search (rowid, name, address, tags) VALUES ($1, $2, $3, $4)",
                vec![Value::Int(key), a, b, c],
            )
            .await?;
        }
        Backend::Postgres => {
            let (grams, text) = entry.pg_values();
            conn.exec(
                "UPDATE units SET search_grams = CAST($1 AS TEXT[]), search_text = $2 WHERE id = $3",
                vec![grams, text, Value::Text(id.to_string())],
            )
            .await?;
        }
    }
    Ok(())
}

async fn insert_units<C: Conn>(conn: &mut C, backend: Backend, units: &[NewUnit]) -> Result<()> {
    if units.is_empty() {
        return Ok(());
    }
    let mut next_keys: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut cols: Vec<&str> = vec!["id", "search_key", "credit_code"];
    cols.extend(FACT_COLUMNS);
    cols.extend([
        "risk_grade",
        "risk_reason",
        "key_unit",
        "key_category",
        "key_reason",
        "key_confirmed_by",
        "key_confirmed_at",
        "version",
        "created_at",
    ]);
    if backend == Backend::Postgres {
        cols.extend(["search_grams", "search_text"]);
    }
    let per_row = cols.len();
    // Rows per statement: well under every engine's limit on bound parameters.
    for chunk in units.chunks(24) {
        let mut p: Vec<Value> = Vec::with_capacity(chunk.len() * per_row);
        let mut fts: Vec<Value> = Vec::new();
        let mut tuples = Vec::with_capacity(chunk.len());
        for nu in chunk {
            let u = &nu.unit;
            let base = p.len();
            let ph: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if *c == "search_grams" {
                        format!("CAST(${} AS TEXT[])", base + i + 1)
                    } else {
                        format!("${}", base + i + 1)
                    }
                })
                .collect();
            tuples.push(format!("({})", ph.join(", ")));
            p.push(Value::Text(u.id.clone()));
            let bucket = search::bucket_of(&u.org_path);
            let next_key = match next_keys.get(&bucket) {
                Some(k) => *k,
                None => next_in_bucket(conn, bucket).await?,
            };
            next_keys.insert(bucket, next_key + 1);
            p.push(Value::Int(next_key));
            p.push(Value::Text(u.credit_code.as_str().to_string()));
            p.extend(fact_values(&u.facts, &u.org_path, u.updated_at));
            let k = u.key_unit.as_ref();
            p.extend(params![
                u.risk_grade.code(),
                &u.risk_reason,
                k.is_some(),
                k.map(|k| k.category.clone()),
                k.map(|k| k.reason.clone()),
                k.map(|k| k.confirmed_by.clone()),
                k.map(|k| k.confirmed_at.0),
                u.version,
                u.created_at.0,
            ]);
            let entry = IndexEntry::of(u);
            match backend {
                Backend::Postgres => {
                    let (grams, text) = entry.pg_values();
                    p.push(grams);
                    p.push(text);
                }
                Backend::Sqlite => {
                    fts.push(Value::Int(next_key));
                    fts.extend(entry.fts_values());
                }
            }
        }
        let sql = format!("INSERT INTO units ({}) VALUES {}", cols.join(", "), tuples.join(", "));
        conn.exec(&sql, p).await?;
        if !fts.is_empty() {
            let rows: Vec<String> = (0..fts.len() / 4)
                .map(|i| format!("(${}, ${}, ${}, ${})", i * 4 + 1, i * 4 + 2, i * 4 + 3, i * 4 + 4))
                .collect();
            conn.exec(&format!("INSERT INTO unit_search (rowid, name, address, tags) VALUES {}", rows.join(", ")), fts)
                .await?;
        }
        let mut hp = Vec::with_capacity(chunk.len() * 7);
        for nu in chunk {
            hp.extend(history_params(&nu.history)?);
        }
        conn.exec(&insert_history_sql(chunk.len()), hp).await?;
    }
    Ok(())
}

/// Applies one registry change inside the writer's transaction.
pub(crate) async fn apply<C: Conn>(conn: &mut C, backend: Backend, change: &RegistryChange) -> Result<()> {
    match change {
        RegistryChange::InsertUnits(units) => insert_units(conn, backend, units).await?,
        RegistryChange::UpdateUnit { id, expected_version, facts, org_path, at, history } => {
            let sets: Vec<String> = FACT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
            let n = FACT_COLUMNS.len();
            let sql = format!(
                "UPDATE units SET {}, version = version + 1 WHERE id = ${} AND version = ${}",
                sets.join(", "),
                n + 1,
                n + 2
            );
            let mut p = fact_values(facts, org_path, *at);
            p.push(Value::Text(id.clone()));
            p.push(Value::Int(*expected_version));
            expect_one(conn.exec(&sql, p).await?, "单位")?;
            reindex(conn, backend, id).await?;
            insert_history(conn, history).await?;
        }
        RegistryChange::SetRisk { id, expected_version, grade, reason, at, history } => {
            let n = conn
                .exec(
                    "UPDATE units SET risk_grade = $1, risk_reason = $2, updated_at = $3, version = version + 1 \
                     WHERE id = $4 AND version = $5",
                    params![grade.code(), reason, at.0, id, *expected_version],
                )
                .await?;
            expect_one(n, "单位")?;
            reindex(conn, backend, id).await?;
            insert_history(conn, history).await?;
        }
        RegistryChange::SetKeyUnit { id, expected_version, designation, at, history } => {
            let d = designation.as_ref();
            let n = conn
                .exec(
                    "UPDATE units SET key_unit = $1, key_category = $2, key_reason = $3, key_confirmed_by = $4, \
                     key_confirmed_at = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
                    params![
                        d.is_some(),
                        d.map(|k| k.category.clone()),
                        d.map(|k| k.reason.clone()),
                        d.map(|k| k.confirmed_by.clone()),
                        d.map(|k| k.confirmed_at.0),
                        at.0,
                        id,
                        *expected_version
                    ],
                )
                .await?;
            expect_one(n, "单位")?;
            reindex(conn, backend, id).await?;
            insert_history(conn, history).await?;
        }
        RegistryChange::InsertCredit(c) => {
            conn.exec(
                "INSERT INTO credit_records (id, unit_id, kind, decided_on, doc_no, summary, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![&c.id, &c.unit_id, &c.kind, c.decided_on.to_string(), &c.doc_no, &c.summary, c.created_at.0],
            )
            .await?;
        }
        RegistryChange::InsertAbsence(a) => {
            conn.exec(
                "INSERT INTO officer_absences (id, account_id, kind, from_day, to_day, note, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![
                    &a.id,
                    &a.account_id,
                    a.kind.code(),
                    a.from.to_string(),
                    a.to.to_string(),
                    &a.note,
                    a.created_at.0
                ],
            )
            .await?;
        }
        RegistryChange::DeleteAbsence { id } => {
            let n = conn.exec("DELETE FROM officer_absences WHERE id = $1", params![id]).await?;
            if n != 1 {
                return Err(DomainError::Conflict("不在岗记录已被删除".into()));
            }
        }
        RegistryChange::InsertConflict(c) => {
            let dup = conn
                .query(
                    "SELECT COUNT(*) AS n FROM officer_conflicts WHERE account_id = $1 AND unit_id = $2 AND withdrawn_at IS NULL",
                    params![&c.account_id, &c.unit_id],
                )
                .await?;
            if dup.first().map(|r| r.get::<i64>("n")).transpose()?.unwrap_or(0) > 0 {
                return Err(DomainError::Conflict("该执法人员与该单位的回避关系已登记".into()));
            }
            conn.exec(
                "INSERT INTO officer_conflicts (id, account_id, unit_id, kind, note, declared_at, withdrawn_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL)",
                params![&c.id, &c.account_id, &c.unit_id, c.kind.code(), &c.note, c.declared_at.0],
            )
            .await?;
        }
        RegistryChange::WithdrawConflict { id, at } => {
            let n = conn
                .exec(
                    "UPDATE officer_conflicts SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL",
                    params![at.0, id],
                )
                .await?;
            if n != 1 {
                return Err(DomainError::Conflict("回避登记已撤回或不存在".into()));
            }
        }
        RegistryChange::PutImportJob(j) => {
            conn.exec(
                "INSERT INTO import_jobs (id, file_name, mode, status, total, done, inserted, updated, unchanged, failed, \
                 errors, message, created_by, created_at, finished_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, total = excluded.total, done = excluded.done, \
                 inserted = excluded.inserted, updated = excluded.updated, unchanged = excluded.unchanged, \
                 failed = excluded.failed, errors = excluded.errors, message = excluded.message, finished_at = excluded.finished_at",
                params![
                    &j.id,
                    &j.file_name,
                    &j.mode,
                    &j.status,
                    j.total,
                    j.done,
                    j.inserted,
                    j.updated,
                    j.unchanged,
                    j.failed,
                    &j.errors,
                    &j.message,
                    &j.created_by,
                    j.created_at.0,
                    j.finished_at.map(|t| t.0)
                ],
            )
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl RegistryStore for Db {
    async fn unit(&self, id: &str) -> Result<Option<Unit>> {
        let sql =
            format!("SELECT {UNIT_COLUMNS} FROM units u JOIN orgs o ON o.id = u.org_id WHERE u.id = CAST($1 AS TEXT)");
        one(&self.query(&sql, params![id]).await?, unit)
    }

    async fn units_by_credit_codes(&self, codes: &[String]) -> Result<Vec<Unit>> {
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {UNIT_COLUMNS} FROM units u JOIN orgs o ON o.id = u.org_id WHERE u.credit_code IN ({})",
                ph.join(", ")
            );
            let p: Vec<Value> = chunk.iter().map(|c| Value::Text(c.clone())).collect();
            out.extend(all(&self.query(&sql, p).await?, unit)?);
        }
        Ok(out)
    }

    async fn search_units(&self, q: &UnitSearch) -> Result<(Vec<Unit>, u64)> {
        if q.scopes.is_empty() {
            return Ok((Vec::new(), 0));
        }
        // Every filter is a tag in the same index as the text (see domain::registry::search).
        let scope_tags: Vec<String> =
            q.scopes.iter().filter_map(|s| s.ids().last()).map(|id| search::org_tag(&id)).collect();
        let mut must: Vec<String> = Vec::new();
        if let Some(org) = q.org.as_ref().and_then(|o| o.ids().last()) {
            must.push(search::org_tag(&org));
        }
        if let Some(k) = q.venue_kind {
            must.push(search::kind_tag(k));
        }
        if let Some(k) = q.key_unit {
            must.push(search::key_tag(k));
        }
        if let Some(g) = q.risk_grade {
            must.push(search::risk_tag(g));
        }
        if let Some(s) = q.status {
            must.push(search::status_tag(s));
        }
        // The root's subtree is everything: no scope condition at all.
        let everything = q.scopes.iter().any(|s| s.depth() == 1);
        let limit = q.limit.clamp(1, 500) as usize;
        let offset = q.offset as usize;
        let cap = COUNT_CAP as usize + 1;
        match self.backend() {
            Backend::Sqlite => {
                let mut expr = Vec::new();
                if let Some(text) = &q.text {
                    expr.push(text.fts5());
                }
                if !everything {
                    let scopes: Vec<String> = scope_tags.iter().map(|t| format!("tags : {t}")).collect();
                    expr.push(format!("({})", scopes.join(" OR ")));
                }
                expr.extend(must.iter().map(|t| format!("tags : {t}")));
                if expr.is_empty() {
                    // Everything: every unit is either a key unit or not.
                    expr.push(format!("(tags : {} OR tags : {})", search::key_tag(true), search::key_tag(false)));
                }
                let m = Value::Text(expr.join(" AND "));
                // A search inside one brigade reads only that brigade's key range of the index.
                let buckets: Vec<i64> = match &q.org {
                    Some(org) if org.depth() >= 2 => vec![search::bucket_of(org)],
                    _ if everything => Vec::new(),
                    _ => q.scopes.iter().map(search::bucket_of).collect(),
                };
                let (lo, hi) = match buckets.split_first() {
                    Some((b, rest)) if *b != 0 && rest.iter().all(|x| x == b) => search::bucket_range(*b),
                    _ => (i64::MIN, i64::MAX),
                };
                let (lo, hi) = (Value::Int(lo), Value::Int(hi));
                // One evaluation of the index gives both the count (up to the cap) and the page, newest first.
                let rows = self
                    .query(
                        &format!(
                            "SELECT rowid AS k FROM unit_search WHERE unit_search MATCH $1 AND rowid >= $2 AND rowid <= $3 \
                             ORDER BY rowid DESC LIMIT {cap}"
                        ),
                        vec![m.clone(), lo.clone(), hi.clone()],
                    )
                    .await?;
                let keys: Vec<i64> = rows.iter().map(|r| r.get::<i64>("k")).collect::<Result<_>>()?;
                let count = keys.len() as u64;
                let page: Vec<i64> = if offset + limit <= keys.len() || keys.len() < cap {
                    keys.into_iter().skip(offset).take(limit).collect()
                } else {
                    let rows = self
                        .query(
                            "SELECT rowid AS k FROM unit_search WHERE unit_search MATCH $1 AND rowid >= $2 AND rowid <= $3 \
                             ORDER BY rowid DESC LIMIT $4 OFFSET $5",
                            vec![m, lo, hi, Value::Int(limit as i64), Value::Int(offset as i64)],
                        )
                        .await?;
                    rows.iter().map(|r| r.get::<i64>("k")).collect::<Result<_>>()?
                };
                if page.is_empty() {
                    return Ok((Vec::new(), count));
                }
                let ph: Vec<String> = (1..=page.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT {UNIT_COLUMNS} FROM units u JOIN orgs o ON o.id = u.org_id WHERE u.search_key IN ({}) ORDER BY u.search_key DESC",
                    ph.join(", ")
                );
                let units = all(&self.query(&sql, page.into_iter().map(Value::Int).collect()).await?, unit)?;
                Ok((units, count))
            }
            Backend::Postgres => {
                let mut p = Vec::new();
                let mut conds = Vec::new();
                let mut all_of = must.clone();
                if let Some(text) = &q.text {
                    all_of.extend(text.grams());
                    if let SearchQuery::Bigrams(_) = text {
                        p.push(Value::Text(format!("%{}%", text.text())));
                        conds.push(format!("u.search_text LIKE ${}", p.len()));
                    }
                }
                if !all_of.is_empty() {
                    p.push(Value::Text(search::array_literal(&all_of)));
                    conds.push(format!("u.search_grams @> CAST(${} AS TEXT[])", p.len()));
                }
                if !everything {
                    if all_of.is_empty() {
                        // No text and no filter: the jurisdiction alone, newest first along the search_key index.
                        conds.push(ranges("u.org_path", &q.scopes, &mut p));
                    } else {
                        p.push(Value::Text(search::array_literal(&scope_tags)));
                        conds.push(format!("u.search_grams && CAST(${} AS TEXT[])", p.len()));
                    }
                }
                let filter = if conds.is_empty() { "TRUE".to_string() } else { conds.join(" AND ") };
                if all_of.is_empty() {
                    // Jurisdiction only: newest first along the search_key index, count up to the cap.
                    let count_sql =
                        format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM units u WHERE {filter} LIMIT {cap}) t");
                    let count: i64 =
                        self.query(&count_sql, p.clone()).await?.first().map(|r| r.get("n")).transpose()?.unwrap_or(0);
                    let n = p.len();
                    p.push(Value::Int(limit as i64));
                    p.push(Value::Int(offset as i64));
                    let sql = format!(
                        "SELECT {UNIT_COLUMNS} FROM units u JOIN orgs o ON o.id = u.org_id WHERE {filter} \
                         ORDER BY u.search_key DESC LIMIT ${} OFFSET ${}",
                        n + 1,
                        n + 2
                    );
                    let units = all(&self.query(&sql, p).await?, unit)?;
                    return Ok((units, count as u64));
                }
                // Text or filters: the GIN index yields the matches unordered; take up to the cap, newest first.
                // Beyond the cap the page asks for more characters, so the first matches found are enough.
                let keys_sql = format!("SELECT u.search_key AS k FROM units u WHERE {filter} LIMIT {cap}");
                let mut keys: Vec<i64> =
                    self.query(&keys_sql, p).await?.iter().map(|r| r.get::<i64>("k")).collect::<Result<_>>()?;
                keys.sort_unstable_by(|a, b| b.cmp(a));
                let count = keys.len() as u64;
                let page: Vec<i64> = keys.into_iter().skip(offset).take(limit).collect();
                if page.is_empty() {
                    return Ok((Vec::new(), count));
                }
                let ph: Vec<String> = (1..=page.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT {UNIT_COLUMNS} FROM units u JOIN orgs o ON o.id = u.org_id WHERE u.search_key IN ({}) ORDER BY u.search_key DESC",
                    ph.join(", ")
                );
                let units = all(&self.query(&sql, page.into_iter().map(Value::Int).collect()).await?, unit)?;
                Ok((units, count))
            }
        }
    }

    async fn units_page(&self, scope: &OrgPath, after_key: i64, limit: u32) -> Result<Vec<(i64, Unit)>> {
        let mut p = Vec::new();
        let range = ranges("u.org_path", std::slice::from_ref(scope), &mut p);
        p.push(Value::Int(after_key));
        p.push(Value::Int(i64::from(limit)));
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units u JOIN orgs o ON o.id = u.org_id WHERE {range} AND u.search_key > $3 \
             ORDER BY u.search_key LIMIT $4"
        );
        all(&self.query(&sql, p).await?, |r| Ok((r.get::<i64>("search_key")?, unit(r)?)))
    }

    async fn unit_history(&self, unit_id: &str) -> Result<Vec<HistoryEntry>> {
        let rows = self
            .query(
                "SELECT id, unit_id, at, actor, action, changes, reason FROM unit_history WHERE unit_id = $1 ORDER BY at DESC, id DESC",
                params![unit_id],
            )
            .await?;
        all(&rows, history)
    }

    async fn credit_records(&self, unit_id: &str) -> Result<Vec<CreditRecord>> {
        let rows = self
            .query(
                "SELECT id, unit_id, kind, decided_on, doc_no, summary, created_at FROM credit_records WHERE unit_id = $1 \
                 ORDER BY decided_on DESC",
                params![unit_id],
            )
            .await?;
        all(&rows, |r| {
            Ok(CreditRecord {
                id: get(r, "id")?,
                unit_id: get(r, "unit_id")?,
                kind: get(r, "kind")?,
                decided_on: date(&get::<String>(r, "decided_on")?)?,
                doc_no: get(r, "doc_no")?,
                summary: get(r, "summary")?,
                created_at: Timestamp(get(r, "created_at")?),
            })
        })
    }

    async fn import_job(&self, id: &str) -> Result<Option<ImportJob>> {
        one(&self.query("SELECT * FROM import_jobs WHERE id = $1", params![id]).await?, import_job)
    }

    async fn absences(&self, scope: &OrgPath, from: NaiveDate, to: NaiveDate) -> Result<Vec<Absence>> {
        let mut p = Vec::new();
        let range = ranges("o.path", std::slice::from_ref(scope), &mut p);
        p.push(Value::Text(to.to_string()));
        p.push(Value::Text(from.to_string()));
        let sql = format!(
            "SELECT b.* FROM officer_absences b JOIN accounts a ON a.id = b.account_id JOIN orgs o ON o.id = a.org_id \
             WHERE {range} AND b.from_day <= $3 AND b.to_day >= $4 ORDER BY b.from_day"
        );
        all(&self.query(&sql, p).await?, absence)
    }

    async fn absence(&self, id: &str) -> Result<Option<Absence>> {
        one(&self.query("SELECT * FROM officer_absences WHERE id = $1", params![id]).await?, absence)
    }

    async fn conflicts(&self, scope: &OrgPath) -> Result<Vec<Conflict>> {
        let mut p = Vec::new();
        let range = ranges("o.path", std::slice::from_ref(scope), &mut p);
        let sql = format!(
            "SELECT c.*, a.display_name AS officer_name, u.name AS unit_name FROM officer_conflicts c \
             JOIN accounts a ON a.id = c.account_id JOIN orgs o ON o.id = a.org_id JOIN units u ON u.id = c.unit_id \
             WHERE {range} AND c.withdrawn_at IS NULL ORDER BY a.display_name, u.name"
        );
        all(&self.query(&sql, p).await?, conflict)
    }

    async fn conflict(&self, id: &str) -> Result<Option<Conflict>> {
        let sql = "SELECT c.*, a.display_name AS officer_name, u.name AS unit_name FROM officer_conflicts c \
             JOIN accounts a ON a.id = c.account_id JOIN units u ON u.id = c.unit_id WHERE c.id = $1 AND c.withdrawn_at IS NULL";
        one(&self.query(sql, params![id]).await?, conflict)
    }
}
