//! The services: one module per procedure. HTML and JSON handlers both call these, and permission checks
//! live here, never in a handler or template.

use std::sync::Arc;

use crate::ports::{CryptoProvider, DocumentRenderer, FileStore, Store};
use crate::time::Clock;

pub mod accounts;
pub mod audit_log;
pub mod auth;
pub mod bootstrap;
pub mod calendar;
pub mod cases;
pub mod demo;
mod demo_cases;
mod demo_entrustments;
mod demo_inspections;
mod demo_registry;
pub mod documents;
pub mod entrustments;
pub mod grants;
pub mod inspections;
pub mod major_hazards;
pub mod measures;
pub mod officer_pool;
pub mod orgs;
pub mod random_checks;
pub mod registry;
pub mod security;

/// Everything a service needs, shared by all requests.
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Cryptography.
    pub crypto: Arc<dyn CryptoProvider>,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Lays out enforcement documents.
    pub documents: Arc<dyn DocumentRenderer>,
    /// Evidence files and issued PDFs.
    pub files: Arc<dyn FileStore>,
    /// Public address of this deployment, printed in documents' verification QR codes.
    pub public_url: String,
    /// The jurisdiction's checklist as last parsed (read on every record).
    checklist_parsed: Arc<LastParsed<crate::inspection::checklist::Checklist>>,
}

/// The value parsed from the last stored text seen. Not state: the text is read every time and compared,
/// so a change made through another server is seen at once.
struct LastParsed<T> {
    last: std::sync::Mutex<Option<(String, Arc<T>)>>,
}

impl<T> Default for LastParsed<T> {
    fn default() -> Self {
        LastParsed { last: std::sync::Mutex::new(None) }
    }
}

impl<T> LastParsed<T> {
    /// The value of `text`: the last one when the text is the same, else `parse(text)` (kept if it parses).
    fn get(&self, text: &str, parse: impl FnOnce(&str) -> crate::Result<T>) -> crate::Result<Arc<T>> {
        if let Ok(last) = self.last.lock()
            && let Some((t, v)) = last.as_ref()
            && t == text
        {
            return Ok(v.clone());
        }
        let v = Arc::new(parse(text)?);
        if let Ok(mut last) = self.last.lock() {
            *last = Some((text.to_string(), v.clone()));
        }
        Ok(v)
    }
}

impl Services {
    /// Wires the services to their ports.
    pub fn new(
        store: Arc<dyn Store>,
        crypto: Arc<dyn CryptoProvider>,
        clock: Arc<dyn Clock>,
        documents: Arc<dyn DocumentRenderer>,
        files: Arc<dyn FileStore>,
        public_url: String,
    ) -> Self {
        Services { store, crypto, clock, documents, files, public_url, checklist_parsed: Arc::default() }
    }
}
