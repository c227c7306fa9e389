//! The pages of 消防监督检查: the record form (phone first), an inspection with its hazards, documents and
//! due dates, the lists, the worklist, and the pages of 临时查封/三停, 重大火灾隐患 and 隐患曝光. Every
//! action calls the same service as the API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use domain::authz::Perm;
use domain::collective::DecisionDraft;
use domain::deadline::Urgency;
use domain::document::{Document, SERVICE_METHODS};
use domain::evidence::Evidence;
use domain::inspection::exposure::Exposure;
use domain::inspection::hazard::{Difficulty, Escalation, Hazard, HazardStatus};
use domain::inspection::kind::{InspectionKind, JOINT_DEPARTMENTS, SUGGESTED_TAGS};
use domain::inspection::major_hazard::{self, Determination, Element, ElementKind, Exclusion};
use domain::inspection::record::Inspection;
use domain::inspection::sealing::{Measure, MeasureKind, SealGround};
use domain::services::inspections::{InspectionForm, WorkItem};
use domain::services::major_hazards::{ElementFound, MajorInput};
use domain::services::measures::MeasureInput;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageResult;
use crate::request::{Authed, PageForm, Query, htmx_aware_redirect};
use crate::views::Layout;

/// Pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list_page))
        .route("/inspections/new", get(new_page))
        .route("/inspections/{id}", get(detail_page))
        .route("/inspections/{id}/correction-order", post(order_form))
        .route("/inspections/{id}/record-document", post(record_doc_form))
        .route("/inspections/{id}/reinspection-opinion", post(opinion_form))
        .route("/documents/{id}/serve", post(serve_form))
        .route("/hazards/{id}", get(hazard_page))
        .route("/hazards/{id}/apply", post(apply_form))
        .route("/hazards/{id}/exposure", post(exposure_form))
        .route("/worklist", get(worklist_page))
        .route("/measures/new", get(measure_new_page))
        .route("/measures", post(measure_create_form))
        .route("/measures/{id}", get(measure_page))
        .route("/measures/{id}/decide", post(measure_decide_form))
        .route("/measures/{id}/extend", post(measure_extend_form))
        .route("/measures/{id}/apply-lift", post(measure_apply_form))
        .route("/measures/{id}/lift", post(measure_lift_form))
        .route("/major-hazards/new", get(major_new_page))
        .route("/major-hazards", post(major_create_form))
        .route("/major-hazards/{id}", get(major_page))
        .route("/major-hazards/{id}/step", post(major_step_form))
        .route("/exposures/{id}/decide", post(exposure_decide_form))
}

const LIMIT: u32 = 200;

// ---- lists ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    tab: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/list.html")]
struct ListPage {
    l: Layout,
    tab: String,
    inspections: Vec<Inspection>,
    hazards: Vec<Hazard>,
    measures: Vec<Measure>,
    majors: Vec<Determination>,
    exposures: Vec<Exposure>,
    status: String,
    can_act: bool,
    can_approve: bool,
}

async fn list_page(State(app): State<AppState>, a: Authed, Query(q): Query<ListQuery>) -> PageResult<ListPage> {
    let tab = q.tab.unwrap_or_else(|| "records".into());
    let s = &app.services;
    let ctx = a.ctx();
    let status = q.status.unwrap_or_default();
    let mut page = ListPage {
        l: Layout::new(Some(a.auth()), "监督检查", "/inspections"),
        tab: tab.clone(),
        inspections: vec![],
        hazards: vec![],
        measures: vec![],
        majors: vec![],
        exposures: vec![],
        status: status.clone(),
        can_act: a.auth().actor.has_anywhere(Perm::EnforcementAct),
        can_approve: a.auth().actor.has_anywhere(Perm::AgencyApprove),
    };
    match tab.as_str() {
        "hazards" => {
            let st = if status.is_empty() { None } else { Some(HazardStatus::parse(&status)?) };
            page.hazards = s.hazards(ctx, st, LIMIT).await?;
        }
        "measures" => page.measures = s.measures(ctx).await?,
        "majors" => page.majors = s.majors(ctx).await?,
        "exposures" => page.exposures = s.exposures(ctx).await?,
        _ => page.inspections = s.inspections(ctx, None, LIMIT).await?,
    }
    Ok(page)
}

// ---- the record form ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewQuery {
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    task_id: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    of: Option<String>,
    #[serde(default)]
    q: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/new.html")]
struct NewPage {
    l: Layout,
    f: InspectionForm,
    me: String,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    start: String,
    end: String,
    task_id: Option<String>,
    reinspection_of: Option<String>,
    reinspection: bool,
    departments: &'static [&'static str],
    tags: &'static [&'static str],
    due: Vec<Hazard>,
    escalations: Vec<(&'static str, &'static str)>,
    difficulties: Vec<(&'static str, &'static str, u32)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/pick_unit.html")]
struct PickUnitPage {
    l: Layout,
    q: String,
    units: Vec<(String, String, String)>,
}

async fn new_page(State(app): State<AppState>, a: Authed, Query(q): Query<NewQuery>) -> PageResult<Response> {
    use axum::response::IntoResponse;
    let Some(unit_id) = q.unit_id.filter(|u| !u.is_empty()) else {
        let text = q.q.unwrap_or_default();
        let units = if text.trim().is_empty() {
            vec![]
        } else {
            let filter =
                domain::services::registry::UnitFilter { q: Some(text.clone()), per_page: 30, ..Default::default() };
            app.services
                .search_units(a.ctx(), &filter)
                .await?
                .0
                .into_iter()
                .map(|u| (u.id.clone(), u.facts.name.clone(), u.facts.address.clone()))
                .collect()
        };
        return Ok(PickUnitPage {
            l: Layout::new(Some(a.auth()), "登记监督检查", "/inspections"), q: text, units
        }
        .into_response());
    };
    let f = app.services.inspection_form(a.ctx(), &unit_id).await?;
    let now = a.ctx().now;
    let fmt = |t: domain::time::Timestamp| t.to_local().format("%Y-%m-%dT%H:%M").to_string();
    let reinspection = q.kind.as_deref() == Some("reinspection");
    let today = now.local_date();
    let due: Vec<Hazard> = f.open_hazards.iter().filter(|h| h.reinspection_due(today)).cloned().collect();
    let town = f.entrusted.is_some();
    let kind = if q.task_id.is_some() {
        "random_task".to_string()
    } else {
        q.kind.unwrap_or_else(|| if town { "town" } else { "key_unit_routine" }.into())
    };
    // A town records only its own kind and 复查, and hands over what was not corrected.
    let kinds: Vec<(&'static str, &'static str)> = InspectionKind::ALL
        .iter()
        .filter(|k| !town || matches!(k, InspectionKind::Town | InspectionKind::Reinspection))
        .map(|k| (k.code(), k.label()))
        .collect();
    let escalations: &[Escalation] = if town { &[Escalation::Handover] } else { &Escalation::BRIGADE };
    Ok(NewPage {
        l: Layout::new(Some(a.auth()), "登记监督检查", "/inspections"),
        me: a.auth().actor.user_id.clone(),
        kinds,
        kind,
        start: fmt(now.plus_minutes(-60)),
        end: fmt(now),
        task_id: q.task_id,
        reinspection_of: q.of,
        reinspection,
        departments: &JOINT_DEPARTMENTS,
        tags: &SUGGESTED_TAGS,
        due: if reinspection { due } else { vec![] },
        escalations: escalations.iter().map(|e| (e.code(), e.label())).collect(),
        difficulties: Difficulty::ALL.iter().map(|d| (d.code(), d.label(), d.suggested_days())).collect(),
        f,
    }
    .into_response())
}

// ---- an inspection ----

#[derive(Template, WebTemplate)]
#[template(path = "inspections/detail.html")]
struct DetailPage {
    l: Layout,
    i: Inspection,
    hazards: Vec<Hazard>,
    photos: Vec<Evidence>,
    files: Vec<Evidence>,
    signatures: Vec<(String, String, String)>,
    documents: Vec<Document>,
    deadlines: Vec<WorkItem>,
    unordered: usize,
    can_act: bool,
    own_act: bool,
    can_decide: bool,
    has_record_doc: bool,
    town_act: Option<domain::entrustment::oversight::TownAct>,
    can_review: bool,
    is_town: bool,
    has_opinion: bool,
    methods: &'static [&'static str],
    today: String,
    saved: bool,
    back: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn detail_page(
    State(app): State<AppState>,
    a: Authed,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult<DetailPage> {
    let d = app.services.inspection_detail(a.ctx(), &id).await?;
    let org_path = d.inspection.org_path.clone();
    let signatures = d
        .inspection
        .signatures
        .iter()
        .map(|s| (s.role.label().to_string(), s.name.clone(), s.evidence_id.clone()))
        .collect();
    let sig_ids: Vec<&str> = d.inspection.signatures.iter().map(|s| s.evidence_id.as_str()).collect();
    let (photos, files): (Vec<Evidence>, Vec<Evidence>) = d
        .evidence
        .into_iter()
        .filter(|e| !sig_ids.contains(&e.id.as_str()))
        .partition(|e| e.mime.starts_with("image/"));
    Ok(DetailPage {
        l: Layout::new(Some(a.auth()), "监督检查记录", "/inspections"),
        has_record_doc: d.documents.iter().any(|x| {
            matches!(
                x.doc_type,
                domain::document::DocType::InspectionRecord | domain::document::DocType::TownInspectionRecord
            )
        }),
        own_act: a.auth().actor.can(Perm::EnforcementAct, &org_path),
        can_review: d.can_review,
        is_town: d.is_town,
        town_act: d.town_act,
        has_opinion: d.documents.iter().any(|x| x.doc_type == domain::document::DocType::ReinspectionOpinion),
        i: d.inspection,
        hazards: d.hazards,
        photos,
        files,
        signatures,
        documents: d.documents,
        deadlines: d.deadlines,
        unordered: d.unordered,
        can_act: d.can_act,
        can_decide: a.auth().actor.can(Perm::AgencyApprove, &org_path),
        methods: &SERVICE_METHODS,
        today: a.ctx().now.local_date().to_string(),
        saved: q.saved.is_some(),
        back: format!("/inspections/{id}"),
    })
}

async fn order_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.issue_correction_order(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{id}#documents")))
}

async fn record_doc_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.issue_inspection_record(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{id}#documents")))
}

async fn opinion_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    app.services.issue_reinspection_opinion(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{id}#documents")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeForm {
    method: String,
    receiver: String,
    #[serde(default)]
    served_at: String,
    version: i64,
    back: String,
}

/// Only paths of this site are followed back to.
fn back_to(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") { back } else { "/" }
}

async fn serve_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ServeForm>,
) -> PageResult<Response> {
    app.services.serve_document(a.ctx(), &id, &f.method, &f.receiver, &f.served_at, f.version).await?;
    Ok(htmx_aware_redirect(&headers, back_to(&f.back)))
}

/// A hazard is shown on its inspection's page.
async fn hazard_page(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let h = app.services.get_hazard(a.ctx(), &id).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/inspections/{}#hazard-{}", h.inspection_id, h.id)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyForm {
    applied_on: String,
    back: String,
}

async fn apply_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ApplyForm>,
) -> PageResult<Response> {
    app.services.apply_for_reinspection(a.ctx(), &id, &f.applied_on).await?;
    Ok(htmx_aware_redirect(&headers, back_to(&f.back)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExposureForm {
    text: String,
    back: String,
}

async fn exposure_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ExposureForm>,
) -> PageResult<Response> {
    app.services.draft_exposure(a.ctx(), &id, &f.text).await?;
    Ok(htmx_aware_redirect(&headers, back_to(&f.back)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExposureDecideForm {
    decision: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

async fn exposure_decide_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ExposureDecideForm>,
) -> PageResult<Response> {
    app.services.decide_exposure(a.ctx(), &id, f.decision == "publish", &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, "/inspections?tab=exposures"))
}

// ---- worklist ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WorkQuery {
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/worklist.html")]
struct WorklistPage {
    l: Layout,
    mine: bool,
    items: Vec<WorkItem>,
    overdue: usize,
    due_soon: usize,
    by_org: Vec<(String, usize, usize)>,
}

async fn worklist_page(State(app): State<AppState>, a: Authed, Query(q): Query<WorkQuery>) -> PageResult<WorklistPage> {
    let mine = q.scope.as_deref() != Some("org");
    let items = app.services.worklist(a.ctx(), mine, 500).await?;
    let overdue = items.iter().filter(|w| w.urgency == Urgency::Overdue).count();
    let due_soon = items.iter().filter(|w| w.urgency == Urgency::DueSoon).count();
    let names = app.services.org_names(&a.auth().actor).await?;
    let mut by_org: Vec<(String, usize, usize)> = Vec::new();
    for w in &items {
        let name = names.get(&w.deadline.org_id).cloned().unwrap_or_default();
        let pos = match by_org.iter().position(|(n, _, _)| *n == name) {
            Some(p) => p,
            None => {
                by_org.push((name, 0, 0));
                by_org.len() - 1
            }
        };
        by_org[pos].1 += 1;
        if w.urgency == Urgency::Overdue {
            by_org[pos].2 += 1;
        }
    }
    by_org.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)));
    Ok(WorklistPage { l: Layout::new(Some(a.auth()), "办理期限", "/"), mine, items, overdue, due_soon, by_org })
}

// ---- measures ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ForInspection {
    inspection_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/measure_new.html")]
struct MeasureNewPage {
    l: Layout,
    i: Inspection,
    hazards: Vec<Hazard>,
    kinds: Vec<(&'static str, &'static str)>,
    grounds: Vec<(&'static str, &'static str)>,
    max_term: u32,
    term_rule: &'static str,
    chair: String,
}

async fn measure_new_page(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<ForInspection>,
) -> PageResult<MeasureNewPage> {
    let d = app.services.inspection_detail(a.ctx(), &q.inspection_id).await?;
    let rule = app.services.seal_term_rule().await?;
    Ok(MeasureNewPage {
        l: Layout::new(Some(a.auth()), "临时查封、三停", "/inspections"),
        i: d.inspection,
        hazards: d.hazards,
        kinds: MeasureKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        grounds: SealGround::ALL.iter().map(|g| (g.code(), g.label())).collect(),
        max_term: rule.max_term_days(),
        term_rule: rule.article(),
        chair: a.auth().actor.display_name.clone(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureForm {
    kind: String,
    inspection_id: String,
    #[serde(default)]
    hazard_ids: Vec<String>,
    #[serde(default)]
    grounds: Vec<String>,
    facts: String,
    scope: String,
    #[serde(default)]
    emergency: Option<String>,
    #[serde(default)]
    oral_approval_by: String,
    #[serde(default)]
    term_days: String,
    #[serde(default)]
    chair: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    conclusion: String,
}

fn decision_of(chair: &str, attendees: &str, minutes: &str, conclusion: &str) -> DecisionDraft {
    DecisionDraft {
        chair: chair.into(),
        attendees: attendees.into(),
        minutes: minutes.into(),
        conclusion: conclusion.into(),
    }
}

async fn measure_create_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<MeasureForm>,
) -> PageResult<Response> {
    let emergency = f.emergency.is_some();
    let term_days = match f.term_days.trim() {
        "" => None,
        t => Some(t.parse().map_err(|_| domain::DomainError::invalid("term_days", "查封期限应为天数"))?),
    };
    let input = MeasureInput {
        kind: f.kind,
        inspection_id: f.inspection_id,
        hazard_ids: f.hazard_ids,
        grounds: f.grounds,
        facts: f.facts,
        scope: f.scope,
        emergency,
        oral_approval_by: f.oral_approval_by,
        term_days,
        decision: (!emergency).then(|| decision_of(&f.chair, &f.attendees, &f.minutes, &f.conclusion)),
    };
    let (m, _) = app.services.create_measure(a.ctx(), input).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/measures/{}", m.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/measure.html")]
struct MeasurePage {
    l: Layout,
    m: Measure,
    documents: Vec<Document>,
    inspections: Vec<Inspection>,
    deadlines: Vec<WorkItem>,
    methods: &'static [&'static str],
    today: String,
    can_approve: bool,
    can_act: bool,
    chair: String,
    back: String,
}

async fn measure_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<MeasurePage> {
    let s = &app.services;
    let m = s.get_measure(a.ctx(), &id).await?;
    let actor = &a.auth().actor;
    let later: Vec<Inspection> = s
        .inspections(a.ctx(), Some(&m.unit_id), 20)
        .await?
        .into_iter()
        .filter(|i| i.started_at.0 >= m.started_at.0)
        .collect();
    Ok(MeasurePage {
        l: Layout::new(Some(a.auth()), "临时查封、三停", "/inspections"),
        documents: s.measure_documents(a.ctx(), &id).await?,
        deadlines: s.deadlines_of(a.ctx(), &id).await?,
        inspections: later,
        methods: &SERVICE_METHODS,
        today: a.ctx().now.local_date().to_string(),
        can_approve: actor.can(Perm::AgencyApprove, &m.org_path),
        can_act: actor.can(Perm::EnforcementAct, &m.org_path) || actor.can(Perm::AgencyApprove, &m.org_path),
        chair: actor.display_name.clone(),
        back: format!("/measures/{id}"),
        m,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideForm {
    chair: String,
    attendees: String,
    minutes: String,
    conclusion: String,
    version: i64,
}

async fn measure_decide_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<DecideForm>,
) -> PageResult<Response> {
    let d = decision_of(&f.chair, &f.attendees, &f.minutes, &f.conclusion);
    app.services.decide_measure(a.ctx(), &id, &d, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/measures/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtendForm {
    days: u32,
    reason: String,
    version: i64,
}

async fn measure_extend_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ExtendForm>,
) -> PageResult<Response> {
    app.services.extend_measure(a.ctx(), &id, f.days, &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/measures/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyLiftForm {
    applied_on: String,
    version: i64,
}

async fn measure_apply_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ApplyLiftForm>,
) -> PageResult<Response> {
    app.services.apply_lift(a.ctx(), &id, &f.applied_on, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/measures/{id}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LiftForm {
    inspection_id: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

async fn measure_lift_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<LiftForm>,
) -> PageResult<Response> {
    app.services.lift_measure(a.ctx(), &id, &f.inspection_id, &f.reason, f.version).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/measures/{id}")))
}

// ---- major hazards ----

#[derive(Template, WebTemplate)]
#[template(path = "inspections/major_new.html")]
struct MajorNewPage {
    l: Layout,
    i: Inspection,
    standard: String,
    title: String,
    classes: String,
    direct: Vec<Element>,
    groups: Vec<(String, Vec<Element>)>,
    exclusions: Vec<Exclusion>,
    chair: String,
}

async fn major_new_page(
    State(app): State<AppState>,
    a: Authed,
    Query(q): Query<ForInspection>,
) -> PageResult<MajorNewPage> {
    let i = app.services.get_inspection(a.ctx(), &q.inspection_id).await?;
    let unit = app.services.get_unit(a.ctx(), &i.unit_id).await?;
    let std = major_hazard::standard_on(i.date())?;
    let mut groups: Vec<(String, Vec<Element>)> = Vec::new();
    for e in std.elements.iter().filter(|e| e.kind == ElementKind::Composite) {
        match groups.iter_mut().find(|(g, _)| *g == e.group) {
            Some((_, list)) => list.push(e.clone()),
            None => groups.push((e.group.clone(), vec![e.clone()])),
        }
    }
    Ok(MajorNewPage {
        l: Layout::new(Some(a.auth()), "重大火灾隐患判定", "/inspections"),
        standard: std.code.clone(),
        title: std.title.clone(),
        classes: major_hazard::place_classes(&unit.facts.venue_kinds)
            .into_iter()
            .map(major_hazard::place_class_label)
            .collect::<Vec<_>>()
            .join("、"),
        direct: std.elements.iter().filter(|e| e.kind == ElementKind::Direct).cloned().collect(),
        groups,
        exclusions: std.exclusions.clone(),
        chair: a.auth().actor.display_name.clone(),
        i,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MajorForm {
    inspection_id: String,
    #[serde(default)]
    elements: Vec<String>,
    #[serde(default)]
    exclusions: Vec<String>,
    #[serde(default)]
    expert_review: Option<String>,
    #[serde(default)]
    note: String,
    chair: String,
    attendees: String,
    minutes: String,
    conclusion: String,
}

async fn major_create_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    PageForm(f): PageForm<MajorForm>,
) -> PageResult<Response> {
    let input = MajorInput {
        inspection_id: f.inspection_id,
        standard: String::new(),
        elements: f.elements.iter().map(|id| ElementFound { id: id.clone(), note: f.note.clone() }).collect(),
        exclusions: f.exclusions,
        expert_review: f.expert_review.is_some(),
        decision: decision_of(&f.chair, &f.attendees, &f.minutes, &f.conclusion),
    };
    let (d, _) = app.services.determine_major(a.ctx(), input).await?;
    Ok(htmx_aware_redirect(&headers, &format!("/major-hazards/{}", d.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/major.html")]
struct MajorPage {
    l: Layout,
    d: Determination,
    elements: Vec<(String, String, String)>,
    documents: Vec<Document>,
    deadlines: Vec<WorkItem>,
    inspections: Vec<Inspection>,
    methods: &'static [&'static str],
    today: String,
    back: String,
}

async fn major_page(State(app): State<AppState>, a: Authed, Path(id): Path<String>) -> PageResult<MajorPage> {
    let s = &app.services;
    let d = s.get_major(a.ctx(), &id).await?;
    let std = major_hazard::standard(&d.standard)?;
    let elements = d
        .elements
        .iter()
        .map(|(e, note)| (e.clone(), std.element(e).map(|x| x.text.clone()).unwrap_or_default(), note.clone()))
        .collect();
    let later: Vec<Inspection> = s
        .inspections(a.ctx(), Some(&d.unit_id), 20)
        .await?
        .into_iter()
        .filter(|i| i.started_at.0 >= d.created_at.0)
        .collect();
    Ok(MajorPage {
        l: Layout::new(Some(a.auth()), "重大火灾隐患", "/inspections"),
        elements,
        documents: s.store.documents_of(&id).await?,
        deadlines: s.deadlines_of(a.ctx(), &id).await?,
        inspections: later,
        methods: &SERVICE_METHODS,
        today: a.ctx().now.local_date().to_string(),
        back: format!("/major-hazards/{id}"),
        d,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MajorStepForm {
    step: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    inspection_id: String,
    version: i64,
}

async fn major_step_form(
    State(app): State<AppState>,
    a: Authed,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<MajorStepForm>,
) -> PageResult<Response> {
    let s = &app.services;
    match f.step.as_str() {
        "report" => s.report_major(a.ctx(), &id, &f.to, &f.on, f.version).await?,
        "supervise" => s.supervise_major(a.ctx(), &id, &f.to, &f.on, f.version).await?,
        _ => s.lift_major(a.ctx(), &id, &f.inspection_id, f.version).await?,
    };
    Ok(htmx_aware_redirect(&headers, &format!("/major-hazards/{id}")))
}
