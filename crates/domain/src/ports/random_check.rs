//! What the random checks need from the store.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::account::Account;
use crate::error::Result;
use crate::org::OrgPath;
use crate::random_check::item::{CheckItem, Scope};
use crate::random_check::plan::{Plan, Task, TaskResult};
use crate::random_check::record::{RecordOfficer, RecordUnit};
use crate::registry::risk::RiskGrade;
use crate::time::Timestamp;

/// A drawn task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Id.
    pub id: String,
    /// Order in the draw.
    pub seq: i64,
    /// Unit.
    pub unit_id: String,
    /// Stratum.
    pub stratum: String,
    /// Officer ids.
    pub officers: Vec<String>,
}

/// Changes to items, plans and tasks.
#[derive(Debug, Clone)]
pub enum CheckChange {
    /// A new item.
    InsertItem(CheckItem),
    /// Replace an item's fields, if it still has `expected_version`.
    UpdateItem {
        /// The item with its new fields (version = the one the user saw).
        item: CheckItem,
        /// When.
        at: Timestamp,
    },
    /// A new plan (draft).
    InsertPlan(Box<Plan>),
    /// Fix the pools and publish the commitment.
    Announce {
        /// Plan.
        plan_id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Unit pool.
        pool: Vec<RecordUnit>,
        /// Officer pool.
        officers: Vec<RecordOfficer>,
        /// Units per stratum.
        quota: BTreeMap<String, usize>,
        /// SM3 of the unit pool.
        pool_digest: String,
        /// SM3 of the officer pool.
        officer_digest: String,
        /// SM3 of the secret.
        commitment: String,
        /// The secret, sealed with the field key until the draw.
        secret_sealed: String,
        /// When.
        at: Timestamp,
    },
    /// Record the draw and create the tasks.
    Draw {
        /// Plan.
        plan_id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Beacon.
        beacon: String,
        /// SM3 of the inputs.
        inputs_digest: String,
        /// Secret, now public.
        secret_hex: String,
        /// Seed.
        seed_hex: String,
        /// Tasks.
        tasks: Vec<NewTask>,
        /// Results due for publication by.
        publish_due: NaiveDate,
        /// When.
        at: Timestamp,
    },
    /// Cancel a plan before its draw.
    Cancel {
        /// Plan.
        plan_id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Why.
        reason: String,
        /// When.
        at: Timestamp,
    },
    /// Record a task's result.
    RecordResult {
        /// Task.
        task_id: String,
        /// Result.
        result: TaskResult,
        /// Summary.
        note: String,
        /// Checked on.
        checked_on: NaiveDate,
        /// When.
        at: Timestamp,
    },
    /// Publish the recorded results of a plan; the plan is 已公示结果 when every task has one.
    PublishResults {
        /// Plan.
        plan_id: String,
        /// Every task has a result.
        complete: bool,
        /// When.
        at: Timestamp,
    },
}

/// A unit as the pool sees it.
#[derive(Debug, Clone)]
pub struct PoolCandidate {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Jurisdiction path.
    pub org_path: String,
    /// Risk grade.
    pub risk_grade: RiskGrade,
}

/// The store's side of the random checks.
#[async_trait::async_trait]
pub trait CheckStore: Send + Sync {
    /// Items set by any of `orgs` (a plan's org and the orgs above it), active or not.
    async fn items_of(&self, orgs: &[String]) -> Result<Vec<CheckItem>>;
    /// An item.
    async fn item(&self, id: &str) -> Result<Option<CheckItem>>;
    /// Plans inside any of `scopes`, newest period first.
    async fn plans_in(&self, scopes: &[OrgPath]) -> Result<Vec<Plan>>;
    /// Plans the public may see, newest first.
    async fn public_plans(&self, limit: u32) -> Result<Vec<Plan>>;
    /// A plan.
    async fn plan(&self, id: &str) -> Result<Option<Plan>>;
    /// The secret sealed at announcement.
    async fn plan_secret(&self, id: &str) -> Result<Option<String>>;
    /// The unit pool of an announced plan, sorted by id.
    async fn plan_pool(&self, plan_id: &str) -> Result<Vec<RecordUnit>>;
    /// The officer pool of an announced plan, sorted by id.
    async fn plan_officers(&self, plan_id: &str) -> Result<Vec<RecordOfficer>>;
    /// Tasks of a plan, in draw order.
    async fn tasks(&self, plan_id: &str) -> Result<Vec<Task>>;
    /// A task with its plan id.
    async fn task(&self, id: &str) -> Result<Option<Task>>;
    /// Open tasks (no result yet) where the officer is assigned.
    async fn tasks_of_officer(&self, account_id: &str) -> Result<Vec<(Task, Plan)>>;
    /// Operating units inside `scope` within the item's scope.
    async fn pool_candidates(&self, scope: &OrgPath, item: &Scope) -> Result<Vec<PoolCandidate>>;
    /// Units inside `scope` with a random-check task in a plan whose period ends on or after `since`.
    async fn recently_checked(&self, scope: &OrgPath, since: NaiveDate) -> Result<Vec<String>>;
    /// Units inside `scope` with a penalty credit record decided in `from..=to`.
    async fn penalised_between(&self, scope: &OrgPath, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>>;
    /// Accounts inside `scope` holding an inspecting role (执法人员 or 承办部门负责人).
    async fn inspecting_officers(&self, scope: &OrgPath) -> Result<Vec<Account>>;
    /// (officer, unit) pairs of the latest drawn plan of `item_id` in `org_id` before `before`.
    async fn previous_assignments(
        &self,
        item_id: &str,
        org_id: &str,
        before: NaiveDate,
    ) -> Result<Vec<(String, String)>>;
}
