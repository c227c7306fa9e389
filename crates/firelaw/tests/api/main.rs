//! Integration tests: each test boots the real application on a fresh database and talks to it over HTTP.
//! Without `TEST_DATABASE_URL` the database is SQLite in a temporary folder; with it (a PostgreSQL URL to
//! an administrative database) each test gets its own PostgreSQL database. `scripts/test.sh` runs the
//! suite both ways.

mod audit;
mod auth;
mod authz;
mod bootstrap;
mod calendar;
mod cases;
mod checks;
mod entrustments;
mod helpers;
mod inspections;
mod measures;
mod orgs;
mod registry;
mod system;
