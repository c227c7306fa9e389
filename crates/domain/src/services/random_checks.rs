//! 双随机、一公开 as a service: the item list, plans from draft to published results, and the public
//! record of each draw.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::account::require_valid_certificate;
use crate::audit::{Ctx, actions};
use crate::authz::Perm;
use crate::calendar::parse_date;
use crate::error::{DomainError, Result};
use crate::org::{Org, OrgId};
use crate::ports::random_check::{CheckChange, NewTask};
use crate::ports::{Change, UnitOfWork};
use crate::random_check::draw::{PoolUnit, hex_of, pool_digest, sm3};
use crate::random_check::item::{self, CheckItem, ItemDraft, Quantity, Scope};
use crate::random_check::officers::{self, Candidate};
use crate::random_check::plan::{self, Plan, PlanStatus, StrataWeights, Task, TaskResult};
use crate::random_check::record::{self, DrawInputs, DrawRecord, RecordOfficer, RecordUnit};

use super::Services;
use super::calendar::Period;

/// Settings key: working days within which results are published (default 20 WD, rules §6 [M]).
pub const PUBLISH_DAYS_KEY: &str = "random_check_publish_days";
/// Default publication period.
pub const DEFAULT_PUBLISH_DAYS: u32 = crate::deadline::PUBLISH_RESULTS_DAYS;

/// A plan as requested.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    /// Jurisdiction.
    pub org_id: String,
    /// Item.
    pub item_id: String,
    /// `2026-12`, `2026-Q4` or `2026`.
    pub period: String,
    /// Title (default: org + period + item).
    pub title: String,
    /// Ratio or count, overriding the item's (empty = the item's).
    pub quantity: String,
    /// Exclude units with a task in the last N days.
    pub exclude_recent_days: u32,
    /// Penalised-last-year units form the priority stratum.
    pub prioritize_penalised: bool,
    /// Rotate officers away from last period's units.
    pub rotation: bool,
    /// Strata weights (empty = defaults).
    pub weights: Option<StrataWeights>,
}

/// What a plan would draw from, before or at announcement.
#[derive(Debug, Clone, Serialize)]
pub struct PoolPreview {
    /// Units.
    pub units: Vec<RecordUnit>,
    /// Officers.
    pub officers: Vec<RecordOfficer>,
    /// Officers left out, with why.
    pub ineligible: Vec<(String, String)>,
    /// Units left out because they were checked recently.
    pub excluded_recent: usize,
    /// Stratum → (size, weight).
    pub strata: BTreeMap<String, (usize, u32)>,
    /// Stratum → units to draw, or why it cannot be drawn.
    pub quota: std::result::Result<BTreeMap<String, usize>, String>,
    /// Units that would not have enough officers (name), if any.
    pub understaffed: Vec<String>,
}

/// A plan with its tasks, as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDetail {
    /// Plan.
    pub plan: Plan,
    /// Item.
    pub item: CheckItem,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// The actor may announce, draw, cancel, publish.
    pub can_plan: bool,
}

impl Services {
    async fn agency_org(&self, ctx: &Ctx, org_id: &str, perm: Perm) -> Result<Org> {
        let actor = ctx.actor()?;
        let org = self
            .store
            .org(&OrgId(org_id.to_string()))
            .await?
            .filter(|o| actor.can(Perm::OrgRead, &o.path))
            .ok_or_else(|| DomainError::invalid("org_id", "机构不存在"))?;
        actor.require(perm, &org.path)?;
        Ok(org)
    }

    /// Items a plan of `org_id` may use: the org's own and those of the orgs above it.
    pub async fn check_items(&self, ctx: &Ctx, org_id: &str) -> Result<Vec<CheckItem>> {
        let org = self.agency_org(ctx, org_id, Perm::RecordRead).await?;
        let ids: Vec<String> = org.path.ids().map(|i| i.0).collect();
        self.store.items_of(&ids).await
    }

    /// An item.
    pub async fn check_item(&self, ctx: &Ctx, id: &str) -> Result<CheckItem> {
        let actor = ctx.actor()?;
        // An item set above applies below: a brigade reads its 支队's items.
        let visible = |i: &CheckItem| {
            actor.can(Perm::OrgRead, &i.org_path)
                || actor
                    .grants
                    .iter()
                    .any(|g| g.role.permissions().contains(&Perm::RecordRead) && i.org_path.contains(&g.org_path))
        };
        self.store.item(id).await?.filter(visible).ok_or(DomainError::NotFound("抽查事项"))
    }

    /// Adds an item to an org's list.
    pub async fn create_check_item(&self, ctx: &Ctx, org_id: &str, d: ItemDraft) -> Result<CheckItem> {
        let org = self.agency_org(ctx, org_id, Perm::CheckPlan).await?;
        item::check_draft(&d)?;
        let i = CheckItem {
            id: crate::new_id(),
            org_id: org.id.clone(),
            org_path: org.path.clone(),
            name: d.name.trim().into(),
            basis: d.basis.trim().into(),
            scope: d.scope,
            quantity: d.quantity,
            frequency: d.frequency,
            method: d.method.trim().into(),
            qualification: d.qualification.trim().into(),
            officers_per_unit: d.officers_per_unit,
            active: true,
            version: 1,
            created_at: ctx.now,
        };
        let audit = ctx.event(actions::CHECK_ITEM_SET, "check_item", i.id.clone()).detail(serde_json::json!({
            "name": i.name, "quantity": i.quantity.describe(), "scope": i.scope.describe(),
        }));
        self.store.commit(UnitOfWork::one(Change::Check(CheckChange::InsertItem(i.clone())), audit)).await?;
        Ok(i)
    }

    /// Changes an item (plans already announced keep their own copy of the parameters).
    pub async fn update_check_item(
        &self,
        ctx: &Ctx,
        id: &str,
        d: ItemDraft,
        active: bool,
        version: i64,
    ) -> Result<CheckItem> {
        let actor = ctx.actor()?;
        let old = self.check_item(ctx, id).await?;
        actor.require(Perm::CheckPlan, &old.org_path)?;
        item::check_draft(&d)?;
        let i = CheckItem {
            name: d.name.trim().into(),
            basis: d.basis.trim().into(),
            scope: d.scope,
            quantity: d.quantity,
            frequency: d.frequency,
            method: d.method.trim().into(),
            qualification: d.qualification.trim().into(),
            officers_per_unit: d.officers_per_unit,
            active,
            version,
            ..old.clone()
        };
        let audit = ctx.event(actions::CHECK_ITEM_SET, "check_item", id).detail(serde_json::json!({
            "before": { "quantity": old.quantity.describe(), "scope": old.scope.describe(), "active": old.active },
            "after": { "quantity": i.quantity.describe(), "scope": i.scope.describe(), "active": active },
        }));
        self.store
            .commit(UnitOfWork::one(Change::Check(CheckChange::UpdateItem { item: i.clone(), at: ctx.now }), audit))
            .await?;
        Ok(CheckItem { version: version + 1, ..i })
    }

    /// Gives an org the default items, if it has none of its own yet.
    pub async fn load_default_items(&self, ctx: &Ctx, org_id: &str) -> Result<Vec<CheckItem>> {
        let org = self.agency_org(ctx, org_id, Perm::CheckPlan).await?;
        if !self.store.items_of(std::slice::from_ref(&org.id.0)).await?.is_empty() {
            return Err(DomainError::Rule("本机构已有抽查事项，不再载入默认清单".into()));
        }
        let mut out = Vec::new();
        for d in item::default_items() {
            out.push(self.create_check_item(ctx, org_id, d).await?);
        }
        Ok(out)
    }

    /// Plans in the actor's jurisdiction.
    pub async fn plans(&self, ctx: &Ctx) -> Result<Vec<Plan>> {
        let scopes = ctx.actor()?.scopes(Perm::RecordRead);
        self.store.plans_in(&scopes).await
    }

    async fn plan_for(&self, ctx: &Ctx, id: &str) -> Result<Plan> {
        let actor = ctx.actor()?;
        self.store
            .plan(id)
            .await?
            .filter(|p| actor.can(Perm::RecordRead, &p.org_path))
            .ok_or(DomainError::NotFound("抽查计划"))
    }

    /// A plan with its item and tasks.
    pub async fn plan_detail(&self, ctx: &Ctx, id: &str) -> Result<PlanDetail> {
        let actor = ctx.actor()?;
        let plan = self.store.plan(id).await?.ok_or(DomainError::NotFound("抽查计划"))?;
        let tasks = self.store.tasks(id).await?;
        // A station's officer sent on a brigade's task sees that plan too.
        let assigned = tasks.iter().any(|t| t.officers.iter().any(|(o, _)| *o == actor.user_id));
        if !assigned && !actor.can(Perm::RecordRead, &plan.org_path) {
            return Err(DomainError::NotFound("抽查计划"));
        }
        let item = self.store.item(&plan.item_id).await?.ok_or(DomainError::NotFound("抽查事项"))?;
        Ok(PlanDetail { can_plan: actor.can(Perm::CheckPlan, &plan.org_path), tasks, item, plan })
    }

    /// Creates a draft plan.
    pub async fn create_plan(&self, ctx: &Ctx, input: PlanInput) -> Result<Plan> {
        let actor = ctx.actor()?;
        let org = self.agency_org(ctx, &input.org_id, Perm::CheckPlan).await?;
        if !org.level.is_agency() {
            return Err(DomainError::invalid("org_id", "抽查计划由消防救援机构（支队、大队）制定"));
        }
        let item = self.check_item(ctx, &input.item_id).await?;
        if !item.org_path.contains(&org.path) {
            return Err(DomainError::invalid("item_id", "该抽查事项不适用于本机构"));
        }
        if !item.active {
            return Err(DomainError::invalid("item_id", "该抽查事项已停用"));
        }
        let (start, end) = plan::parse_period(&input.period)?;
        let quantity = match input.quantity.trim() {
            "" => item.quantity,
            q => Quantity::parse("quantity", q)?,
        };
        let weights = input.weights.unwrap_or_default();
        weights.validate()?;
        if input.exclude_recent_days > 730 {
            return Err(DomainError::invalid("exclude_recent_days", "排除近期已检查单位的天数不超过730"));
        }
        // The title names the period the way it was given: a month, a quarter or a year.
        let period_label = if input.period.contains(['Q', 'q']) {
            format!("{}年第{}季度", start.year(), start.month().div_ceil(3))
        } else if end.month() - start.month() == 11 {
            format!("{}年", start.year())
        } else {
            format!("{}年{}月", start.year(), start.month())
        };
        let title = match input.title.trim() {
            "" => format!("{}{}{}计划", org.name.as_str(), period_label, item.name),
            t if t.chars().count() <= 120 => t.to_string(),
            _ => return Err(DomainError::invalid("title", "计划名称不超过120个字")),
        };
        let plan = Plan {
            id: crate::new_id(),
            org_id: org.id.clone(),
            org_path: org.path.clone(),
            org_name: org.name.as_str().into(),
            item_id: item.id.clone(),
            item_name: item.name.clone(),
            title,
            period_start: start,
            period_end: end,
            quantity,
            officers_per_unit: item.officers_per_unit,
            weights,
            exclude_recent_days: input.exclude_recent_days,
            prioritize_penalised: input.prioritize_penalised,
            rotation: input.rotation,
            status: PlanStatus::Draft,
            pool_size: 0,
            officer_count: 0,
            quota: BTreeMap::new(),
            pool_digest: String::new(),
            officer_digest: String::new(),
            commitment: String::new(),
            announced_at: None,
            beacon: String::new(),
            inputs_digest: String::new(),
            secret_hex: String::new(),
            seed_hex: String::new(),
            drawn_at: None,
            publish_due: None,
            published_at: None,
            cancel_reason: String::new(),
            created_by: actor.display_name.clone(),
            created_at: ctx.now,
            version: 1,
        };
        let audit = ctx.event(actions::PLAN_CREATE, "check_plan", plan.id.clone()).detail(serde_json::json!({
            "title": plan.title, "item_id": item.id, "period": input.period,
        }));
        self.store
            .commit(UnitOfWork::one(Change::Check(CheckChange::InsertPlan(Box::new(plan.clone()))), audit))
            .await?;
        Ok(plan)
    }

    /// Builds the unit and officer pools of a plan as they are now.
    pub async fn plan_pools(&self, ctx: &Ctx, id: &str) -> Result<PoolPreview> {
        let plan = self.plan_for(ctx, id).await?;
        let item = self.store.item(&plan.item_id).await?.ok_or(DomainError::NotFound("抽查事项"))?;
        self.build_pools(&plan, &item.scope, ctx.now.local_date()).await
    }

    async fn build_pools(&self, plan: &Plan, scope: &Scope, today: NaiveDate) -> Result<PoolPreview> {
        let candidates = self.store.pool_candidates(&plan.org_path, scope).await?;
        let recent: HashSet<String> = if plan.exclude_recent_days > 0 {
            let since = today - chrono::Days::new(u64::from(plan.exclude_recent_days));
            self.store.recently_checked(&plan.org_path, since).await?.into_iter().collect()
        } else {
            HashSet::new()
        };
        let last_year = plan.period_start.year() - 1;
        let penalised: HashSet<String> = if plan.prioritize_penalised {
            let from = NaiveDate::from_ymd_opt(last_year, 1, 1).ok_or_else(|| DomainError::internal("year"))?;
            let to = NaiveDate::from_ymd_opt(last_year, 12, 31).ok_or_else(|| DomainError::internal("year"))?;
            self.store.penalised_between(&plan.org_path, from, to).await?.into_iter().collect()
        } else {
            HashSet::new()
        };
        let mut excluded_recent = 0;
        let mut units = Vec::with_capacity(candidates.len());
        for c in candidates {
            if recent.contains(&c.id) {
                excluded_recent += 1;
                continue;
            }
            let stratum = plan::stratum_of(c.risk_grade, penalised.contains(&c.id), plan.prioritize_penalised);
            units.push(RecordUnit { id: c.id, stratum: stratum.to_string(), org_path: c.org_path, name: c.name });
        }
        let mut strata: BTreeMap<String, (usize, u32)> = BTreeMap::new();
        for u in &units {
            strata.entry(u.stratum.clone()).or_insert((0, plan.weights.of(&u.stratum))).0 += 1;
        }
        let total = plan.quantity.of(units.len());
        let quota = if units.is_empty() {
            Err("检查对象名录中没有符合该事项范围的正常经营单位，请先完善名录库或调整事项范围".to_string())
        } else {
            plan::allocate(total, &strata).map_err(|e| e.to_string())
        };

        // Officers: certified, present, with their exclusions.
        let accounts = self.store.inspecting_officers(&plan.org_path).await?;
        let absences = self.store.absences(&plan.org_path, plan.period_start, plan.period_end).await?;
        let conflicts = self.store.conflicts(&plan.org_path).await?;
        let previous: Vec<(String, String)> = if plan.rotation {
            self.store.previous_assignments(&plan.item_id, &plan.org_id.0, plan.period_start).await?
        } else {
            Vec::new()
        };
        let mut officers = Vec::new();
        let mut ineligible = Vec::new();
        for a in accounts {
            let c = Candidate {
                status: a.status,
                certificate: a.certificate.clone(),
                absences: absences.iter().filter(|b| b.account_id == a.id).map(|b| (b.from, b.to)).collect(),
            };
            if let Err(why) = officers::eligibility(&c, plan.period_start, plan.period_end) {
                ineligible.push((a.display_name.as_str().to_string(), why));
                continue;
            }
            let mut excluded: BTreeSet<String> =
                conflicts.iter().filter(|x| x.account_id == a.id).map(|x| x.unit_id.clone()).collect();
            excluded.extend(previous.iter().filter(|(o, _)| *o == a.id).map(|(_, u)| u.clone()));
            officers.push(RecordOfficer {
                id: a.id.clone(),
                org_path: a.org_path.as_str().to_string(),
                excluded_units: excluded,
                name: a.display_name.as_str().to_string(),
            });
        }
        officers.sort_by(|a, b| a.id.cmp(&b.id));
        // Units that could never get a full group of officers.
        let per_unit = plan.officers_per_unit as usize;
        let mut by_path: HashMap<&str, Vec<&RecordOfficer>> = HashMap::new();
        for o in &officers {
            by_path.entry(o.org_path.as_str()).or_default().push(o);
        }
        let understaffed: Vec<String> = units
            .iter()
            .filter(|u| {
                let n = u
                    .org_path
                    .match_indices('/')
                    .filter_map(|(end, _)| by_path.get(&u.org_path[..=end]))
                    .flatten()
                    .filter(|o| !o.excluded_units.contains(&u.id))
                    .count();
                n < per_unit
            })
            .map(|u| u.name.clone())
            .collect();
        Ok(PoolPreview { units, officers, ineligible, excluded_recent, strata, quota, understaffed })
    }

    /// Announces a plan: fixes both pools, publishes their SM3 digests and the commitment to a fresh
    /// secret. From now on nothing about the draw can change.
    pub async fn announce_plan(&self, ctx: &Ctx, id: &str, version: i64) -> Result<Plan> {
        let actor = ctx.actor()?;
        let plan = self.plan_for(ctx, id).await?;
        actor.require(Perm::CheckPlan, &plan.org_path)?;
        if plan.status != PlanStatus::Draft {
            return Err(DomainError::Rule(format!("计划当前为“{}”，不能再公布", plan.status.label())));
        }
        let item = self.store.item(&plan.item_id).await?.ok_or(DomainError::NotFound("抽查事项"))?;
        let pools = self.build_pools(&plan, &item.scope, ctx.now.local_date()).await?;
        let quota = pools.quota.map_err(DomainError::Rule)?;
        let per_unit = plan.officers_per_unit as usize;
        if pools.officers.len() < per_unit {
            return Err(DomainError::Rule(format!(
                "执法检查人员名录中符合条件的只有{}人，少于每组{per_unit}人，请补充人员或核对执法证、不在岗登记",
                pools.officers.len()
            )));
        }
        if !pools.understaffed.is_empty() {
            let names: Vec<&str> = pools.understaffed.iter().take(5).map(String::as_str).collect();
            return Err(DomainError::Rule(format!(
                "{}家单位（如{}）在回避后可派执法人员不足{per_unit}名，请补充辖区执法人员",
                pools.understaffed.len(),
                names.join("、")
            )));
        }
        let secret = self.crypto.random_token(32);
        let commitment = hex_of(&sm3(secret.as_bytes()));
        let secret_sealed = self.crypto.seal_field(&format!("check_plans|secret|{id}"), &secret)?;
        let pool_units: Vec<PoolUnit> = pools
            .units
            .iter()
            .map(|u| PoolUnit { id: u.id.clone(), stratum: u.stratum.clone(), org_path: u.org_path.clone() })
            .collect();
        let pool_digest = pool_digest(&pool_units);
        let officer_digest = record::officer_digest(&pools.officers);
        let audit = ctx.event(actions::PLAN_ANNOUNCE, "check_plan", id).detail(serde_json::json!({
            "pool_size": pools.units.len(), "officers": pools.officers.len(), "quota": quota,
            "pool_digest": pool_digest, "officer_digest": officer_digest, "commitment": commitment,
        }));
        let change = CheckChange::Announce {
            plan_id: id.to_string(),
            expected_version: version,
            pool: pools.units.clone(),
            officers: pools.officers.clone(),
            quota: quota.clone(),
            pool_digest: pool_digest.clone(),
            officer_digest: officer_digest.clone(),
            commitment: commitment.clone(),
            secret_sealed,
            at: ctx.now,
        };
        self.store.commit(UnitOfWork::one(Change::Check(change), audit)).await?;
        Ok(Plan {
            status: PlanStatus::Announced,
            pool_size: pools.units.len() as i64,
            officer_count: pools.officers.len() as i64,
            quota,
            pool_digest,
            officer_digest,
            commitment,
            announced_at: Some(ctx.now),
            version: version + 1,
            ..plan
        })
    }

    /// Draws: reveals the secret, mixes in the beacon, draws units and officers, creates the tasks. A draw
    /// that fails writes nothing.
    pub async fn draw_plan(&self, ctx: &Ctx, id: &str, version: i64, beacon: &str) -> Result<Plan> {
        let actor = ctx.actor()?;
        let plan = self.plan_for(ctx, id).await?;
        actor.require(Perm::CheckPlan, &plan.org_path)?;
        if plan.status != PlanStatus::Announced {
            return Err(DomainError::Rule(format!("计划当前为“{}”，只有已公布的计划可以抽取", plan.status.label())));
        }
        let beacon = beacon.trim();
        if beacon.chars().count() > 200 {
            return Err(DomainError::invalid("beacon", "公开随机值不超过200个字"));
        }
        let sealed = self
            .store
            .plan_secret(id)
            .await?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| DomainError::internal("secret missing"))?;
        let secret = self.crypto.open_field(&format!("check_plans|secret|{id}"), &sealed)?;
        let pool = self.store.plan_pool(id).await?;
        let officers = self.store.plan_officers(id).await?;
        let inputs = DrawInputs {
            plan_id: id.to_string(),
            quota: plan.quota.clone(),
            officers_per_unit: plan.officers_per_unit as usize,
            pool_digest: plan.pool_digest.clone(),
            officer_digest: plan.officer_digest.clone(),
            commitment: plan.commitment.clone(),
            beacon: beacon.to_string(),
        };
        let pool_units: Vec<PoolUnit> = pool
            .iter()
            .map(|u| PoolUnit { id: u.id.clone(), stratum: u.stratum.clone(), org_path: u.org_path.clone() })
            .collect();
        let out = record::run_draw(&inputs, secret.as_bytes(), &pool_units, &officers)?;
        let days = self.publish_days().await?;
        let due = self.deadline(&ctx.now.local_date().to_string(), Period::WorkingDays(days)).await?.due;
        let tasks: Vec<NewTask> = out
            .assignments
            .iter()
            .enumerate()
            .map(|(i, a)| NewTask {
                id: crate::new_id(),
                seq: i as i64 + 1,
                unit_id: a.unit_id.clone(),
                stratum: a.stratum.clone(),
                officers: a.officers.clone(),
            })
            .collect();
        let audit = ctx.event(actions::PLAN_DRAW, "check_plan", id).detail(serde_json::json!({
            "beacon": beacon, "seed": out.seed_hex, "inputs_digest": out.inputs_digest, "tasks": tasks.len(),
        }));
        let change = CheckChange::Draw {
            plan_id: id.to_string(),
            expected_version: version,
            beacon: beacon.to_string(),
            inputs_digest: out.inputs_digest.clone(),
            secret_hex: hex_of(secret.as_bytes()),
            seed_hex: out.seed_hex.clone(),
            tasks,
            publish_due: due,
            at: ctx.now,
        };
        self.store.commit(UnitOfWork::one(Change::Check(change), audit)).await?;
        Ok(Plan {
            status: PlanStatus::Drawn,
            beacon: beacon.to_string(),
            inputs_digest: out.inputs_digest,
            secret_hex: hex_of(secret.as_bytes()),
            seed_hex: out.seed_hex,
            drawn_at: Some(ctx.now),
            publish_due: Some(due),
            version: version + 1,
            ..plan
        })
    }

    async fn publish_days(&self) -> Result<u32> {
        Ok(match self.store.setting(PUBLISH_DAYS_KEY).await? {
            Some((v, _)) => serde_json::from_str(&v).map_err(DomainError::internal)?,
            None => DEFAULT_PUBLISH_DAYS,
        })
    }

    /// Cancels a plan before its draw; the reason stays public once the plan was announced.
    pub async fn cancel_plan(&self, ctx: &Ctx, id: &str, version: i64, reason: &str) -> Result<()> {
        let actor = ctx.actor()?;
        let plan = self.plan_for(ctx, id).await?;
        actor.require(Perm::CheckPlan, &plan.org_path)?;
        if !matches!(plan.status, PlanStatus::Draft | PlanStatus::Announced) {
            return Err(DomainError::Rule("已抽取的计划不能撤销".into()));
        }
        let reason = reason.trim();
        if reason.chars().count() < 4 || reason.chars().count() > 200 {
            return Err(DomainError::invalid("reason", "请说明撤销理由（4至200个字）"));
        }
        let audit = ctx.event(actions::PLAN_CANCEL, "check_plan", id).outcome(crate::audit::Outcome::Success, reason);
        let change = CheckChange::Cancel {
            plan_id: id.to_string(),
            expected_version: version,
            reason: reason.into(),
            at: ctx.now,
        };
        self.store.commit(UnitOfWork::one(Change::Check(change), audit)).await?;
        Ok(())
    }

    /// Records a task's result: an officer of the task (with a valid certificate on the day) or a planner.
    pub async fn record_task_result(
        &self,
        ctx: &Ctx,
        task_id: &str,
        result: &str,
        note: &str,
        checked_on: &str,
    ) -> Result<Task> {
        let actor = ctx.actor()?;
        let task = self.store.task(task_id).await?.ok_or(DomainError::NotFound("检查任务"))?;
        let assigned = task.officers.iter().any(|(id, _)| *id == actor.user_id);
        // The officers sent on the task record its result even when the plan belongs to the org above them.
        let plan = if assigned {
            self.store.plan(&task.plan_id).await?.ok_or(DomainError::NotFound("抽查计划"))?
        } else {
            self.plan_for(ctx, &task.plan_id).await?
        };
        if !assigned {
            actor.require(Perm::CheckPlan, &plan.org_path)?;
        }
        if task.published_at.is_some() {
            return Err(DomainError::Rule("该任务的检查结果已公示，不能修改".into()));
        }
        let result = TaskResult::parse("result", result)?;
        let checked_on = parse_date("checked_on", checked_on)?;
        if checked_on < plan.period_start || checked_on > ctx.now.local_date() {
            return Err(DomainError::invalid("checked_on", "检查日期应在计划期开始之后、今天之前"));
        }
        if assigned {
            let me = self.store.account(&actor.user_id).await?.ok_or(DomainError::Unauthenticated)?;
            require_valid_certificate(&me, checked_on)?;
        }
        let note = note.trim();
        if note.chars().count() > 300 {
            return Err(DomainError::invalid("note", "结果说明不超过300个字（将公开，请勿填写个人信息）"));
        }
        let audit = ctx.event(actions::TASK_RESULT, "check_task", task_id).detail(serde_json::json!({
            "plan_id": plan.id, "result": result.code(), "checked_on": checked_on.to_string(),
        }));
        let change =
            CheckChange::RecordResult { task_id: task_id.into(), result, note: note.into(), checked_on, at: ctx.now };
        self.store.commit(UnitOfWork::one(Change::Check(change), audit)).await?;
        Ok(Task { result: Some(result), result_note: note.into(), checked_on: Some(checked_on), ..task })
    }

    /// Publishes the recorded results of a plan.
    pub async fn publish_results(&self, ctx: &Ctx, id: &str) -> Result<usize> {
        let actor = ctx.actor()?;
        let plan = self.plan_for(ctx, id).await?;
        actor.require(Perm::CheckPlan, &plan.org_path)?;
        if plan.status != PlanStatus::Drawn {
            return Err(DomainError::Rule(format!("计划当前为“{}”，没有待公示的结果", plan.status.label())));
        }
        let tasks = self.store.tasks(id).await?;
        let ready = tasks.iter().filter(|t| t.result.is_some() && t.published_at.is_none()).count();
        if ready == 0 {
            return Err(DomainError::Rule("没有已登记但未公示的检查结果".into()));
        }
        let complete = tasks.iter().all(|t| t.result.is_some());
        let audit = ctx
            .event(actions::RESULTS_PUBLISH, "check_plan", id)
            .detail(serde_json::json!({ "published": ready, "complete": complete }));
        self.store
            .commit(UnitOfWork::one(
                Change::Check(CheckChange::PublishResults { plan_id: id.into(), complete, at: ctx.now }),
                audit,
            ))
            .await?;
        Ok(ready)
    }

    /// Open tasks of the actor (for the worklist).
    pub async fn my_tasks(&self, ctx: &Ctx) -> Result<Vec<(Task, Plan)>> {
        let actor = ctx.actor()?;
        self.store.tasks_of_officer(&actor.user_id).await
    }

    /// Plans on the public portal (no login).
    pub async fn public_plans(&self) -> Result<Vec<Plan>> {
        self.store.public_plans(200).await
    }

    /// A public plan with its tasks; results appear once published.
    pub async fn public_plan(&self, id: &str) -> Result<(Plan, Vec<Task>)> {
        let plan = self.store.plan(id).await?.filter(Plan::is_public).ok_or(DomainError::NotFound("抽查计划"))?;
        let mut tasks = self.store.tasks(id).await?;
        for t in &mut tasks {
            if t.published_at.is_none() {
                t.result = None;
                t.result_note.clear();
                t.checked_on = None;
            }
        }
        Ok((plan, tasks))
    }

    /// The published record of a drawn plan, for anyone to verify.
    pub async fn draw_record(&self, id: &str) -> Result<DrawRecord> {
        let plan = self
            .store
            .plan(id)
            .await?
            .filter(|p| matches!(p.status, PlanStatus::Drawn | PlanStatus::Published))
            .ok_or(DomainError::NotFound("抽取记录"))?;
        let tasks = self.store.tasks(id).await?;
        Ok(DrawRecord {
            format: record::FORMAT.into(),
            title: plan.title.clone(),
            org_name: plan.org_name.clone(),
            item_name: plan.item_name.clone(),
            period_start: plan.period_start.to_string(),
            period_end: plan.period_end.to_string(),
            announced_at: plan.announced_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            drawn_at: plan.drawn_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            inputs: DrawInputs {
                plan_id: plan.id.clone(),
                quota: plan.quota.clone(),
                officers_per_unit: plan.officers_per_unit as usize,
                pool_digest: plan.pool_digest.clone(),
                officer_digest: plan.officer_digest.clone(),
                commitment: plan.commitment.clone(),
                beacon: plan.beacon.clone(),
            },
            pool: self.store.plan_pool(id).await?,
            officers: self.store.plan_officers(id).await?,
            secret: plan.secret_hex.clone(),
            seed: plan.seed_hex.clone(),
            inputs_digest: plan.inputs_digest.clone(),
            assignments: tasks
                .iter()
                .map(|t| record::Assignment {
                    unit_id: t.unit_id.clone(),
                    stratum: t.stratum.clone(),
                    officers: t.officers.iter().map(|(id, _)| id.clone()).collect(),
                })
                .collect(),
        })
    }
}
