//! The four-level organisation: unit codes, levels, roles.
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrgError {
    #[error("单位代码须为 2–20 位字母、数字或连字符")]
    BadUnitCode,
    #[error("层级须为 1–4（1 最高检，2 省级，3 市级，4 基层）")]
    BadLevel,
    #[error("未知角色：{0}")]
    BadRole(String),
}

/// A unit code such as `100000` (SPP) or `330106`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(raw: &str) -> Result<Self, OrgError> {
        let v = raw.trim();
        let ok = (2..=20).contains(&v.len())
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(UnitCode(v.to_ascii_uppercase()))
        } else {
            Err(OrgError::BadUnitCode)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 四级: 1 national (最高人民检察院), 2 provincial, 3 city, 4 basic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Level(u8);

impl Level {
    pub const NATIONAL: Level = Level(1);
    pub fn parse(raw: &str) -> Result<Self, OrgError> {
        raw.trim()
            .parse::<u8>()
            .ok()
            .and_then(|n| Self::new(n).ok())
            .ok_or(OrgError::BadLevel)
    }
    pub fn new(n: u8) -> Result<Self, OrgError> {
        if (1..=4).contains(&n) {
            Ok(Level(n))
        } else {
            Err(OrgError::BadLevel)
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
    /// The level a unit's parent must have; `None` for the national level, which has no parent.
    pub fn parent_level(self) -> Option<Level> {
        (self.0 > 1).then(|| Level(self.0 - 1))
    }
    pub fn label_key(self) -> &'static str {
        match self.0 {
            1 => "level.1",
            2 => "level.2",
            3 => "level.3",
            _ => "level.4",
        }
    }
}

crate::records::labelled!(UnitKind {
    Procuratorate = "procuratorate", "检察院";
    Institution = "institution", "直属事业单位";
    Stationed = "stationed", "派驻检察室";
} "单位类别");

impl UnitKind {
    /// A directly affiliated institution or a stationed office belongs to the procuratorate above
    /// it and shares its level; only a procuratorate opens the level below.
    pub fn is_attached(self) -> bool {
        self != UnitKind::Procuratorate
    }
    /// The level a unit of this kind and `level` must have above it (`None`: it is the root).
    pub fn parent_level(self, level: Level) -> Option<Level> {
        if self.is_attached() {
            Some(level)
        } else {
            level.parent_level()
        }
    }
}

/// The roles of SPEC §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Office,
    Leader,
    Dept,
    Discipline,
    Letters,
    Quality,
    Staff,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Office,
        Role::Leader,
        Role::Dept,
        Role::Discipline,
        Role::Letters,
        Role::Quality,
        Role::Staff,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Leader => "leader",
            Role::Dept => "dept",
            Role::Discipline => "discipline",
            Role::Letters => "letters",
            Role::Quality => "quality",
            Role::Staff => "staff",
        }
    }
    pub fn parse(raw: &str) -> Result<Self, OrgError> {
        let v = raw.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == v)
            .ok_or(OrgError::BadRole(raw.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn codes_levels_roles() {
        assert_eq!(UnitCode::parse(" 330106 ").unwrap().as_str(), "330106");
        assert!(UnitCode::parse("3").is_err());
        assert!(UnitCode::parse("33 01").is_err());
        assert!(UnitCode::parse("杭州").is_err());
        assert_eq!(Level::parse("4").unwrap().get(), 4);
        assert!(Level::parse("5").is_err());
        assert!(Level::parse("x").is_err());
        assert_eq!(
            Level::parse("2").unwrap().parent_level(),
            Some(Level::NATIONAL)
        );
        assert_eq!(Level::NATIONAL.parent_level(), None);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }
}
