//! The dossier (一人一档) in its seven dimensions, plus life-cycle and reserve data. Plain data
//! with derived views (age, current post, time at level); no storage, no I/O, no formatting for
//! the screen. Field order is the storage order: append new fields at the end of a struct and
//! bump the envelope version with an upgrade (see store::envelope).

use serde::{Deserialize, Serialize};

use super::date::PartialDate;
use super::vocab::*;

/// Dossier identifier, assigned by the store.
pub type DossierId = u64;
/// Unit identifier, a stable code carried in files.
pub type UnitId = u32;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dossier {
    #[serde(default)]
    pub id: DossierId,
    pub identity: Identity,
    #[serde(default)]
    pub education: Vec<Education>,
    #[serde(default)]
    pub training: Vec<Training>,
    #[serde(default)]
    pub postings: Vec<Posting>,
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub rewards: Vec<Reward>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub family: Vec<FamilyMember>,
    #[serde(default)]
    pub record: Record,
    pub status: LifeCycle,
    #[serde(default)]
    pub reserve: Option<ReserveInfo>,
    /// Date of the last yearly personal-matters report (个人有关事项报告).
    #[serde(default)]
    pub last_report: Option<PartialDate>,
}

/// 基本信息
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub gender: Gender,
    #[serde(default)]
    pub ethnicity: String,
    pub birth: PartialDate,
    /// 籍贯, as written (e.g. 青州市临河县).
    #[serde(default)]
    pub native_place: String,
    /// 出生地 / 成长地, as written.
    #[serde(default)]
    pub birthplace: String,
    #[serde(default)]
    pub party_entry: Option<PartialDate>,
    #[serde(default)]
    pub work_start: Option<PartialDate>,
    #[serde(default)]
    pub health: String,
    /// 公民身份号码 (18 characters), empty when unknown.
    #[serde(default)]
    pub id_number: String,
    pub political_status: PoliticalStatus,
    /// Which democratic party, when political_status is 民主党派.
    #[serde(default)]
    pub party_name: String,
    /// 专业技术职务
    #[serde(default)]
    pub professional_title: String,
    /// Photo bytes (JPEG as a rule); base64 in JSON.
    #[serde(default, with = "photo_serde")]
    pub photo: Option<Vec<u8>>,
}

/// 学历学位: one full-time or in-service course.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Education {
    pub kind: EduKind,
    pub level: EduLevel,
    #[serde(default)]
    pub degree: Option<Degree>,
    #[serde(default)]
    pub school: String,
    #[serde(default)]
    pub major: String,
    #[serde(default)]
    pub category: Option<MajorCategory>,
    #[serde(default)]
    pub start: Option<PartialDate>,
    #[serde(default)]
    pub end: Option<PartialDate>,
}

/// 培训: party-school and cadre-college courses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub name: String,
    #[serde(default)]
    pub organizer: String,
    pub start: PartialDate,
    #[serde(default)]
    pub end: Option<PartialDate>,
    #[serde(default)]
    pub hours: u32,
}

/// 任职经历: one post held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Posting {
    pub start: PartialDate,
    /// None while the post is held.
    #[serde(default)]
    pub end: Option<PartialDate>,
    #[serde(default)]
    pub unit: Option<UnitId>,
    /// The unit as written in the source (kept even when `unit` is resolved).
    #[serde(default)]
    pub unit_name: String,
    pub position: String,
    #[serde(default)]
    pub rank: Option<Rank>,
    pub role: PostRole,
    /// 分管工作
    #[serde(default)]
    pub portfolio: String,
    /// Held alongside another post (兼任).
    #[serde(default)]
    pub concurrent: bool,
    /// A first appointment under the one-year probation (试用期).
    #[serde(default)]
    pub probation: bool,
}

/// 年度考核: one year's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub year: i16,
    /// None when no grade was given (probation year, 不定等次).
    #[serde(default)]
    pub grade: Option<Grade>,
    /// 民主测评 favourable share in percent.
    #[serde(default)]
    pub democratic_score: Option<f32>,
    /// 专项考核 and similar remarks.
    #[serde(default)]
    pub special: String,
    /// 谈话记录: sensitive, masked in meetings.
    #[serde(default)]
    pub talk_notes: String,
}

/// 奖惩: an award, a punishment or an organizational handling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reward {
    pub kind: RewardKind,
    #[serde(default)]
    pub date: Option<PartialDate>,
    pub title: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub reason: String,
}

/// 监督信息: an inspection, audit or petition finding and its conclusion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub source: FindingSource,
    pub date: PartialDate,
    pub summary: String,
    #[serde(default)]
    pub conclusion: String,
    #[serde(default)]
    pub resolved: bool,
}

/// 家庭成员及社会关系
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyMember {
    /// 称谓 as written (妻子, 长子, 儿媳 …); see RelationKind::classify.
    pub relation: String,
    pub name: String,
    #[serde(default)]
    pub birth: Option<PartialDate>,
    #[serde(default)]
    pub political_status: Option<PoliticalStatus>,
    /// 工作单位 as written.
    #[serde(default)]
    pub employer: String,
    /// The employer when it is a unit of the database.
    #[serde(default)]
    pub employer_unit: Option<UnitId>,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub businesses: Vec<Business>,
}

/// A business a family member runs or holds (经商办企业).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Business {
    pub name: String,
    /// The field it works in (建筑, 餐饮 …), matched against what departments regulate.
    #[serde(default)]
    pub industry: String,
    /// 法定代表人, 股东 …
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub registered: Option<PartialDate>,
}

/// 专长 / 业绩纪实
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// 熟悉专业有何专长
    #[serde(default)]
    pub specialty: String,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub achievements: Vec<Achievement>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Achievement {
    #[serde(default)]
    pub date: Option<PartialDate>,
    pub title: String,
    #[serde(default)]
    pub detail: String,
}

/// 后备干部: the post aimed at and how ready the cadre is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReserveInfo {
    pub target: Rank,
    #[serde(default)]
    pub target_post: String,
    pub readiness: Readiness,
    #[serde(default)]
    pub since: Option<PartialDate>,
}

impl Dossier {
    /// A dossier with only the required identity fields; other dimensions empty.
    pub fn new(name: &str, gender: Gender, birth: PartialDate) -> Self {
        Dossier {
            id: 0,
            identity: Identity {
                name: name.to_string(),
                gender,
                ethnicity: "汉族".into(),
                birth,
                native_place: String::new(),
                birthplace: String::new(),
                party_entry: None,
                work_start: None,
                health: String::new(),
                id_number: String::new(),
                political_status: PoliticalStatus::CpcMember,
                party_name: String::new(),
                professional_title: String::new(),
                photo: None,
            },
            education: vec![],
            training: vec![],
            postings: vec![],
            assessments: vec![],
            rewards: vec![],
            findings: vec![],
            family: vec![],
            record: Record::default(),
            status: LifeCycle::Serving,
            reserve: None,
            last_report: None,
        }
    }

    pub fn age_on(&self, date: &PartialDate) -> i32 {
        self.identity.birth.whole_years_until(date)
    }

    /// The current main post: the latest-started open posting that is not concurrent (or, if
    /// all open postings are concurrent, the latest open one).
    pub fn current_posting(&self) -> Option<&Posting> {
        let open = self.postings.iter().filter(|p| p.end.is_none());
        open.clone()
            .filter(|p| !p.concurrent)
            .max_by_key(|p| p.start)
            .or_else(|| open.max_by_key(|p| p.start))
    }

    /// Open postings other than the current main one (兼任 and the like).
    pub fn concurrent_postings(&self) -> impl Iterator<Item = &Posting> {
        let main = self.current_posting().map(|p| p as *const Posting);
        self.postings
            .iter()
            .filter(move |p| p.end.is_none() && Some(*p as *const Posting) != main)
    }

    /// The highest leadership rank among current postings.
    pub fn current_rank(&self) -> Option<Rank> {
        self.postings
            .iter()
            .filter(|p| p.end.is_none())
            .filter_map(|p| p.rank)
            .max_by_key(|r| (r.height(), r.is_leadership()))
    }

    /// When the cadre first reached their current rank height (continuous up to now).
    pub fn current_level_since(&self) -> Option<PartialDate> {
        let rank = self.current_rank()?;
        self.postings
            .iter()
            .filter(|p| p.rank.is_some_and(|r| r.height() == rank.height()))
            .map(|p| p.start)
            .min()
    }

    /// The highest level over the courses of one kind (full-time, in-service), or of all.
    pub fn highest_level(&self, kind: Option<EduKind>) -> Option<EduLevel> {
        self.education
            .iter()
            .filter(|e| kind.is_none_or(|k| e.kind == k))
            .map(|e| e.level)
            .max_by_key(|l| l.height())
    }

    /// The highest education level over all courses.
    pub fn highest_education(&self) -> Option<&Education> {
        self.education.iter().max_by_key(|e| e.level.height())
    }

    /// The highest full-time education.
    pub fn full_time_education(&self) -> Option<&Education> {
        self.education
            .iter()
            .filter(|e| e.kind == EduKind::FullTime)
            .max_by_key(|e| e.level.height())
    }

    pub fn assessment(&self, year: i16) -> Option<&Assessment> {
        self.assessments.iter().find(|a| a.year == year)
    }
}

impl Posting {
    /// The unit's name: the directory's full name when the unit is known, else as written.
    pub fn unit_display_name(&self, units: &super::unit::UnitDirectory) -> String {
        self.unit
            .and_then(|u| units.get(u))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| self.unit_name.clone())
    }

    /// Years in this posting up to `today` (or its end).
    pub fn years_until(&self, today: &PartialDate) -> f64 {
        self.start.years_until(self.end.as_ref().unwrap_or(today))
    }
}

/// Photos as base64 text in JSON, raw bytes in storage.
mod photo_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            v.as_ref().map(|b| encode(b)).serialize(s)
        } else {
            v.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        if d.is_human_readable() {
            let s: Option<String> = Option::deserialize(d)?;
            s.map(|s| decode(&s).map_err(serde::de::Error::custom))
                .transpose()
        } else {
            Option::<Vec<u8>>::deserialize(d)
        }
    }

    pub fn encode(b: &[u8]) -> String {
        let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
        for chunk in b.chunks(3) {
            let n = (chunk[0] as u32) << 16
                | (*chunk.get(1).unwrap_or(&0) as u32) << 8
                | *chunk.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes standard base64, ignoring whitespace; a truncated or corrupt text is an error.
    pub fn decode(s: &str) -> Result<Vec<u8>, String> {
        let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !clean.len().is_multiple_of(4) {
            return Err(format!(
                "照片的 base64 数据长度 {} 不是 4 的倍数（数据被截断？）",
                clean.len()
            ));
        }
        let mut out = Vec::with_capacity(clean.len() / 4 * 3);
        for chunk in clean.chunks(4) {
            let mut n = 0u32;
            let mut pad = 0;
            for (i, &c) in chunk.iter().enumerate() {
                let v = match c {
                    b'A'..=b'Z' => c - b'A',
                    b'a'..=b'z' => c - b'a' + 26,
                    b'0'..=b'9' => c - b'0' + 52,
                    b'+' => 62,
                    b'/' => 63,
                    b'=' if i >= 2 => {
                        pad += 1;
                        0
                    }
                    _ => return Err(format!("照片的 base64 数据含非法字符“{}”", c as char)),
                };
                if pad > 0 && c != b'=' {
                    return Err("照片的 base64 数据在填充符后仍有内容".into());
                }
                n = n << 6 | v as u32;
            }
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..3 - pad]);
        }
        Ok(out)
    }
}

pub use photo_serde::{decode as base64_decode, encode as base64_encode};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_truncation() {
        for len in 0..10 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 5) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&data)).unwrap(), data);
        }
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert!(base64_decode("TWFu TQ").is_err());
        assert!(base64_decode("TW*u").is_err());
    }

    #[test]
    fn current_post_prefers_main_over_concurrent() {
        let mut d = Dossier::new("甲", Gender::Male, PartialDate::ym(1975, 1).unwrap());
        let post = |start: i16, concurrent: bool, rank| Posting {
            start: PartialDate::ym(start, 1).unwrap(),
            end: None,
            unit: None,
            unit_name: String::new(),
            position: format!("p{start}"),
            rank: Some(rank),
            role: PostRole::Deputy,
            portfolio: String::new(),
            concurrent,
            probation: false,
        };
        d.postings.push(post(2018, false, Rank::CountyDeputy));
        d.postings.push(post(2020, true, Rank::CountyDeputy));
        assert_eq!(d.current_posting().unwrap().position, "p2018");
        assert_eq!(d.concurrent_postings().count(), 1);
        assert_eq!(
            d.current_level_since(),
            Some(PartialDate::ym(2018, 1).unwrap())
        );
    }
}
