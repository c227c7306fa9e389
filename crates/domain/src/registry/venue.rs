//! 场所类别: the kinds of venue a unit operates. A unit may be several at once (a 商业综合体 is also a
//! 人员密集场所 and a 高层); the random-check items and the key-unit criteria select units by these kinds.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// A kind of venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueKind {
    /// 人员密集场所 (消防法 Art 73: 公众聚集场所, hospitals, schools, elderly homes, factories' dormitories …).
    Crowded,
    /// 公众聚集场所 (消防法 Art 73).
    PublicGathering,
    /// 九小场所: small shops, restaurants, hotels, entertainment, schools, clinics … below key-unit size.
    NineSmall,
    /// 高层建筑.
    HighRise,
    /// 地下建筑.
    Underground,
    /// 商业综合体.
    CommercialComplex,
    /// 商场市场.
    Shop,
    /// 宾馆饭店.
    Hotel,
    /// 公共娱乐场所.
    Entertainment,
    /// 餐饮场所.
    Restaurant,
    /// 厂房仓库.
    FactoryWarehouse,
    /// 劳动密集型企业.
    LabourIntensive,
    /// 多业态混合生产经营场所.
    MixedUse,
    /// 学校.
    School,
    /// 幼儿园、托儿所.
    Kindergarten,
    /// 医院.
    Hospital,
    /// 养老机构.
    ElderlyCare,
    /// 车站码头机场.
    TransportHub,
    /// 图书馆、展览馆、博物馆、档案馆.
    LibraryExhibition,
    /// 文物保护单位.
    Heritage,
    /// 国家机关.
    StateOrgan,
    /// 广播电视、邮政电信.
    Communications,
    /// 发电厂（站）、电网.
    Power,
    /// 易燃易爆危险品单位.
    Hazardous,
    /// 加油加气站.
    FuelStation,
    /// 科研单位.
    Research,
    /// 在建工程.
    ConstructionSite,
    /// 经营性自建房.
    SelfBuilt,
    /// 群租房.
    GroupRental,
    /// 住宅小区.
    Residential,
}

impl VenueKind {
    /// All kinds, in the order forms list them.
    pub const ALL: [VenueKind; 30] = [
        VenueKind::Crowded,
        VenueKind::PublicGathering,
        VenueKind::NineSmall,
        VenueKind::HighRise,
        VenueKind::Underground,
        VenueKind::CommercialComplex,
        VenueKind::Shop,
        VenueKind::Hotel,
        VenueKind::Entertainment,
        VenueKind::Restaurant,
        VenueKind::FactoryWarehouse,
        VenueKind::LabourIntensive,
        VenueKind::MixedUse,
        VenueKind::School,
        VenueKind::Kindergarten,
        VenueKind::Hospital,
        VenueKind::ElderlyCare,
        VenueKind::TransportHub,
        VenueKind::LibraryExhibition,
        VenueKind::Heritage,
        VenueKind::StateOrgan,
        VenueKind::Communications,
        VenueKind::Power,
        VenueKind::Hazardous,
        VenueKind::FuelStation,
        VenueKind::Research,
        VenueKind::ConstructionSite,
        VenueKind::SelfBuilt,
        VenueKind::GroupRental,
        VenueKind::Residential,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            VenueKind::Crowded => "crowded",
            VenueKind::PublicGathering => "public_gathering",
            VenueKind::NineSmall => "nine_small",
            VenueKind::HighRise => "high_rise",
            VenueKind::Underground => "underground",
            VenueKind::CommercialComplex => "commercial_complex",
            VenueKind::Shop => "shop",
            VenueKind::Hotel => "hotel",
            VenueKind::Entertainment => "entertainment",
            VenueKind::Restaurant => "restaurant",
            VenueKind::FactoryWarehouse => "factory_warehouse",
            VenueKind::LabourIntensive => "labour_intensive",
            VenueKind::MixedUse => "mixed_use",
            VenueKind::School => "school",
            VenueKind::Kindergarten => "kindergarten",
            VenueKind::Hospital => "hospital",
            VenueKind::ElderlyCare => "elderly_care",
            VenueKind::TransportHub => "transport_hub",
            VenueKind::LibraryExhibition => "library_exhibition",
            VenueKind::Heritage => "heritage",
            VenueKind::StateOrgan => "state_organ",
            VenueKind::Communications => "communications",
            VenueKind::Power => "power",
            VenueKind::Hazardous => "hazardous",
            VenueKind::FuelStation => "fuel_station",
            VenueKind::Research => "research",
            VenueKind::ConstructionSite => "construction_site",
            VenueKind::SelfBuilt => "self_built",
            VenueKind::GroupRental => "group_rental",
            VenueKind::Residential => "residential",
        }
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            VenueKind::Crowded => "人员密集场所",
            VenueKind::PublicGathering => "公众聚集场所",
            VenueKind::NineSmall => "九小场所",
            VenueKind::HighRise => "高层",
            VenueKind::Underground => "地下",
            VenueKind::CommercialComplex => "商业综合体",
            VenueKind::Shop => "商场市场",
            VenueKind::Hotel => "宾馆饭店",
            VenueKind::Entertainment => "公共娱乐场所",
            VenueKind::Restaurant => "餐饮场所",
            VenueKind::FactoryWarehouse => "厂房仓库",
            VenueKind::LabourIntensive => "劳动密集型企业",
            VenueKind::MixedUse => "多业态混合",
            VenueKind::School => "学校",
            VenueKind::Kindergarten => "幼儿园托儿所",
            VenueKind::Hospital => "医院",
            VenueKind::ElderlyCare => "养老机构",
            VenueKind::TransportHub => "车站码头机场",
            VenueKind::LibraryExhibition => "图书馆展览馆",
            VenueKind::Heritage => "文物保护单位",
            VenueKind::StateOrgan => "国家机关",
            VenueKind::Communications => "广播电视邮政电信",
            VenueKind::Power => "发电厂电网",
            VenueKind::Hazardous => "易燃易爆危险品单位",
            VenueKind::FuelStation => "加油加气站",
            VenueKind::Research => "科研单位",
            VenueKind::ConstructionSite => "在建工程",
            VenueKind::SelfBuilt => "自建房",
            VenueKind::GroupRental => "群租房",
            VenueKind::Residential => "住宅小区",
        }
    }

    /// Parses a code or a Chinese name (import files use the names).
    pub fn parse(field: &str, s: &str) -> Result<VenueKind> {
        let s = s.trim();
        VenueKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
            .ok_or_else(|| DomainError::invalid(field, format!("未知的场所类别“{s}”")))
    }
}

/// The set of kinds of one unit (at least one).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct VenueKinds(BTreeSet<VenueKind>);

impl VenueKinds {
    /// Parses a list of codes or names, separated by commas, 、 or ；.
    pub fn parse(field: &str, s: &str) -> Result<VenueKinds> {
        let parts = s.split([',', '，', '、', ';', '；', '|']).map(str::trim).filter(|p| !p.is_empty());
        Self::from_parts(field, parts)
    }

    /// Parses a list of codes or names given one by one.
    pub fn from_parts<'a>(field: &str, parts: impl IntoIterator<Item = &'a str>) -> Result<VenueKinds> {
        let set = parts.into_iter().map(|p| VenueKind::parse(field, p)).collect::<Result<BTreeSet<_>>>()?;
        if set.is_empty() {
            return Err(DomainError::invalid(field, "请至少选择一个场所类别"));
        }
        Ok(VenueKinds(set))
    }

    /// Whether the unit is of this kind.
    pub fn has(&self, k: VenueKind) -> bool {
        self.0.contains(&k)
    }

    /// The kinds, in order.
    pub fn iter(&self) -> impl Iterator<Item = VenueKind> + '_ {
        self.0.iter().copied()
    }

    /// Stored form: `,code,code,`, so that `LIKE '%,code,%'` finds one kind on both engines.
    pub fn to_stored(&self) -> String {
        let mut s = String::from(",");
        for k in &self.0 {
            s.push_str(k.code());
            s.push(',');
        }
        s
    }

    /// Reads the stored form.
    pub fn from_stored(s: &str) -> Result<VenueKinds> {
        Self::from_parts("venue_kinds", s.split(',').filter(|p| !p.is_empty()))
    }

    /// Chinese names joined with 、.
    pub fn labels(&self) -> String {
        self.0.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for k in VenueKind::ALL {
            assert_eq!(VenueKind::parse("k", k.code()).unwrap(), k);
            assert_eq!(VenueKind::parse("k", k.label()).unwrap(), k);
        }
        let kinds = VenueKinds::parse("k", "商业综合体、高层,crowded").unwrap();
        assert_eq!(VenueKinds::from_stored(&kinds.to_stored()).unwrap(), kinds);
        assert_eq!(kinds.to_stored(), ",crowded,high_rise,commercial_complex,");
    }

    #[test]
    fn unknown_and_empty_kinds_are_refused() {
        let e = VenueKinds::parse("venue_kinds", "网吧,高层").unwrap_err().to_string();
        assert!(e.contains("未知的场所类别“网吧”"), "{e}");
        assert!(VenueKinds::parse("venue_kinds", " , ").is_err());
    }
}
