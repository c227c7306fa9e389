//! The demo organisation: a fictional 支队 with three 大队, stations, two towns and officers in every role,
//! so that a first start shows a living system. Later modules add their own demo records here.

use crate::account::{Certificate, DisplayName, Username};
use crate::audit::{Ctx, actions};
use crate::authz::Role;
use crate::error::{DomainError, Result};
use crate::org::{Org, OrgId, OrgLevel, OrgName, parse_short_name};
use crate::ports::{Change, UnitOfWork};

use super::Services;
use super::bootstrap::{root_org, system_grant};

/// One demo account, for the console.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Role label.
    pub role: &'static str,
    /// Org name.
    pub org: String,
}

/// (key, parent key, name, short name, level)
const ORGS: [(&str, &str, &str, &str, OrgLevel); 10] = [
    ("dh", "root", "江城市东湖区消防救援大队", "东湖", OrgLevel::Brigade),
    ("xs", "root", "江城市西山区消防救援大队", "西山", OrgLevel::Brigade),
    ("lj", "root", "临江县消防救援大队", "临江", OrgLevel::Brigade),
    ("tq", "root", "江城市消防救援支队特勤站", "", OrgLevel::Station),
    ("dh-st", "dh", "东湖区南湖路消防救援站", "", OrgLevel::Station),
    ("xs-st", "xs", "西山区西山消防救援站", "", OrgLevel::Station),
    ("lj-st", "lj", "临江县城关消防救援站", "", OrgLevel::Station),
    ("dh-town", "dh", "东湖区长青街道办事处", "长青", OrgLevel::Town),
    ("lj-town", "lj", "临江县青石镇人民政府", "青石", OrgLevel::Town),
    ("xs-st2", "xs", "西山区高新消防救援站", "", OrgLevel::Station),
];

/// A demo person: (username, name, org key, role, certificate (number, last valid day)).
type Person = (&'static str, &'static str, &'static str, Role, Option<(&'static str, &'static str)>);

const PEOPLE: [Person; 23] = [
    ("sysadmin", "周建国", "root", Role::SysAdmin, None),
    ("secadmin", "吴晓梅", "root", Role::SecAdmin, None),
    ("auditadmin", "郑立新", "root", Role::AuditAdmin, None),
    ("zhidui.leader", "陈志强", "root", Role::Leader, None),
    ("zhidui.legal", "林雪", "root", Role::LegalReviewer, Some(("JC-2019-0101", "2028-06-30"))),
    ("zhidui.head", "黄振华", "root", Role::AgencyHead, Some(("JC-2015-0001", "2027-12-31"))),
    ("donghu.chief", "王海波", "dh", Role::AgencyHead, Some(("JC-2016-0203", "2027-12-31"))),
    ("donghu.head", "李明", "dh", Role::DeptHead, Some(("JC-2018-0211", "2028-03-31"))),
    ("donghu.legal", "赵婷", "dh", Role::LegalReviewer, Some(("JC-2020-0215", "2028-03-31"))),
    ("donghu.li", "李想", "dh", Role::Officer, Some(("JC-2021-0231", "2029-05-31"))),
    ("donghu.zhang", "张伟", "dh", Role::Officer, Some(("JC-2014-0198", "2026-06-30"))),
    ("donghu.wang", "王磊", "dh", Role::Officer, Some(("JC-2022-0236", "2030-03-31"))),
    ("donghu.chen", "陈晨", "dh", Role::Officer, Some(("JC-2024-0241", "2031-01-31"))),
    ("xishan.liu", "刘洋", "xs", Role::Officer, Some(("JC-2022-0302", "2029-09-30"))),
    ("xishan.head", "孙浩", "xs", Role::DeptHead, Some(("JC-2017-0310", "2027-09-30"))),
    ("xishan.zhao", "赵刚", "xs", Role::Officer, Some(("JC-2021-0318", "2029-12-31"))),
    ("linjiang.he", "何静", "lj", Role::Officer, Some(("JC-2023-0405", "2030-01-31"))),
    ("linjiang.sun", "孙莉", "lj", Role::Officer, Some(("JC-2022-0411", "2029-08-31"))),
    ("nanhu.station", "马骏", "dh-st", Role::Officer, Some(("JC-2023-0601", "2030-06-30"))),
    ("changqing.town", "徐丽", "dh-town", Role::TownOfficer, Some(("JC-2024-0701", "2027-07-31"))),
    ("qingshi.town", "高峰", "lj-town", Role::TownOfficer, Some(("JC-2024-0702", "2027-07-31"))),
    ("changqing.zhou", "周敏", "dh-town", Role::TownOfficer, Some(("JC-2024-0703", "2028-03-31"))),
    ("changqing.wu", "吴涛", "dh-town", Role::TownOfficer, Some(("JC-2026-0711", "2032-10-31"))),
];

impl Services {
    /// Loads the demo organisation into an empty system, every account with `password`. Returns the
    /// accounts for the console, or an empty list when the system already holds data.
    pub async fn load_demo(&self, ctx: &Ctx, password: &str) -> Result<Vec<DemoAccount>> {
        if self.store.org_count().await? > 0 {
            return Ok(Vec::new());
        }
        let (policy, _) = self.security_policy().await?;
        policy.check_password(password, "")?;
        let now = ctx.now;
        let root = root_org(OrgName::parse("江城市消防救援支队")?, Some("江城".into()), OrgLevel::Detachment, now);
        let mut orgs: Vec<(&str, Org)> = vec![("root", root.clone())];
        let mut work = UnitOfWork::default().change(Change::InsertOrg(root));
        for (key, parent_key, name, short, level) in ORGS {
            let parent =
                &orgs.iter().find(|(k, _)| *k == parent_key).ok_or_else(|| DomainError::internal("demo parent"))?.1;
            let id = OrgId(crate::new_id());
            let org = Org {
                path: parent.path.child(&id),
                id,
                parent_id: Some(parent.id.clone()),
                name: OrgName::parse(name)?,
                short_name: parse_short_name(Some(short))?,
                level,
                active: true,
                version: 1,
                created_at: now,
            };
            work = work.change(Change::InsertOrg(org.clone()));
            orgs.push((key, org));
        }
        // One hash for all demo accounts: they share the password printed on the console anyway.
        let hash = self.crypto.hash_password(password).await?;
        let mut out = Vec::new();
        for (username, name, org_key, role, cert) in PEOPLE {
            let org = &orgs.iter().find(|(k, _)| *k == org_key).ok_or_else(|| DomainError::internal("demo org"))?.1;
            let mut account =
                crate::account::Account::new(Username::parse(username)?, DisplayName::parse(name)?, org, false, now);
            account.certificate = match cert {
                Some((no, exp)) => Some(Certificate::parse(no, exp)?),
                None => None,
            };
            work = work
                .change(Change::InsertAccount { account: account.clone(), password_hash: hash.clone() })
                .change(system_grant(&account, role, org, now));
            out.push(DemoAccount {
                username: username.into(),
                display_name: name.into(),
                role: role.label(),
                org: org.name.as_str().into(),
            });
        }
        work = work.audit(ctx.event(actions::DEMO_LOAD, "org", "").actor_name("system").detail(serde_json::json!({
            "orgs": orgs.len(), "accounts": out.len(),
        })));
        self.store.commit(work).await?;
        self.load_demo_registry(ctx, &orgs).await?;
        Ok(out)
    }
}
