//! 检查对象名录库 as a service: adding, editing, searching, importing and exporting units; key-unit
//! designation; risk grades; unmasking personal numbers with a stated reason.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{Ctx, actions};
use crate::authz::{Actor, Perm};
use crate::error::{DomainError, Result};
use crate::identity::CreditCode;
use crate::org::{Org, OrgId, OrgPath};
use crate::ports::registry::{CreditRecord, HistoryEntry, ImportJob, NewUnit, RegistryChange, UnitSearch};
use crate::ports::{Change, UnitOfWork};
use crate::registry::import::{self, DuplicateCheck, Header, ImportRow, RowError};
use crate::registry::key_unit::{self, KeyDesignation, Proposal};
use crate::registry::risk::{RiskFacts, RiskGrade, RiskWeights};
use crate::registry::search::SearchQuery;
use crate::registry::unit::{
    Contact, Sealed, SizeFacts, Unit, UnitFacts, UnitStatus, mask, parse_address, parse_count, parse_unit_name,
};
use crate::registry::venue::{VenueKind, VenueKinds};

use super::Services;

/// Settings key: the province whose key-unit thresholds apply (`全国` = the national baseline).
pub const PROVINCE_KEY: &str = "registry_province";
/// Settings key: risk weights.
pub const RISK_WEIGHTS_KEY: &str = "registry_risk_weights";

/// A unit as typed into a form or sent to the API. Counts are text so that a form's empty box and a
/// typo get the same Chinese message as an import cell.
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    /// 统一社会信用代码 (ignored on update: the code identifies the unit).
    pub credit_code: String,
    /// 单位名称.
    pub name: String,
    /// 地址.
    pub address: String,
    /// Jurisdiction org id.
    pub org_id: String,
    /// Venue kind codes or names.
    pub venue_kinds: Vec<String>,
    /// 建筑面积.
    pub floor_area: String,
    /// 层数.
    pub floors: String,
    /// 床位.
    pub beds: String,
    /// 客房.
    pub rooms: String,
    /// 从业人员.
    pub staff: String,
    /// 责任人.
    pub responsible_name: String,
    /// 责任人电话.
    pub responsible_phone: String,
    /// 责任人身份证号.
    pub responsible_id_card: String,
    /// 管理人.
    pub manager_name: String,
    /// 管理人电话.
    pub manager_phone: String,
    /// Status code or name (empty = operating).
    pub status: String,
}

/// A unit with what its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct UnitDetail {
    /// The unit.
    pub unit: Unit,
    /// What the criteria propose, when it differs from the confirmed designation.
    pub proposal: Option<Proposal>,
    /// History, newest first.
    pub history: Vec<HistoryEntry>,
    /// Credit records.
    pub credits: Vec<CreditRecord>,
    /// The derived risk grade and why.
    pub derived_risk: (RiskGrade, String),
    /// The actor may edit.
    pub can_edit: bool,
    /// The actor may unmask personal numbers.
    pub can_reveal: bool,
}

/// Filters of the unit list, as typed.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Text.
    pub q: Option<String>,
    /// Org id.
    pub org_id: Option<String>,
    /// Venue kind code.
    pub venue_kind: Option<String>,
    /// `1` key units, `0` non-key.
    pub key_unit: Option<String>,
    /// Risk grade code.
    pub risk_grade: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Page (1-based).
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// How an import treats bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Any bad row: nothing is imported.
    AllOrNothing,
    /// Bad rows are reported and skipped; the good ones are imported.
    GoodRows,
}

impl ImportMode {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            ImportMode::AllOrNothing => "all_or_nothing",
            ImportMode::GoodRows => "good_rows",
        }
    }
    /// Parses a code.
    pub fn parse(s: &str) -> Result<ImportMode> {
        match s {
            "all_or_nothing" | "" => Ok(ImportMode::AllOrNothing),
            "good_rows" => Ok(ImportMode::GoodRows),
            _ => Err(DomainError::invalid("mode", "导入方式应为“全部正确才导入”或“仅导入正确的行”")),
        }
    }
}

/// Rows of a spreadsheet, header first.
pub type RowReader = Box<dyn Iterator<Item = Result<Vec<String>>> + Send>;

/// Rows per transaction during an import: big enough to amortise the commit, small enough to keep memory
/// flat and let other writers in between.
const IMPORT_BATCH: usize = 2000;
/// Problems kept in the job record (the count is always exact).
const MAX_REPORTED_ERRORS: usize = 1000;

fn aad(unit_id: &str, col: &str) -> String {
    format!("units|{col}|{unit_id}")
}

fn parse_input(input: &UnitInput, org_id: OrgId) -> Result<UnitFacts<String>> {
    Ok(UnitFacts {
        name: parse_unit_name(&input.name)?,
        address: parse_address(&input.address)?,
        org_id,
        venue_kinds: VenueKinds::from_parts("venue_kinds", input.venue_kinds.iter().map(String::as_str))?,
        size: SizeFacts {
            floor_area: parse_count("floor_area", "建筑面积", &input.floor_area)?,
            floors: parse_count("floors", "层数", &input.floors)?,
            beds: parse_count("beds", "床位数", &input.beds)?,
            rooms: parse_count("rooms", "客房数", &input.rooms)?,
            staff: parse_count("staff", "从业人员数", &input.staff)?,
        },
        responsible: Contact::parse(
            "responsible",
            &input.responsible_name,
            &input.responsible_phone,
            &input.responsible_id_card,
        )?,
        manager: Contact::parse("manager", &input.manager_name, &input.manager_phone, "")?,
        status: UnitStatus::parse("status", &input.status)?,
    })
}

fn actor_label(actor: &Actor) -> String {
    format!("{}（{}）", actor.display_name, actor.username)
}

/// The business settings of the registry and the random checks, with the versions read.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrySettings {
    /// Province whose key-unit thresholds apply.
    pub province: String,
    /// Risk weights.
    pub risk_weights: RiskWeights,
    /// Working days within which random-check results are published.
    pub publish_days: u32,
    /// Versions of the three settings (0 = never saved).
    pub versions: [i64; 3],
}

impl Services {
    /// The settings in force.
    pub async fn registry_settings(&self) -> Result<RegistrySettings> {
        let mut versions = [0i64; 3];
        for (i, key) in [PROVINCE_KEY, RISK_WEIGHTS_KEY, super::random_checks::PUBLISH_DAYS_KEY].iter().enumerate() {
            versions[i] = self.store.setting(key).await?.map(|(_, v)| v).unwrap_or(0);
        }
        let publish_days = match self.store.setting(super::random_checks::PUBLISH_DAYS_KEY).await? {
            Some((v, _)) => serde_json::from_str(&v).map_err(DomainError::internal)?,
            None => super::random_checks::DEFAULT_PUBLISH_DAYS,
        };
        Ok(RegistrySettings {
            province: self.registry_province().await?,
            risk_weights: self.risk_weights().await?,
            publish_days,
            versions,
        })
    }

    /// Changes the settings (系统管理员 of the whole tree), with one audit record naming before and after.
    pub async fn update_registry_settings(
        &self,
        ctx: &Ctx,
        province: &str,
        weights: RiskWeights,
        publish_days: u32,
        versions: [i64; 3],
    ) -> Result<RegistrySettings> {
        let actor = ctx.actor()?;
        actor.require(Perm::SettingsManage, &super::security::root_of(&actor.org_path))?;
        if !key_unit::provinces(key_unit::shipped_criteria()).iter().any(|p| p == province) {
            return Err(DomainError::invalid("province", "该省份没有界定标准数据，请选择列表中的省份或“全国”"));
        }
        weights.validate()?;
        if !(1..=60).contains(&publish_days) {
            return Err(DomainError::invalid("publish_days", "结果公示期限应为1至60个工作日"));
        }
        let before = self.registry_settings().await?;
        let put = |key: &str, value: String, version: i64| Change::PutSetting {
            key: key.into(),
            value,
            expected_version: (version > 0).then_some(version),
            at: ctx.now,
        };
        let json = |v: serde_json::Value| v.to_string();
        let work = UnitOfWork::default()
            .change(put(PROVINCE_KEY, json(serde_json::json!(province)), versions[0]))
            .change(put(RISK_WEIGHTS_KEY, serde_json::to_string(&weights).map_err(DomainError::internal)?, versions[1]))
            .change(put(super::random_checks::PUBLISH_DAYS_KEY, json(serde_json::json!(publish_days)), versions[2]))
            .audit(ctx.event(actions::SETTINGS_UPDATE, "setting", "registry").detail(serde_json::json!({
                "before": { "province": before.province, "risk_weights": before.risk_weights, "publish_days": before.publish_days },
                "after": { "province": province, "risk_weights": weights, "publish_days": publish_days },
            })));
        self.store.commit(work).await?;
        self.registry_settings().await
    }

    pub(crate) fn seal_facts(&self, unit_id: &str, facts: UnitFacts<String>) -> Result<UnitFacts<Sealed>> {
        let seal = |prefix: &'static str| {
            move |kind: &str, plain: String| -> Result<Sealed> {
                let col = format!("{prefix}_{kind}");
                Ok(Sealed { sealed: self.crypto.seal_field(&aad(unit_id, &col), &plain)?, masked: mask(kind, &plain) })
            }
        };
        Ok(UnitFacts {
            responsible: facts.responsible.try_map(seal("responsible"))?,
            manager: facts.manager.try_map(seal("manager"))?,
            name: facts.name,
            address: facts.address,
            org_id: facts.org_id,
            venue_kinds: facts.venue_kinds,
            size: facts.size,
            status: facts.status,
        })
    }

    fn open_facts(&self, unit: &Unit) -> Result<UnitFacts<String>> {
        let f = unit.facts.clone();
        let open = |prefix: &'static str| {
            move |kind: &str, s: Sealed| -> Result<String> {
                self.crypto.open_field(&aad(&unit.id, &format!("{prefix}_{kind}")), &s.sealed)
            }
        };
        Ok(UnitFacts {
            responsible: f.responsible.try_map(open("responsible"))?,
            manager: f.manager.try_map(open("manager"))?,
            name: f.name,
            address: f.address,
            org_id: f.org_id,
            venue_kinds: f.venue_kinds,
            size: f.size,
            status: f.status,
        })
    }

    /// The org a unit is put under: it must exist, be active and lie where the actor manages the registry.
    async fn registry_org(&self, actor: &Actor, org_id: &str) -> Result<Org> {
        let org = self
            .store
            .org(&OrgId(org_id.to_string()))
            .await?
            .filter(|o| actor.can(Perm::OrgRead, &o.path))
            .ok_or_else(|| DomainError::invalid("org_id", "管辖机构不存在"))?;
        actor.require(Perm::RegistryManage, &org.path)?;
        if !org.active {
            return Err(DomainError::invalid("org_id", "管辖机构已停用"));
        }
        Ok(org)
    }

    /// The province whose thresholds apply.
    pub async fn registry_province(&self) -> Result<String> {
        Ok(match self.store.setting(PROVINCE_KEY).await? {
            Some((v, _)) => serde_json::from_str(&v).map_err(DomainError::internal)?,
            None => key_unit::NATIONAL.to_string(),
        })
    }

    /// The risk weights in force.
    pub async fn risk_weights(&self) -> Result<RiskWeights> {
        Ok(match self.store.setting(RISK_WEIGHTS_KEY).await? {
            Some((v, _)) => serde_json::from_str(&v).map_err(DomainError::internal)?,
            None => RiskWeights::default(),
        })
    }

    /// Adds a unit.
    pub async fn create_unit(&self, ctx: &Ctx, input: UnitInput) -> Result<Unit> {
        let actor = ctx.actor()?;
        let org = self.registry_org(actor, &input.org_id).await?;
        let credit_code = CreditCode::parse(&input.credit_code)?;
        let facts = parse_input(&input, org.id.clone())?;
        if !self.store.units_by_credit_codes(&[credit_code.as_str().to_string()]).await?.is_empty() {
            return Err(DomainError::Conflict("统一社会信用代码已存在，该单位已在名录库中".into()));
        }
        let id = crate::new_id();
        let history = HistoryEntry {
            id: crate::new_id(),
            unit_id: id.clone(),
            at: ctx.now,
            actor: actor_label(actor),
            action: "新建".into(),
            changes: Vec::new(),
            reason: String::new(),
        };
        let unit = Unit {
            credit_code,
            facts: self.seal_facts(&id, facts)?,
            org_path: org.path.clone(),
            org_name: org.name.as_str().to_string(),
            risk_grade: RiskGrade::General,
            risk_reason: "新建单位默认为一般风险".into(),
            key_unit: None,
            version: 1,
            created_at: ctx.now,
            updated_at: ctx.now,
            id,
        };
        let audit = ctx.event(actions::UNIT_CREATE, "unit", unit.id.clone()).detail(serde_json::json!({
            "credit_code": unit.credit_code.as_str(), "name": unit.facts.name, "org_id": org.id.0,
        }));
        let change = Change::Registry(RegistryChange::InsertUnits(vec![NewUnit { unit: unit.clone(), history }]));
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(unit)
    }

    /// A unit the actor may read (else 不存在).
    pub async fn get_unit(&self, ctx: &Ctx, id: &str) -> Result<Unit> {
        let actor = ctx.actor()?;
        self.store
            .unit(id)
            .await?
            .filter(|u| actor.can(Perm::RecordRead, &u.org_path))
            .ok_or(DomainError::NotFound("单位"))
    }

    /// A unit with its history, credit records, key-unit proposal and derived risk.
    pub async fn unit_detail(&self, ctx: &Ctx, id: &str) -> Result<UnitDetail> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, id).await?;
        let criteria = key_unit::shipped_criteria();
        let province = self.registry_province().await?;
        let proposal =
            key_unit::propose(criteria, &province, ctx.now.local_date(), &unit.facts.venue_kinds, &unit.facts.size)
                .filter(|p| unit.key_unit.as_ref().is_none_or(|k| k.category != p.category));
        let credits = self.store.credit_records(id).await?;
        let counts = self.store.unit_hazard_counts(&unit.id, ctx.now.local_date() - chrono::Days::new(365)).await?;
        let derived_risk =
            self.risk_weights().await?.derive(&risk_facts(&unit, &credits, ctx.now.local_date(), counts));
        Ok(UnitDetail {
            can_edit: actor.can(Perm::RegistryManage, &unit.org_path),
            can_reveal: actor.can(Perm::PersonalInfoReveal, &unit.org_path),
            history: self.store.unit_history(id).await?,
            credits,
            derived_risk,
            proposal,
            unit,
        })
    }

    /// Changes a unit's facts; every changed field goes into its history.
    pub async fn update_unit(&self, ctx: &Ctx, id: &str, input: UnitInput, version: i64) -> Result<Unit> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, id).await?;
        actor.require(Perm::RegistryManage, &unit.org_path)?;
        let org = if input.org_id.is_empty() || input.org_id == unit.facts.org_id.0 {
            self.store.org(&unit.facts.org_id).await?.ok_or(DomainError::NotFound("机构"))?
        } else {
            self.registry_org(actor, &input.org_id).await?
        };
        let facts = parse_input(&input, org.id.clone())?;
        let before = self.open_facts(&unit)?;
        let names = self.org_names(actor).await?;
        let changes = facts.diff(&before, &|o| names.get(&o.0).cloned().unwrap_or_else(|| o.0.clone()));
        if changes.is_empty() {
            return Ok(unit);
        }
        let history = HistoryEntry {
            id: crate::new_id(),
            unit_id: id.to_string(),
            at: ctx.now,
            actor: actor_label(actor),
            action: "修改".into(),
            changes: changes.clone(),
            reason: String::new(),
        };
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        let audit = ctx.event(actions::UNIT_UPDATE, "unit", id).detail(serde_json::json!({ "fields": fields }));
        let sealed = self.seal_facts(id, facts)?;
        let change = Change::Registry(RegistryChange::UpdateUnit {
            id: id.to_string(),
            expected_version: version,
            facts: Box::new(sealed.clone()),
            org_path: org.path.clone(),
            at: ctx.now,
            history,
        });
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(Unit {
            facts: sealed,
            org_path: org.path,
            org_name: org.name.as_str().to_string(),
            version: version + 1,
            updated_at: ctx.now,
            ..unit
        })
    }

    /// Names of the orgs the actor may read, by id.
    pub async fn org_names(&self, actor: &Actor) -> Result<HashMap<String, String>> {
        let scopes = actor.scopes(Perm::OrgRead);
        Ok(self.store.orgs_in(&scopes).await?.into_iter().map(|o| (o.id.0, o.name.as_str().to_string())).collect())
    }

    /// Searches the registry inside the actor's jurisdiction.
    pub async fn search_units(&self, ctx: &Ctx, f: &UnitFilter) -> Result<(Vec<Unit>, u64)> {
        let actor = ctx.actor()?;
        let scopes = actor.scopes(Perm::RecordRead);
        if scopes.is_empty() {
            return Err(DomainError::Forbidden);
        }
        let some = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let org = match some(&f.org_id) {
            Some(id) => Some(
                self.store
                    .org(&OrgId(id))
                    .await?
                    .filter(|o| actor.can(Perm::RecordRead, &o.path))
                    .ok_or_else(|| DomainError::invalid("org_id", "管辖机构不存在"))?
                    .path,
            ),
            None => None,
        };
        let q = UnitSearch {
            scopes,
            org,
            text: some(&f.q).and_then(|q| SearchQuery::parse(&q)),
            venue_kind: some(&f.venue_kind).map(|k| VenueKind::parse("venue_kind", &k)).transpose()?,
            key_unit: match some(&f.key_unit).as_deref() {
                None => None,
                Some("1") | Some("true") => Some(true),
                Some("0") | Some("false") => Some(false),
                Some(_) => return Err(DomainError::invalid("key_unit", "重点单位筛选应为 1 或 0")),
            },
            risk_grade: some(&f.risk_grade).map(|g| RiskGrade::parse("risk_grade", &g)).transpose()?,
            status: some(&f.status).map(|s| UnitStatus::parse("status", &s)).transpose()?,
            limit: f.per_page.clamp(1, 200),
            offset: f.page.saturating_sub(1).saturating_mul(f.per_page.clamp(1, 200)),
        };
        self.store.search_units(&q).await
    }

    /// Shows one personal number unmasked. The reason is audited with the act.
    pub async fn reveal_contact(&self, ctx: &Ctx, id: &str, field: &str, reason: &str) -> Result<String> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, id).await?;
        actor.require(Perm::PersonalInfoReveal, &unit.org_path)?;
        let reason = reason.trim();
        if reason.chars().count() < 4 || reason.chars().count() > 200 {
            return Err(DomainError::invalid("reason", "请说明查看理由（4至200个字），理由将记入审计日志"));
        }
        let f = &unit.facts;
        let sealed = match field {
            "responsible_phone" => f.responsible.phone.as_ref(),
            "responsible_id_card" => f.responsible.id_card.as_ref(),
            "manager_phone" => f.manager.phone.as_ref(),
            "manager_id_card" => f.manager.id_card.as_ref(),
            _ => return Err(DomainError::invalid("field", "字段无效")),
        }
        .ok_or_else(|| DomainError::invalid("field", "该项未登记"))?;
        let plain = self.crypto.open_field(&aad(id, field), &sealed.sealed)?;
        // The record says who looked at what and why; it never holds the number itself.
        let audit = ctx
            .event(actions::PII_REVEAL, "unit", id)
            .outcome(crate::audit::Outcome::Success, reason)
            .detail(serde_json::json!({ "field": field, "masked": sealed.masked }));
        self.store.commit(UnitOfWork { changes: vec![], audit: vec![audit] }).await?;
        Ok(plain)
    }

    /// Confirms the proposed key-unit designation, or lifts the current one (with a reason).
    pub async fn set_key_unit(&self, ctx: &Ctx, id: &str, confirm: bool, reason: &str, version: i64) -> Result<Unit> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, id).await?;
        actor.require(Perm::RegistryManage, &unit.org_path)?;
        let (designation, action, change_row) = if confirm {
            let province = self.registry_province().await?;
            let p = key_unit::propose(
                key_unit::shipped_criteria(),
                &province,
                ctx.now.local_date(),
                &unit.facts.venue_kinds,
                &unit.facts.size,
            )
            .ok_or_else(|| DomainError::Rule("按现行界定标准，该单位的场所类别和规模不构成消防安全重点单位".into()))?;
            let d = KeyDesignation {
                category: p.category.clone(),
                reason: p.reason.clone(),
                confirmed_by: actor.display_name.clone(),
                confirmed_at: ctx.now,
            };
            (Some(d), "认定为消防安全重点单位", p.category)
        } else {
            if unit.key_unit.is_none() {
                return Err(DomainError::Rule("该单位不是消防安全重点单位".into()));
            }
            if reason.trim().chars().count() < 4 {
                return Err(DomainError::invalid("reason", "取消重点单位认定须说明理由（至少4个字）"));
            }
            (None, "取消重点单位认定", String::new())
        };
        let before = unit.key_unit.as_ref().map(|k| k.category.clone()).unwrap_or_default();
        let history = HistoryEntry {
            id: crate::new_id(),
            unit_id: id.to_string(),
            at: ctx.now,
            actor: actor_label(actor),
            action: action.into(),
            changes: vec![crate::registry::unit::FieldChange {
                field: "重点单位".into(), before, after: change_row
            }],
            reason: designation.as_ref().map(|d| d.reason.clone()).unwrap_or_else(|| reason.trim().to_string()),
        };
        let audit = ctx
            .event(actions::KEY_UNIT_SET, "unit", id)
            .outcome(crate::audit::Outcome::Success, history.reason.clone())
            .detail(serde_json::json!({ "key_unit": confirm }));
        let change = Change::Registry(RegistryChange::SetKeyUnit {
            id: id.to_string(),
            expected_version: version,
            designation: designation.clone(),
            at: ctx.now,
            history,
        });
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(Unit { key_unit: designation, version: version + 1, ..unit })
    }

    /// Sets the risk grade by hand (with a reason) or to the derived grade (`grade` = `derived`).
    pub async fn set_risk(&self, ctx: &Ctx, id: &str, grade: &str, reason: &str, version: i64) -> Result<Unit> {
        let actor = ctx.actor()?;
        let unit = self.get_unit(ctx, id).await?;
        actor.require(Perm::RegistryManage, &unit.org_path)?;
        let (grade, reason) = if grade == "derived" {
            let credits = self.store.credit_records(id).await?;
            let counts = self.store.unit_hazard_counts(&unit.id, ctx.now.local_date() - chrono::Days::new(365)).await?;
            let (g, why) =
                self.risk_weights().await?.derive(&risk_facts(&unit, &credits, ctx.now.local_date(), counts));
            (g, format!("按评分规则评定：{why}"))
        } else {
            let g = RiskGrade::parse("risk_grade", grade)?;
            let r = reason.trim();
            if r.chars().count() < 4 || r.chars().count() > 200 {
                return Err(DomainError::invalid("reason", "人工设定风险等级须说明理由（4至200个字）"));
            }
            (g, format!("人工设定：{r}"))
        };
        let history = HistoryEntry {
            id: crate::new_id(),
            unit_id: id.to_string(),
            at: ctx.now,
            actor: actor_label(actor),
            action: "设定风险等级".into(),
            changes: vec![crate::registry::unit::FieldChange {
                field: "风险等级".into(),
                before: unit.risk_grade.label().into(),
                after: grade.label().into(),
            }],
            reason: reason.clone(),
        };
        let audit = ctx
            .event(actions::RISK_SET, "unit", id)
            .outcome(crate::audit::Outcome::Success, reason.clone())
            .detail(serde_json::json!({ "before": unit.risk_grade.code(), "after": grade.code() }));
        let change = Change::Registry(RegistryChange::SetRisk {
            id: id.to_string(),
            expected_version: version,
            grade,
            reason: reason.clone(),
            at: ctx.now,
            history,
        });
        self.store.commit(UnitOfWork::one(change, audit)).await?;
        Ok(Unit { risk_grade: grade, risk_reason: reason, version: version + 1, ..unit })
    }

    /// Attaches a credit record to a unit (called by the penalty procedure when a decision is made).
    pub fn credit_record_change(
        unit_id: &str,
        decided_on: NaiveDate,
        doc_no: &str,
        summary: &str,
        now: crate::time::Timestamp,
    ) -> Change {
        Change::Registry(RegistryChange::InsertCredit(CreditRecord {
            id: crate::new_id(),
            unit_id: unit_id.to_string(),
            kind: "penalty".into(),
            decided_on,
            doc_no: doc_no.to_string(),
            summary: summary.to_string(),
            created_at: now,
        }))
    }

    /// Streams the units of a subtree (the actor's whole jurisdiction when `org_id` is empty) to `sink`, one
    /// template row per unit, personal numbers masked. Audited.
    pub async fn export_units(
        &self,
        ctx: &Ctx,
        org_id: Option<&str>,
        sink: &mut (dyn FnMut(Vec<String>) -> Result<()> + Send),
    ) -> Result<u64> {
        let actor = ctx.actor()?;
        let scopes: Vec<OrgPath> = match org_id.filter(|s| !s.is_empty()) {
            Some(id) => vec![
                self.store
                    .org(&OrgId(id.to_string()))
                    .await?
                    .filter(|o| actor.can(Perm::RecordRead, &o.path))
                    .ok_or_else(|| DomainError::invalid("org_id", "管辖机构不存在"))?
                    .path,
            ],
            None => actor.scopes(Perm::RecordRead),
        };
        if scopes.is_empty() {
            return Err(DomainError::Forbidden);
        }
        sink(import::template_header())?;
        let mut n = 0u64;
        for scope in &scopes {
            let mut after = 0i64;
            loop {
                let page = self.store.units_page(scope, after, 2000).await?;
                let Some((last, _)) = page.last() else { break };
                after = *last;
                for (_, u) in &page {
                    sink(export_row(u))?;
                    n += 1;
                }
            }
        }
        let audit =
            ctx.event(actions::UNIT_EXPORT, "unit", "").detail(serde_json::json!({ "rows": n, "org_id": org_id }));
        self.store.commit(UnitOfWork { changes: vec![], audit: vec![audit] }).await?;
        Ok(n)
    }

    /// Starts an import: records the job and returns it; [`Services::run_import`] does the work.
    pub async fn start_import(
        &self,
        ctx: &Ctx,
        file_name: &str,
        mode: ImportMode,
        default_org_id: &str,
    ) -> Result<ImportJob> {
        let actor = ctx.actor()?;
        self.registry_org(actor, default_org_id).await?;
        let job = ImportJob {
            id: crate::new_id(),
            file_name: file_name.chars().take(200).collect(),
            mode: mode.code().into(),
            status: "validating".into(),
            total: 0,
            done: 0,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            failed: 0,
            errors: "[]".into(),
            message: "正在校验".into(),
            created_by: actor.user_id.clone(),
            created_at: ctx.now,
            finished_at: None,
        };
        self.put_job(&job).await?;
        Ok(job)
    }

    async fn put_job(&self, job: &ImportJob) -> Result<()> {
        self.store
            .commit(UnitOfWork {
                changes: vec![Change::Registry(RegistryChange::PutImportJob(job.clone()))],
                audit: vec![],
            })
            .await?;
        Ok(())
    }

    /// An import job of the actor's.
    pub async fn import_job(&self, ctx: &Ctx, id: &str) -> Result<ImportJob> {
        let actor = ctx.actor()?;
        self.store
            .import_job(id)
            .await?
            .filter(|j| j.created_by == actor.user_id)
            .ok_or(DomainError::NotFound("导入任务"))
    }

    /// Runs an import: validates every row (pass 1), then, unless the mode forbids it, imports the good
    /// rows in batches (pass 2), matching existing units by credit code so that a re-import changes
    /// nothing. `open` reads the file from the start each time it is called.
    pub async fn run_import(
        &self,
        ctx: &Ctx,
        mut job: ImportJob,
        mode: ImportMode,
        default_org_id: &str,
        open: &(dyn Fn() -> Result<RowReader> + Send + Sync),
    ) -> Result<ImportJob> {
        let outcome = self.import_passes(ctx, &mut job, mode, default_org_id, open).await;
        if let Err(e) = &outcome {
            job.status = "failed".into();
            job.message = format!(
                "导入中断：{e}。已导入的批次保留，修正后重新导入同一文件即可补齐（按统一社会信用代码匹配，不会重复）"
            );
            job.finished_at = Some(self.clock.now());
            self.put_job(&job).await?;
        }
        Ok(job)
    }

    async fn import_passes(
        &self,
        ctx: &Ctx,
        job: &mut ImportJob,
        mode: ImportMode,
        default_org_id: &str,
        open: &(dyn Fn() -> Result<RowReader> + Send + Sync),
    ) -> Result<()> {
        let actor = ctx.actor()?;
        // Orgs a cell may name: those where the importer manages the registry, by full or short name.
        let scopes = actor.scopes(Perm::RegistryManage);
        let orgs = self.store.orgs_in(&scopes).await?;
        let mut by_name: HashMap<String, (OrgId, OrgPath)> = HashMap::new();
        for o in orgs.iter().filter(|o| o.active) {
            by_name.insert(o.name.as_str().to_string(), (o.id.clone(), o.path.clone()));
            if let Some(s) = &o.short_name {
                by_name.entry(s.clone()).or_insert((o.id.clone(), o.path.clone()));
            }
        }
        let default = orgs
            .iter()
            .find(|o| o.id.0 == default_org_id)
            .map(|o| (o.id.clone(), o.path.clone()))
            .ok_or_else(|| DomainError::invalid("org_id", "管辖机构不存在"))?;
        let paths: HashMap<String, OrgPath> = by_name.values().map(|(i, p)| (i.0.clone(), p.clone())).collect();
        let resolve = |cell: &str| -> std::result::Result<OrgId, String> {
            if cell.is_empty() {
                return Ok(default.0.clone());
            }
            by_name
                .get(cell)
                .map(|(id, _)| id.clone())
                .ok_or_else(|| format!("管辖机构“{cell}”不存在或不在您的管辖范围内"))
        };

        // Pass 1: validate everything.
        let mut errors: Vec<RowError> = Vec::new();
        let mut failed_rows = 0i64;
        let mut total = 0i64;
        {
            let mut rows = open()?;
            let header = read_header(&mut rows)?;
            let header = match header {
                Ok(h) => h,
                Err(errs) => {
                    job.failed = 0;
                    return self.finish_rejected(job, errs, "表头不符合模板，未导入任何数据").await;
                }
            };
            let mut dups = DuplicateCheck::default();
            let mut row_no = 1u64;
            for cells in rows {
                let cells = cells?;
                row_no += 1;
                if import::is_blank(&cells) {
                    continue;
                }
                total += 1;
                match import::parse_row(&header, row_no, &cells, &resolve)
                    .and_then(|r| dups.check(&r).map_err(|e| vec![e]))
                {
                    Ok(()) => {}
                    Err(errs) => {
                        failed_rows += 1;
                        for e in errs {
                            if errors.len() < MAX_REPORTED_ERRORS {
                                errors.push(e);
                            }
                        }
                    }
                }
                if total % 50_000 == 0 {
                    job.done = total;
                    job.message = format!("正在校验，已校验{total}行");
                    self.put_job(job).await?;
                }
            }
        }
        job.total = total;
        job.failed = failed_rows;
        job.errors = serde_json::to_string(&errors).map_err(DomainError::internal)?;
        if total == 0 {
            return self.finish_rejected(job, Vec::new(), "文件中没有数据行").await;
        }
        if failed_rows > 0 && mode == ImportMode::AllOrNothing {
            let msg = format!("{failed_rows}行有问题，按“全部正确才导入”未导入任何数据；请按校验报告修正后重新导入");
            return self.finish_rejected(job, errors, &msg).await;
        }

        // Pass 2: import the good rows in batches.
        job.status = "importing".into();
        job.done = 0;
        job.message = "正在导入".into();
        self.put_job(job).await?;
        let mut rows = open()?;
        let header = read_header(&mut rows)?.map_err(|_| DomainError::Rule("文件在导入过程中被改动".into()))?;
        let mut dups = DuplicateCheck::default();
        let mut row_no = 1u64;
        let mut pending: Option<UnitOfWork> = None;
        loop {
            // The previous batch commits on the writer while this one is parsed, sealed and matched: the
            // two halves of the work overlap on two cores.
            let commit = async {
                match pending.take() {
                    Some(w) => self.store.commit(w).await.map(|_| ()),
                    None => Ok(()),
                }
            };
            let prepare = async {
                let mut batch: Vec<ImportRow> = Vec::with_capacity(IMPORT_BATCH);
                let mut end = true;
                for cells in rows.by_ref() {
                    let cells = cells?;
                    row_no += 1;
                    if import::is_blank(&cells) {
                        continue;
                    }
                    job.done += 1;
                    if let Ok(r) = import::parse_row(&header, row_no, &cells, &resolve)
                        && dups.check(&r).is_ok()
                    {
                        batch.push(r);
                    }
                    if batch.len() == IMPORT_BATCH {
                        end = false;
                        break;
                    }
                }
                let work = self.prepare_batch(ctx, job, batch, &paths).await?;
                Ok::<_, DomainError>((work, end))
            };
            let (committed, prepared) = join(commit, prepare).await;
            committed?;
            let (work, end) = prepared?;
            pending = work;
            if end {
                break;
            }
        }
        if let Some(w) = pending {
            self.store.commit(w).await?;
        }
        job.status = "done".into();
        job.finished_at = Some(self.clock.now());
        job.message = format!(
            "导入完成：新增{}家，更新{}家，无变化{}家{}",
            job.inserted,
            job.updated,
            job.unchanged,
            if job.failed > 0 { format!("，{}行有问题未导入", job.failed) } else { String::new() }
        );
        self.put_job(job).await
    }

    async fn finish_rejected(&self, job: &mut ImportJob, errors: Vec<RowError>, message: &str) -> Result<()> {
        if !errors.is_empty() {
            job.errors = serde_json::to_string(&errors).map_err(DomainError::internal)?;
        }
        job.status = "rejected".into();
        job.message = message.to_string();
        job.finished_at = Some(self.clock.now());
        self.put_job(job).await
    }

    /// Turns a batch of parsed rows into a unit of work: inserts for new credit codes, updates with history
    /// for changed units, nothing for identical ones; the job's progress rides along.
    async fn prepare_batch(
        &self,
        ctx: &Ctx,
        job: &mut ImportJob,
        rows: Vec<ImportRow>,
        paths: &HashMap<String, OrgPath>,
    ) -> Result<Option<UnitOfWork>> {
        if rows.is_empty() {
            return Ok(None);
        }
        let actor = ctx.actor()?;
        let now = self.clock.now();
        let codes: Vec<String> = rows.iter().map(|r| r.credit_code.as_str().to_string()).collect();
        let existing: HashMap<String, Unit> = self
            .store
            .units_by_credit_codes(&codes)
            .await?
            .into_iter()
            .map(|u| (u.credit_code.as_str().to_string(), u))
            .collect();
        let mut inserts = Vec::new();
        let mut changes = Vec::new();
        let mut refused: Vec<RowError> = Vec::new();
        let (mut inserted, mut updated, mut unchanged) = (0i64, 0i64, 0i64);
        let label = actor_label(actor);
        for r in rows {
            let path = paths
                .get(&r.facts.org_id.0)
                .cloned()
                .ok_or_else(|| DomainError::internal("resolved org without path"))?;
            match existing.get(r.credit_code.as_str()) {
                None => {
                    let id = crate::new_id();
                    let history = HistoryEntry {
                        id: crate::new_id(),
                        unit_id: id.clone(),
                        at: now,
                        actor: label.clone(),
                        action: "导入".into(),
                        changes: Vec::new(),
                        reason: format!("导入文件：{}", job.file_name),
                    };
                    let unit = Unit {
                        credit_code: r.credit_code,
                        facts: self.seal_facts(&id, r.facts)?,
                        org_name: String::new(),
                        org_path: path,
                        risk_grade: r.risk_grade,
                        risk_reason: "导入时登记".into(),
                        key_unit: None,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        id,
                    };
                    inserts.push(NewUnit { unit, history });
                    inserted += 1;
                }
                Some(u) => {
                    if !actor.can(Perm::RegistryManage, &u.org_path) {
                        job.failed += 1;
                        refused.push(RowError {
                            row: r.row,
                            column: "统一社会信用代码".into(),
                            message: format!("该单位已由{}登记，不在您的管辖范围内，未更新", u.org_name),
                        });
                        continue;
                    }
                    let before = self.open_facts(u)?;
                    let diff = r.facts.diff(&before, &|o| o.0.clone());
                    if diff.is_empty() {
                        unchanged += 1;
                        continue;
                    }
                    let history = HistoryEntry {
                        id: crate::new_id(),
                        unit_id: u.id.clone(),
                        at: now,
                        actor: label.clone(),
                        action: "导入更新".into(),
                        changes: diff,
                        reason: format!("导入文件：{}", job.file_name),
                    };
                    changes.push(Change::Registry(RegistryChange::UpdateUnit {
                        id: u.id.clone(),
                        expected_version: u.version,
                        facts: Box::new(self.seal_facts(&u.id, r.facts)?),
                        org_path: path,
                        at: now,
                        history,
                    }));
                    updated += 1;
                }
            }
        }
        job.inserted += inserted;
        job.updated += updated;
        job.unchanged += unchanged;
        if !refused.is_empty() {
            let mut errs: Vec<RowError> = serde_json::from_str(&job.errors).unwrap_or_default();
            errs.extend(refused.into_iter().take(MAX_REPORTED_ERRORS.saturating_sub(errs.len())));
            job.errors = serde_json::to_string(&errs).map_err(DomainError::internal)?;
        }
        job.message = format!("正在导入，已处理{}行，共{}行", job.done, job.total);
        let mut all = Vec::with_capacity(changes.len() + 2);
        if !inserts.is_empty() {
            all.push(Change::Registry(RegistryChange::InsertUnits(inserts)));
        }
        all.extend(changes);
        all.push(Change::Registry(RegistryChange::PutImportJob(job.clone())));
        let audit = ctx.event(actions::UNIT_IMPORT, "import", job.id.clone()).detail(serde_json::json!({
            "file": job.file_name, "inserted": inserted, "updated": updated, "unchanged": unchanged,
        }));
        Ok(Some(UnitOfWork { changes: all, audit: vec![audit] }))
    }
}

/// Runs two futures to completion together on the current task (the domain does not spawn).
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let mut ra = None;
    let mut rb = None;
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    (ra.expect("ready"), rb.expect("ready"))
}

fn read_header(rows: &mut RowReader) -> Result<std::result::Result<Header, Vec<RowError>>> {
    match rows.next() {
        None => Ok(Err(vec![RowError { row: 1, column: String::new(), message: "文件是空的".into() }])),
        Some(first) => Ok(Header::parse(&first?)),
    }
}

/// The facts the risk derivation counts over the last 12 months: hazards found and major hazards
/// determined at the unit (`counts`), and penalties among its credit records.
fn risk_facts(unit: &Unit, credits: &[CreditRecord], today: NaiveDate, counts: (u32, u32)) -> RiskFacts {
    let since = today - chrono::Days::new(365);
    RiskFacts {
        hazards: counts.0,
        major_hazards: counts.1,
        penalties: credits.iter().filter(|c| c.kind == "penalty" && c.decided_on > since).count() as u32,
        key_unit: unit.key_unit.is_some(),
    }
}

fn export_row(u: &Unit) -> Vec<String> {
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let masked = |s: &Option<Sealed>| s.as_ref().map(|s| s.masked.clone()).unwrap_or_default();
    let f = &u.facts;
    vec![
        u.credit_code.as_str().to_string(),
        f.name.clone(),
        f.address.clone(),
        u.org_name.clone(),
        f.venue_kinds.labels(),
        n(f.size.floor_area),
        n(f.size.floors),
        n(f.size.beds),
        n(f.size.rooms),
        n(f.size.staff),
        f.responsible.name.clone().unwrap_or_default(),
        masked(&f.responsible.phone),
        masked(&f.responsible.id_card),
        f.manager.name.clone().unwrap_or_default(),
        masked(&f.manager.phone),
        f.status.label().to_string(),
        u.risk_grade.label().to_string(),
    ]
}
