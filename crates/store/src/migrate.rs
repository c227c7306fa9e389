//! Append-only migrations, written once for both engines. A migration is never edited after it ships: a
//! change to the schema is a new entry at the end of [`MIGRATIONS`]. Dialect branches exist only where the
//! engines really differ (triggers).

use domain::Result;

use crate::Backend;
use crate::engine::Conn;

/// One step.
pub struct Migration {
    /// Increasing number.
    pub version: i64,
    /// `m<YYYYMMDD>_<NNN>_<verb_object>`.
    pub name: &'static str,
    /// SQL for both engines.
    pub common: &'static str,
    /// Extra SQL for SQLite.
    pub sqlite: &'static str,
    /// Extra SQL for PostgreSQL.
    pub postgres: &'static str,
    /// Data to load after the DDL.
    pub seed: Option<fn(Backend) -> Vec<String>>,
}

/// The holiday table shipped with the source (State Council notices 2020–2026).
pub const CALENDAR_CSV: &str = include_str!("../../../data/calendar-cn-2020-2026.csv");

fn seed_calendar(_: Backend) -> Vec<String> {
    let days = domain::calendar::parse_exceptions_csv(CALENDAR_CSV).expect("the shipped calendar parses");
    let mut out: Vec<String> = days
        .iter()
        .map(|d| {
            // Values come from our own checked-in data file, parsed above: safe to inline.
            format!(
                "INSERT INTO calendar_days (day, kind, name) VALUES ('{}', '{}', '{}')",
                d.date,
                d.kind.code(),
                d.name.replace('\'', "''")
            )
        })
        .collect();
    for year in 2020..=2026 {
        out.push(format!(
            "INSERT INTO calendar_years (year, source) VALUES ({year}, '国务院办公厅关于{year}年部分节假日安排的通知')"
        ));
    }
    out
}

/// All migrations, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "m20261122_001_create_foundation",
        common: r#"
CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES orgs(id),
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT,
    level TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    status TEXT NOT NULL,
    certificate_no TEXT,
    certificate_expires_on TEXT,
    password_hash TEXT NOT NULL,
    password_changed_at BIGINT,
    must_change_password BIGINT NOT NULL,
    locked_until BIGINT,
    last_login_at BIGINT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accounts_org ON accounts (org_id);

CREATE TABLE password_history (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, created_at);

CREATE TABLE login_failures (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account_id, at);

CREATE TABLE role_grants (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    granted_at BIGINT NOT NULL,
    granted_by TEXT NOT NULL,
    UNIQUE (account_id, role, org_id)
);
-- 三员分立 as a database rule as well as a service check: one administrator role per account at most.
CREATE UNIQUE INDEX role_grants_one_admin_role ON role_grants (account_id)
    WHERE role IN ('sys_admin', 'sec_admin', 'audit_admin');

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL
);

-- seq is INTEGER PRIMARY KEY so that SQLite makes it the rowid (one B-tree fewer on every write);
-- PostgreSQL widens it to BIGINT below.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    actor_roles TEXT NOT NULL,
    org_id TEXT,
    ip TEXT NOT NULL,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_name, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_object ON audit_log (object_id);

-- The chain's head: the last sequence number and MAC. Writers lock this row, so the chain stays linear
-- even with several application servers on one PostgreSQL database.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
"#,
        sqlite: r#"
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"#,
        postgres: r#"
ALTER TABLE audit_log ALTER COLUMN seq TYPE BIGINT;
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"#,
        seed: None,
    },
    Migration {
        version: 2,
        name: "m20261122_002_seed_calendar_2020_2026",
        common: "",
        sqlite: "",
        postgres: "",
        seed: Some(seed_calendar),
    },
    Migration {
        version: 3,
        name: "m20261122_003_create_registry_and_random_checks",
        common: r#"
-- 检查对象名录库. Personal numbers are SM4-GCM ciphertexts (*_phone, *_id_card) with a masked copy for
-- display. search_key orders units by creation and keys the SQLite full-text index.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    search_key BIGINT NOT NULL UNIQUE,
    credit_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    venue_kinds TEXT NOT NULL,
    floor_area BIGINT,
    floors BIGINT,
    beds BIGINT,
    rooms BIGINT,
    staff BIGINT,
    responsible_name TEXT,
    responsible_phone TEXT,
    responsible_phone_mask TEXT,
    responsible_id_card TEXT,
    responsible_id_card_mask TEXT,
    manager_name TEXT,
    manager_phone TEXT,
    manager_phone_mask TEXT,
    manager_id_card TEXT,
    manager_id_card_mask TEXT,
    status TEXT NOT NULL,
    risk_grade TEXT NOT NULL,
    risk_reason TEXT NOT NULL,
    key_unit BIGINT NOT NULL,
    key_category TEXT,
    key_reason TEXT,
    key_confirmed_by TEXT,
    key_confirmed_at BIGINT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX units_org_path ON units (org_path, search_key);

CREATE TABLE unit_history (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX unit_history_unit ON unit_history (unit_id, at);

CREATE TABLE credit_records (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX credit_records_unit ON credit_records (unit_id, decided_on);
CREATE INDEX credit_records_decided ON credit_records (kind, decided_on);

CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL,
    inserted BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    errors TEXT NOT NULL,
    message TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);

-- 执法检查人员名录库: absences and declared conflicts (回避).
CREATE TABLE officer_absences (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX officer_absences_account ON officer_absences (account_id, to_day);

CREATE TABLE officer_conflicts (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    declared_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX officer_conflicts_account ON officer_conflicts (account_id);
CREATE INDEX officer_conflicts_unit ON officer_conflicts (unit_id);

-- 随机抽查事项清单.
CREATE TABLE check_items (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    basis TEXT NOT NULL,
    scope TEXT NOT NULL,
    quantity TEXT NOT NULL,
    frequency TEXT NOT NULL,
    method TEXT NOT NULL,
    qualification TEXT NOT NULL,
    officers_per_unit BIGINT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX check_items_org ON check_items (org_id);

CREATE TABLE check_plans (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    item_id TEXT NOT NULL REFERENCES check_items(id),
    title TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    quantity TEXT NOT NULL,
    officers_per_unit BIGINT NOT NULL,
    weights TEXT NOT NULL,
    exclude_recent_days BIGINT NOT NULL,
    prioritize_penalised BIGINT NOT NULL,
    rotation BIGINT NOT NULL,
    status TEXT NOT NULL,
    pool_size BIGINT NOT NULL,
    officer_count BIGINT NOT NULL,
    quota TEXT NOT NULL,
    pool_digest TEXT NOT NULL,
    officer_digest TEXT NOT NULL,
    commitment TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    announced_at BIGINT,
    beacon TEXT NOT NULL,
    inputs_digest TEXT NOT NULL,
    secret_hex TEXT NOT NULL,
    seed_hex TEXT NOT NULL,
    drawn_at BIGINT,
    publish_due TEXT,
    published_at BIGINT,
    cancel_reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX check_plans_org ON check_plans (org_id, period_start);
CREATE INDEX check_plans_item ON check_plans (item_id, period_start);

CREATE TABLE check_plan_units (
    plan_id TEXT NOT NULL REFERENCES check_plans(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    stratum TEXT NOT NULL,
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (plan_id, unit_id)
);

CREATE TABLE check_plan_officers (
    plan_id TEXT NOT NULL REFERENCES check_plans(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    org_path TEXT NOT NULL,
    excluded_units TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (plan_id, account_id)
);

CREATE TABLE check_tasks (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES check_plans(id),
    seq BIGINT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    stratum TEXT NOT NULL,
    result TEXT,
    result_note TEXT NOT NULL,
    checked_on TEXT,
    published_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX check_tasks_plan ON check_tasks (plan_id, seq);
CREATE INDEX check_tasks_unit ON check_tasks (unit_id);

CREATE TABLE check_task_officers (
    task_id TEXT NOT NULL REFERENCES check_tasks(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (task_id, account_id)
);
CREATE INDEX check_task_officers_account ON check_task_officers (account_id);
"#,
        // FTS5 over character bigrams and filter tags (see domain::registry::search); rowid = units.search_key.
        sqlite: r#"
CREATE VIRTUAL TABLE unit_search USING fts5(name, address, tags, tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1);
-- Merge index segments in bigger steps: bulk imports spend less time re-merging (queries barely notice).
INSERT INTO unit_search (unit_search, rank) VALUES ('automerge', 8);
"#,
        // GIN over the same bigrams plus single characters and the filter tags, and the normalised text for
        // the exact substring check.
        postgres: r#"
ALTER TABLE units ADD COLUMN search_grams TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE units ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX units_search_grams ON units USING GIN (search_grams);
"#,
        seed: None,
    },
    Migration {
        version: 4,
        name: "m20261122_004_create_inspections",
        // Rows keep the columns that queries filter on and the parts that change; the rest of a record is
        // its JSON `body` (written once, read whole).
        common: r#"
CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    task_id TEXT REFERENCES check_tasks(id),
    reinspection_of TEXT REFERENCES inspections(id),
    started_at BIGINT NOT NULL,
    officer_ids TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX inspections_unit ON inspections (unit_id, started_at);
CREATE INDEX inspections_org ON inspections (org_id, started_at);
CREATE TABLE hazards (
    id TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    org_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    found_on TEXT NOT NULL,
    deadline TEXT,
    applied_on TEXT,
    order_doc_id TEXT,
    closed_by TEXT,
    closed_at BIGINT,
    escalation TEXT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX hazards_inspection ON hazards (inspection_id);
CREATE INDEX hazards_unit ON hazards (unit_id, status);
CREATE INDEX hazards_org ON hazards (org_id, status, found_on);
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sm3 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    caption TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX evidence_owner ON evidence (owner_type, owner_id);
CREATE TABLE collective_decisions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    held_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX collective_decisions_subject ON collective_decisions (subject_id);
CREATE TABLE measures (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX measures_org ON measures (org_id, started_at);
CREATE INDEX measures_unit ON measures (unit_id);
CREATE TABLE doc_counters (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    doc_type TEXT NOT NULL,
    year BIGINT NOT NULL,
    next_seq BIGINT NOT NULL,
    PRIMARY KEY (org_id, doc_type, year)
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    doc_type TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    status TEXT NOT NULL,
    served_at BIGINT,
    service_method TEXT NOT NULL,
    receiver TEXT NOT NULL,
    body TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (org_id, doc_type, year, seq)
);
CREATE INDEX documents_subject ON documents (subject_id, issued_at);
CREATE TABLE deadlines (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    assignee_id TEXT,
    rule_code TEXT NOT NULL,
    due_on TEXT NOT NULL,
    due_at BIGINT,
    status TEXT NOT NULL,
    met_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX deadlines_open ON deadlines (status, due_on);
CREATE INDEX deadlines_assignee ON deadlines (assignee_id, status, due_on);
CREATE INDEX deadlines_subject ON deadlines (subject_id);
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES accounts(id),
    deadline_id TEXT NOT NULL REFERENCES deadlines(id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    UNIQUE (user_id, deadline_id, kind)
);
CREATE INDEX alerts_user ON alerts (user_id, created_at);
"#,
        sqlite: "",
        postgres: "",
        seed: None,
    },
    Migration {
        version: 5,
        name: "m20261122_005_create_major_hazards",
        common: r#"
CREATE TABLE major_hazards (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX major_hazards_org ON major_hazards (org_id, created_at);
CREATE INDEX major_hazards_unit ON major_hazards (unit_id);
CREATE TABLE hazard_exposures (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    hazard_id TEXT NOT NULL REFERENCES hazards(id),
    status TEXT NOT NULL,
    published_at BIGINT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX hazard_exposures_public ON hazard_exposures (status, published_at);
"#,
        sqlite: "",
        postgres: "",
        seed: None,
    },
    Migration {
        version: 6,
        name: "m20261122_006_add_evidence_print_copy",
        // A photo's print-sized copy, made at upload so that a 照片附页 never decodes the originals.
        common: r#"
ALTER TABLE evidence ADD COLUMN print_key TEXT;
ALTER TABLE evidence ADD COLUMN print_sm3 TEXT;
"#,
        sqlite: "",
        postgres: "",
        seed: None,
    },
    Migration {
        version: 7,
        name: "m20261122_007_index_hazards_closed_by",
        // The hazards a 复查 closed are listed on its page; partial, so recording a hazard (still open)
        // costs nothing more.
        common: r#"
CREATE INDEX hazards_closed_by ON hazards (closed_by) WHERE closed_by IS NOT NULL;
"#,
        sqlite: "",
        postgres: "",
        seed: None,
    },
    Migration {
        version: 8,
        name: "m20261122_008_create_cases",
        // Penalty cases (the body holds the procedure's record; the columns serve lists and locking) and
        // the publications of their decisions. `party_sealed` holds a person's ID number and phone, SM4
        // sealed, out of the body; `search` is what the public portal searches (already redacted).
        common: r#"
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT,
    status TEXT NOT NULL,
    procedure TEXT NOT NULL,
    handler_ids TEXT NOT NULL,
    party_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX cases_org ON cases (org_id, created_at);
CREATE INDEX cases_unit ON cases (unit_id);
CREATE TABLE case_publications (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases(id),
    org_id TEXT NOT NULL REFERENCES orgs(id),
    status TEXT NOT NULL,
    published_at BIGINT,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_publications_public ON case_publications (status, published_at);
CREATE INDEX case_publications_org ON case_publications (org_id, created_at);
"#,
        sqlite: "",
        postgres: "",
        seed: None,
    },
    Migration {
        version: 9,
        name: "m20261122_009_create_entrustments",
        // 委托执法: agreements (published_at set = on the portal), the brigade's records about each town
        // (training, guidance, assessments, faults), the town acts it reviews (keyed by the inspection),
        // and the matters towns hand over.
        common: r#"
CREATE TABLE entrustments (
    id TEXT PRIMARY KEY,
    brigade_id TEXT NOT NULL REFERENCES orgs(id),
    town_id TEXT NOT NULL REFERENCES orgs(id),
    status TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    published_at BIGINT,
    body TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX entrustments_town ON entrustments (town_id, starts_on);
CREATE TABLE entrustment_records (
    id TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES entrustments(id),
    town_id TEXT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX entrustment_records_agreement ON entrustment_records (agreement_id, on_date);
CREATE INDEX entrustment_records_town ON entrustment_records (town_id, on_date);
CREATE TABLE town_acts (
    id TEXT PRIMARY KEY REFERENCES inspections(id),
    agreement_id TEXT NOT NULL REFERENCES entrustments(id),
    town_id TEXT NOT NULL REFERENCES orgs(id),
    review TEXT NOT NULL,
    archived_at BIGINT,
    done_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX town_acts_town ON town_acts (town_id, done_at);
CREATE INDEX town_acts_agreement ON town_acts (agreement_id, done_at);
CREATE TABLE handovers (
    id TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES entrustments(id),
    brigade_id TEXT NOT NULL REFERENCES orgs(id),
    town_id TEXT NOT NULL REFERENCES orgs(id),
    unit_id TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX handovers_town ON handovers (town_id, submitted_at);
CREATE INDEX handovers_status ON handovers (status, submitted_at);
"#,
        sqlite: "",
        postgres: "",
        seed: None,
    },
];

/// Applies the migrations not yet applied, each in its own transaction.
pub(crate) async fn run<C: Conn>(conn: &mut C, backend: Backend, now_ms: i64) -> Result<Vec<&'static str>> {
    if backend == Backend::Postgres {
        // Several servers may start at once: one migrates, the others wait.
        conn.exec("SELECT pg_advisory_lock(7261122)", vec![]).await?;
    }
    let result = run_locked(conn, backend, now_ms).await;
    if backend == Backend::Postgres {
        conn.exec("SELECT pg_advisory_unlock(7261122)", vec![]).await?;
    }
    result
}

async fn run_locked<C: Conn>(conn: &mut C, backend: Backend, now_ms: i64) -> Result<Vec<&'static str>> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<i64> = conn
        .query("SELECT version FROM schema_migrations", vec![])
        .await?
        .iter()
        .map(|r| r.get::<i64>("version"))
        .collect::<Result<_>>()?;
    let mut done = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        conn.batch("BEGIN").await?;
        let step = async {
            let dialect = match backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            for sql in [m.common, dialect] {
                if !sql.trim().is_empty() {
                    conn.batch(sql).await?;
                }
            }
            if let Some(seed) = m.seed {
                for stmt in seed(backend) {
                    conn.exec(&stmt, vec![]).await?;
                }
            }
            conn.exec(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                crate::params![m.version, m.name, now_ms],
            )
            .await?;
            Ok::<(), domain::DomainError>(())
        }
        .await;
        match step {
            Ok(()) => {
                conn.batch("COMMIT").await?;
                tracing::info!(migration = m.name, "applied");
                done.push(m.name);
            }
            Err(e) => {
                let _ = conn.batch("ROLLBACK").await;
                return Err(e);
            }
        }
    }
    Ok(done)
}
