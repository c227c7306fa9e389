//! Routes, one module per resource. Each module's `router()` holds both its pages and its JSON API; both
//! call the same service.

use axum::Router;
use axum::middleware;

use crate::AppState;

pub mod accounts;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod checks;
pub mod entrustments;
pub mod home;
pub mod inspection_pages;
pub mod inspections;
pub mod measures;
pub mod orgs;
pub mod security;
pub mod settings;
pub mod system;
pub mod tokens;
pub mod units;

/// All routes.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(auth::pages())
        .merge(home::pages())
        .merge(orgs::pages())
        .merge(accounts::pages())
        .merge(security::pages())
        .merge(audit::pages())
        .merge(calendar::pages())
        .merge(tokens::pages())
        .merge(units::pages())
        .merge(checks::pages())
        .merge(inspections::pages())
        .merge(inspection_pages::pages())
        .merge(measures::pages())
        .merge(cases::pages())
        .merge(entrustments::pages())
        .merge(settings::pages())
        .layer(middleware::from_fn(crate::request::render_page_errors));
    let api = Router::new()
        .merge(auth::api())
        .merge(orgs::api())
        .merge(accounts::api())
        .merge(security::api())
        .merge(audit::api())
        .merge(calendar::api())
        .merge(tokens::api())
        .merge(units::api())
        .merge(checks::api())
        .merge(inspections::api())
        .merge(measures::api())
        .merge(cases::api())
        .merge(entrustments::api())
        .merge(settings::api());
    Router::new()
        .merge(pages)
        .merge(api)
        .merge(system::router())
        .merge(assets::router())
        .fallback(system::not_found)
        .with_state(state)
}
