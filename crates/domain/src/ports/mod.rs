//! What the domain needs from the outside, declared here and implemented by the outer crates: the store
//! (`store` crate, SQLite and PostgreSQL) and the crypto provider (`crypto` crate, software SM3/SM4; an HSM
//! provider can implement the same trait).
//!
//! Writes are data: a service builds a [`UnitOfWork`] (the changes plus their audit records) and the store
//! commits it in one transaction, so a change can never land without its audit record or the reverse.

use chrono::NaiveDate;

pub mod case;
pub mod entrustment;
pub mod inspection;
pub mod random_check;
pub mod registry;

pub use case::CaseStore;
pub use entrustment::EntrustmentStore;
pub use inspection::InspectionStore;
pub use random_check::CheckStore;
pub use registry::RegistryStore;

use crate::account::{Account, AccountStatus, Certificate};
use crate::audit::{AuditEvent, AuditRecord};
use crate::authz::{Grant, Role};
use crate::calendar::CalendarDay;
use crate::error::Result;
use crate::org::{Org, OrgId, OrgPath};
use crate::time::Timestamp;

/// A server-side session. The cookie holds a random token; only its digest is stored.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// SM3 of the cookie token.
    pub id_hash: String,
    /// Its user.
    pub user_id: String,
    /// Synchronizer token for CSRF protection of cookie-authenticated writes.
    pub csrf_token: String,
    /// Created.
    pub created_at: Timestamp,
    /// Last request.
    pub last_seen_at: Timestamp,
    /// Client address at login.
    pub ip: String,
    /// Browser at login (truncated).
    pub user_agent: String,
}

/// A bearer token for API clients. Only its digest is stored.
#[derive(Debug, Clone)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// What it is for.
    pub name: String,
    /// SM3 of the token.
    pub token_hash: String,
    /// Created.
    pub created_at: Timestamp,
    /// Expiry.
    pub expires_at: Timestamp,
    /// Revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// One change to stored state.
#[derive(Debug, Clone)]
pub enum Change {
    /// A new org.
    InsertOrg(Org),
    /// Rename or (de)activate an org, if it still has `expected_version`.
    UpdateOrg {
        /// Org.
        id: OrgId,
        /// Version the user saw.
        expected_version: i64,
        /// New name.
        name: String,
        /// New short name.
        short_name: Option<String>,
        /// Still in use.
        active: bool,
        /// When.
        at: Timestamp,
    },
    /// A new account with its first password hash.
    InsertAccount {
        /// The account.
        account: Account,
        /// Password hash (PHC string).
        password_hash: String,
    },
    /// Change an account's facts, if it still has `expected_version`.
    UpdateAccount {
        /// Account.
        id: String,
        /// Version the user saw.
        expected_version: i64,
        /// Name.
        display_name: String,
        /// Org.
        org_id: OrgId,
        /// Status.
        status: AccountStatus,
        /// Certificate.
        certificate: Option<Certificate>,
        /// When.
        at: Timestamp,
    },
    /// Set a password (owner's change or admin reset) and remember the hash in the history.
    SetPassword {
        /// Account.
        user_id: String,
        /// New hash.
        hash: String,
        /// Force a change at next login (admin-issued passwords).
        must_change: bool,
        /// When.
        at: Timestamp,
        /// How many history entries to keep.
        keep_history: u32,
    },
    /// Count a failed login; lock the account when the failures in the window reach the limit. The store
    /// appends `lock_audit` when it locks.
    LoginFailed {
        /// Account.
        user_id: String,
        /// When.
        at: Timestamp,
        /// Failures at or after this instant count.
        window_start: Timestamp,
        /// Failures that lock.
        max_failures: u32,
        /// Lock end if locked now.
        lock_until: Timestamp,
        /// Audit record of the lock.
        lock_audit: Box<AuditEvent>,
    },
    /// A successful login: clears failures, records the time.
    LoginSucceeded {
        /// Account.
        user_id: String,
        /// When.
        at: Timestamp,
    },
    /// Lift a lock and clear failures.
    Unlock {
        /// Account.
        user_id: String,
    },
    /// Grant a role over a subtree.
    InsertGrant {
        /// Grant id.
        id: String,
        /// Account.
        user_id: String,
        /// Role.
        role: Role,
        /// Subtree root.
        org_id: OrgId,
        /// When.
        at: Timestamp,
        /// Granted by.
        by: String,
    },
    /// Revoke a grant.
    DeleteGrant {
        /// Grant id.
        id: String,
    },
    /// A new session.
    InsertSession(SessionRecord),
    /// Record activity on a session (not audited: it is bookkeeping, not a change of anything a user owns).
    TouchSession {
        /// Session.
        id_hash: String,
        /// When.
        at: Timestamp,
    },
    /// End a session.
    DeleteSession {
        /// Session.
        id_hash: String,
    },
    /// End all sessions of a user, optionally sparing one.
    DeleteSessionsOfUser {
        /// Account.
        user_id: String,
        /// Session to keep.
        except: Option<String>,
    },
    /// A new API token.
    InsertApiToken(ApiToken),
    /// Revoke an API token of `user_id`.
    RevokeApiToken {
        /// Token id.
        id: String,
        /// Owner.
        user_id: String,
        /// When.
        at: Timestamp,
    },
    /// Write a setting, if it still has `expected_version` (`None`: it must not exist yet).
    PutSetting {
        /// Key.
        key: String,
        /// JSON text.
        value: String,
        /// Version the user saw.
        expected_version: Option<i64>,
        /// When.
        at: Timestamp,
    },
    /// Add or replace a calendar exception.
    PutCalendarDay(CalendarDay),
    /// Remove a calendar exception.
    DeleteCalendarDay(NaiveDate),
    /// Mark a year's notice as entered (or not).
    SetYearPublished {
        /// Year.
        year: i32,
        /// Entered.
        published: bool,
        /// Notice title and number, as the source.
        source: String,
    },
    /// A change to the registry or the officer pool.
    Registry(registry::RegistryChange),
    /// A change to random-check items, plans or tasks.
    Check(random_check::CheckChange),
    /// A change to inspections, hazards, measures, documents, evidence or due dates.
    Inspection(inspection::InspectionChange),
    /// A change to penalty cases or the publication of their decisions.
    Case(case::CaseChange),
    /// A change to entrustments, town acts or handovers.
    Entrustment(entrustment::EntrustmentChange),
}

/// Changes and their audit records, committed together or not at all.
#[derive(Debug, Default, Clone)]
pub struct UnitOfWork {
    /// The changes, applied in order.
    pub changes: Vec<Change>,
    /// The audit records, appended to the chain in order.
    pub audit: Vec<AuditEvent>,
}

impl UnitOfWork {
    /// A unit with one change and one audit record.
    pub fn one(change: Change, audit: AuditEvent) -> Self {
        UnitOfWork { changes: vec![change], audit: vec![audit] }
    }
    /// Adds a change.
    pub fn change(mut self, c: Change) -> Self {
        self.changes.push(c);
        self
    }
    /// Adds an audit record.
    pub fn audit(mut self, e: AuditEvent) -> Self {
        self.audit.push(e);
        self
    }
}

/// What a commit reports back.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Committed {
    /// Set when a [`Change::LoginFailed`] locked the account.
    pub locked_until: Option<Timestamp>,
}

/// A filter over audit records.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    /// From (inclusive).
    pub from: Option<Timestamp>,
    /// To (exclusive).
    pub to: Option<Timestamp>,
    /// Actor user name (exact).
    pub actor_name: Option<String>,
    /// Action code.
    pub action: Option<String>,
    /// Outcome code.
    pub outcome: Option<String>,
    /// Object id (exact).
    pub object_id: Option<String>,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u32,
}

/// An account's stored secrets, for login.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub account: Account,
    /// PHC string.
    pub password_hash: String,
}

/// The database, seen from the domain.
#[async_trait::async_trait]
pub trait Store: RegistryStore + CheckStore + InspectionStore + CaseStore + EntrustmentStore + Send + Sync {
    /// Commits the unit in one transaction: all changes and all audit records, or nothing.
    async fn commit(&self, work: UnitOfWork) -> Result<Committed>;

    /// An org by id.
    async fn org(&self, id: &OrgId) -> Result<Option<Org>>;
    /// Orgs inside any of `scopes`, ordered by path.
    async fn orgs_in(&self, scopes: &[OrgPath]) -> Result<Vec<Org>>;
    /// How many orgs exist.
    async fn org_count(&self) -> Result<u64>;

    /// An account by id.
    async fn account(&self, id: &str) -> Result<Option<Account>>;
    /// An account with its hash, by normalised user name.
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>>;
    /// Accounts whose org lies inside any of `scopes`, ordered by org and name.
    async fn accounts_in(&self, scopes: &[OrgPath], search: Option<&str>) -> Result<Vec<Account>>;
    /// How many accounts exist.
    async fn account_count(&self) -> Result<u64>;
    /// The last `n` password hashes of an account, newest first.
    async fn password_history(&self, user_id: &str, n: u32) -> Result<Vec<String>>;

    /// Grants held by an account.
    async fn grants_of(&self, user_id: &str) -> Result<Vec<Grant>>;
    /// A grant by id, with its account id.
    async fn grant(&self, id: &str) -> Result<Option<(String, Grant)>>;

    /// A session by token digest, with its account and the account's grants: what every page request
    /// needs, in one query.
    async fn session_actor(&self, id_hash: &str) -> Result<Option<(SessionRecord, Account, Vec<Grant>)>>;
    /// An API token by digest, with its account and grants, in one query.
    async fn token_actor(&self, token_hash: &str) -> Result<Option<(ApiToken, Account, Vec<Grant>)>>;
    /// API tokens of an account.
    async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiToken>>;

    /// A setting's JSON text and version.
    async fn setting(&self, key: &str) -> Result<Option<(String, i64)>>;

    /// Calendar exceptions between two dates (inclusive).
    async fn calendar_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CalendarDay>>;
    /// Years whose notice is entered, with the source text.
    async fn calendar_years(&self) -> Result<Vec<(i32, String)>>;

    /// Audit records matching `q`, newest first, and the total count.
    async fn audit_search(&self, q: &AuditQuery) -> Result<(Vec<AuditRecord>, u64)>;
    /// Audit records with `seq > after`, in order, at most `limit`.
    async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditRecord>>;
    /// The recorded head of the chain: last sequence number and MAC.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;
}

/// Lays out enforcement documents (the `documents` crate: typst for PDF, docx-rs for DOCX).
pub trait DocumentRenderer: Send + Sync {
    /// The PDF of a notice; `photos` holds the bytes of its 照片附页 by evidence id. The same notice gives the
    /// same bytes.
    fn pdf(&self, n: &crate::document::Notice, photos: &[(String, Vec<u8>)]) -> Result<Vec<u8>>;
    /// The editable DOCX of a notice.
    fn docx(&self, n: &crate::document::Notice) -> Result<Vec<u8>>;
    /// A photo made ready for a document's 照片附页 (smaller; the original stays in evidence storage).
    fn photo_for_print(&self, bytes: &[u8]) -> Vec<u8>;
}

/// Where evidence files and issued PDFs are kept: a local folder by default, S3-compatible storage when
/// configured. Keys are made by the services (`evidence/2026/11/<id>`); a stored key is never overwritten.
#[async_trait::async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `key`, completely or not at all (written aside, synced, then renamed).
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()>;
    /// Stores the file at `path` (an upload spooled to disk) under `key`.
    async fn put_file(&self, key: &str, path: &std::path::Path) -> Result<()>;
    /// The bytes under `key`.
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
    /// Size of the file under `key`.
    async fn size(&self, key: &str) -> Result<u64>;
    /// Up to `len` bytes from `offset` (shorter at the end): large files are read in pieces, never whole.
    async fn read_at(&self, key: &str, offset: u64, len: usize) -> Result<Vec<u8>>;
}

/// Cryptography, behind one trait so that a certified device can replace the software provider
/// (密评 GB/T 39786-2021: keys of a level-3 system belong in a certified cryptographic module).
#[async_trait::async_trait]
pub trait CryptoProvider: Send + Sync {
    /// HMAC-SM3 with the audit key, as lower-case hex.
    fn audit_mac(&self, data: &[u8]) -> String;
    /// SM3 digest as lower-case hex (session and token ids are stored only as digests).
    fn digest(&self, data: &[u8]) -> String;
    /// `bytes` random bytes from the OS CSPRNG, as URL-safe text.
    fn random_token(&self, bytes: usize) -> String;
    /// Hashes a password (slow on purpose; runs off the async threads).
    async fn hash_password(&self, password: &str) -> Result<String>;
    /// Checks a password against a stored hash, in constant time.
    async fn verify_password(&self, password: &str, stored: &str) -> Result<bool>;
    /// Encrypts a personal field (SM4-GCM under the field key); `aad` binds it to its row and column.
    fn seal_field(&self, aad: &str, plaintext: &str) -> Result<String>;
    /// Decrypts a field sealed by [`CryptoProvider::seal_field`] with the same `aad`.
    fn open_field(&self, aad: &str, sealed: &str) -> Result<String>;
}
