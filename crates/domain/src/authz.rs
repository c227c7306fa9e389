//! Roles, permissions and jurisdiction: permission = role × org subtree.
//!
//! Every service checks here before it reads or writes; templates and handlers never decide access.
//! The three separated administrators (三员分立, 等保 §8.1.5) hold dedicated accounts: one account never
//! holds two of them, never holds a business role beside one, and none of them carries a permission that
//! reaches enforcement records.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::org::{OrgId, OrgPath};

/// A role. Business roles follow the approval chain 承办人 → 承办部门负责人 → 法制审核人员 → 机构负责人.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 执法人员: inspects, handles cases (承办人).
    Officer,
    /// 承办部门负责人: first approval.
    DeptHead,
    /// 法制审核人员: legal review.
    LegalReviewer,
    /// 机构负责人: final approval.
    AgencyHead,
    /// 领导/统计: reads everything in the subtree, changes nothing.
    Leader,
    /// 镇街执法人员: acts only within an entrustment agreement.
    TownOfficer,
    /// 系统管理员: accounts, org tree, calendar, configuration.
    SysAdmin,
    /// 安全管理员: role grants, security policy, unlocking accounts.
    SecAdmin,
    /// 审计管理员: reads and exports everyone's audit records.
    AuditAdmin,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 9] = [
        Role::Officer,
        Role::DeptHead,
        Role::LegalReviewer,
        Role::AgencyHead,
        Role::Leader,
        Role::TownOfficer,
        Role::SysAdmin,
        Role::SecAdmin,
        Role::AuditAdmin,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::DeptHead => "dept_head",
            Role::LegalReviewer => "legal_reviewer",
            Role::AgencyHead => "agency_head",
            Role::Leader => "leader",
            Role::TownOfficer => "town_officer",
            Role::SysAdmin => "sys_admin",
            Role::SecAdmin => "sec_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Role::Officer => "执法人员",
            Role::DeptHead => "承办部门负责人",
            Role::LegalReviewer => "法制审核人员",
            Role::AgencyHead => "机构负责人",
            Role::Leader => "领导/统计",
            Role::TownOfficer => "镇街执法人员",
            Role::SysAdmin => "系统管理员",
            Role::SecAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    /// Parses the stored code.
    pub fn parse(field: &str, s: &str) -> Result<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| DomainError::invalid(field, "角色无效"))
    }

    /// Whether this is one of the three separated administrator roles.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin)
    }

    /// Whether acting in this role is an enforcement act that needs a valid certificate.
    pub fn needs_certificate(self) -> bool {
        matches!(self, Role::Officer | Role::DeptHead | Role::LegalReviewer | Role::AgencyHead | Role::TownOfficer)
    }

    /// The permissions this role carries. Business permissions are used by the later modules.
    pub fn permissions(self) -> &'static [Perm] {
        use Perm::*;
        match self {
            Role::Officer => &[OrgRead, RecordRead, EnforcementAct, RegistryManage, PersonalInfoReveal],
            Role::DeptHead => {
                &[OrgRead, RecordRead, EnforcementAct, DeptApprove, RegistryManage, PersonalInfoReveal, CheckPlan]
            }
            Role::LegalReviewer => &[OrgRead, RecordRead, LegalReview, PersonalInfoReveal],
            Role::AgencyHead => {
                &[OrgRead, RecordRead, AgencyApprove, StatsRead, RegistryManage, PersonalInfoReveal, CheckPlan]
            }
            Role::Leader => &[OrgRead, RecordRead, StatsRead],
            Role::TownOfficer => &[OrgRead, RecordRead, EntrustedAct],
            Role::SysAdmin => &[OrgRead, OrgManage, AccountRead, AccountManage, CalendarManage, SettingsManage],
            Role::SecAdmin => &[OrgRead, AccountRead, RoleGrant, PolicyManage, AccountUnlock],
            Role::AuditAdmin => &[OrgRead, AuditRead, AuditExport],
        }
    }
}

/// A permission. What it covers is the org subtree of the grant that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perm {
    /// See the org tree.
    OrgRead,
    /// Create, rename, deactivate orgs.
    OrgManage,
    /// See accounts.
    AccountRead,
    /// Create accounts, disable them, reset passwords, set certificates.
    AccountManage,
    /// Edit the holiday calendar.
    CalendarManage,
    /// Grant and revoke roles.
    RoleGrant,
    /// Set the password, lockout and session policy.
    PolicyManage,
    /// Unlock a locked account.
    AccountUnlock,
    /// Search audit records.
    AuditRead,
    /// Export audit records.
    AuditExport,
    /// Read enforcement records (units, inspections, cases).
    RecordRead,
    /// Perform an enforcement act (inspect, file, order).
    EnforcementAct,
    /// Approve as 承办部门负责人.
    DeptApprove,
    /// Review as 法制审核人员.
    LegalReview,
    /// Approve as 机构负责人.
    AgencyApprove,
    /// Read statistics and reports.
    StatsRead,
    /// Act under an entrustment agreement.
    EntrustedAct,
    /// Add, edit and import units of the registry; confirm key units; set risk grades.
    RegistryManage,
    /// See a natural person's phone or ID number unmasked, stating a reason (audited).
    PersonalInfoReveal,
    /// Set random-check items, plan, announce and draw; manage the officer pool.
    CheckPlan,
    /// Set the system-wide business settings (province thresholds, risk weights, publication period).
    SettingsManage,
}

/// One role held over one org subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Grant id.
    pub id: String,
    /// The role.
    pub role: Role,
    /// The root of the subtree.
    pub org_id: OrgId,
    /// Its path.
    pub org_path: OrgPath,
    /// Its name, for display.
    pub org_name: String,
}

/// Who is acting: the authenticated user with their grants.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    /// User id.
    pub user_id: String,
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// The user's own org.
    pub org_id: OrgId,
    /// Its name, for display.
    pub org_name: String,
    /// Its path.
    pub org_path: OrgPath,
    /// Roles over subtrees.
    pub grants: Vec<Grant>,
}

impl Actor {
    /// Whether any grant carries `perm` over `target`.
    pub fn can(&self, perm: Perm, target: &OrgPath) -> bool {
        self.grants.iter().any(|g| g.org_path.contains(target) && g.role.permissions().contains(&perm))
    }

    /// Fails with [`DomainError::Forbidden`] unless the actor holds `perm` over `target`.
    pub fn require(&self, perm: Perm, target: &OrgPath) -> Result<()> {
        if self.can(perm, target) {
            Ok(())
        } else {
            tracing::info!(user = %self.username, ?perm, "permission denied");
            Err(DomainError::Forbidden)
        }
    }

    /// The subtrees over which the actor holds `perm` (for scoping list queries). Empty = none.
    pub fn scopes(&self, perm: Perm) -> Vec<OrgPath> {
        let mut roots: Vec<OrgPath> =
            self.grants.iter().filter(|g| g.role.permissions().contains(&perm)).map(|g| g.org_path.clone()).collect();
        // Drop subtrees already covered by a wider one, so queries stay short.
        roots.sort_by_key(|p| p.depth());
        let mut kept: Vec<OrgPath> = Vec::new();
        for p in roots {
            if !kept.iter().any(|k| k.contains(&p)) {
                kept.push(p);
            }
        }
        kept
    }

    /// Whether the actor holds `perm` anywhere.
    pub fn has_anywhere(&self, perm: Perm) -> bool {
        self.grants.iter().any(|g| g.role.permissions().contains(&perm))
    }

    /// Whether the actor holds `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

/// Checks the separation rules before `role` is added to an account that already holds `held`.
pub fn check_role_combination(held: &[Role], role: Role) -> Result<()> {
    if held.contains(&role) {
        return Ok(()); // a second scope for the same role is fine
    }
    if role.is_admin() && held.iter().any(|r| r.is_admin()) {
        return Err(DomainError::Rule(
            "三员分立：同一账户不能同时担任系统管理员、安全管理员、审计管理员中的两个".into(),
        ));
    }
    if role.is_admin() && !held.is_empty() {
        return Err(DomainError::Rule("三员分立：管理员账户须专用，不能同时持有业务角色".into()));
    }
    if !role.is_admin() && held.iter().any(|r| r.is_admin()) {
        return Err(DomainError::Rule("三员分立：管理员账户不能被授予业务角色".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(ids: &[&str]) -> OrgPath {
        let mut p = OrgPath::root(&OrgId(ids[0].into()));
        for id in &ids[1..] {
            p = p.child(&OrgId((*id).into()));
        }
        p
    }

    fn actor(grants: &[(Role, &[&str])]) -> Actor {
        Actor {
            user_id: "u".into(),
            username: "u".into(),
            display_name: "u".into(),
            org_id: OrgId("a".into()),
            org_name: "江城支队".into(),
            org_path: path(&["a"]),
            grants: grants
                .iter()
                .map(|(role, ids)| Grant {
                    id: "g".into(),
                    role: *role,
                    org_id: OrgId(ids.last().unwrap().to_string()),
                    org_path: path(ids),
                    org_name: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn permission_is_role_times_subtree() {
        let a = actor(&[(Role::SysAdmin, &["a", "b"])]);
        assert!(a.can(Perm::OrgManage, &path(&["a", "b"])));
        assert!(a.can(Perm::OrgManage, &path(&["a", "b", "c"])));
        assert!(!a.can(Perm::OrgManage, &path(&["a"])), "parent is outside");
        assert!(!a.can(Perm::OrgManage, &path(&["a", "x"])), "sibling is outside");
        assert!(!a.can(Perm::RoleGrant, &path(&["a", "b"])), "other role's permission");
    }

    #[test]
    fn no_admin_role_reaches_enforcement_records() {
        for role in Role::ALL.into_iter().filter(|r| r.is_admin()) {
            for perm in [
                Perm::RecordRead,
                Perm::EnforcementAct,
                Perm::DeptApprove,
                Perm::LegalReview,
                Perm::AgencyApprove,
                Perm::StatsRead,
                Perm::EntrustedAct,
                Perm::RegistryManage,
                Perm::PersonalInfoReveal,
                Perm::CheckPlan,
            ] {
                assert!(!role.permissions().contains(&perm), "{role:?} has {perm:?}");
            }
        }
    }

    #[test]
    fn leader_is_read_only() {
        let writes = [
            Perm::EnforcementAct,
            Perm::DeptApprove,
            Perm::LegalReview,
            Perm::AgencyApprove,
            Perm::OrgManage,
            Perm::AccountManage,
        ];
        assert!(writes.iter().all(|p| !Role::Leader.permissions().contains(p)));
    }

    #[test]
    fn three_admins_are_separated() {
        assert!(check_role_combination(&[Role::SysAdmin], Role::SecAdmin).is_err());
        assert!(check_role_combination(&[Role::AuditAdmin], Role::SysAdmin).is_err());
        assert!(check_role_combination(&[Role::Officer], Role::AuditAdmin).is_err());
        assert!(check_role_combination(&[Role::SecAdmin], Role::Officer).is_err());
        assert!(check_role_combination(&[Role::SysAdmin], Role::SysAdmin).is_ok());
        assert!(check_role_combination(&[Role::Officer], Role::DeptHead).is_ok());
        assert!(check_role_combination(&[], Role::AuditAdmin).is_ok());
    }

    #[test]
    fn scopes_collapse_nested_grants() {
        let a = actor(&[(Role::Officer, &["a", "b", "c"]), (Role::Leader, &["a", "b"]), (Role::Officer, &["a", "x"])]);
        let scopes = a.scopes(Perm::RecordRead);
        assert_eq!(scopes.len(), 2);
        assert!(scopes.contains(&path(&["a", "b"])));
    }
}
