//! The field's closed vocabularies (DOMAIN.md): rank ladder, assessment grades, education levels,
//! unit kinds and the like. Each enum serializes as its Chinese term, which is also what a clerk
//! sees and types; `parse` accepts that term and a few common aliases. Owns no logic beyond
//! classification of the values themselves.

use serde::{Deserialize, Serialize};

/// Declares a vocabulary enum whose serde name, label and parse form is its Chinese term.
macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $label:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $label)] $var),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The position in `ALL`: a compact code for binary layouts (the facts snapshot).
            pub fn code(self) -> u8 {
                self as u8
            }
            /// The value of a `code`, if it is one.
            pub fn from_code(c: u8) -> Option<Self> {
                Self::ALL.get(c as usize).copied()
            }
            /// The Chinese term a clerk reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$var => $label),+ }
            }
            /// The term or one of its aliases (trimmed; English variant names accepted too).
            pub fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                $(
                    if t == $label $(|| t == $alias)* || t.eq_ignore_ascii_case(stringify!($var)) {
                        return Some($name::$var);
                    }
                )+
                None
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

vocab!(
    /// 性别
    Gender { Male = "男" | "男性", Female = "女" | "女性" }
);

vocab!(
    /// 政治面貌
    PoliticalStatus {
        CpcMember = "中共党员" | "党员" | "中国共产党党员",
        CpcProbationary = "中共预备党员" | "预备党员",
        DemocraticParty = "民主党派" | "民革" | "民盟" | "民建" | "民进" | "农工党" | "致公党" | "九三学社" | "台盟",
        NonParty = "无党派人士" | "无党派",
        Masses = "群众",
    }
);

impl PoliticalStatus {
    /// Party member (full or probationary) as opposed to non-party (民主党派, 无党派, 群众).
    pub fn is_cpc(self) -> bool {
        matches!(self, Self::CpcMember | Self::CpcProbationary)
    }
}

vocab!(
    /// 领导职务层次 and 职级: the ten leadership levels then the twelve non-leading grades, in
    /// order from high to low within each ladder.
    Rank {
        NationalPrincipal = "国家级正职",
        NationalDeputy = "国家级副职",
        ProvincialPrincipal = "省部级正职",
        ProvincialDeputy = "省部级副职",
        BureauPrincipal = "厅局级正职" | "正厅级" | "正厅",
        BureauDeputy = "厅局级副职" | "副厅级" | "副厅",
        CountyPrincipal = "县处级正职" | "正处级" | "正处" | "正县级",
        CountyDeputy = "县处级副职" | "副处级" | "副处" | "副县级",
        TownshipPrincipal = "乡科级正职" | "正科级" | "正科",
        TownshipDeputy = "乡科级副职" | "副科级" | "副科",
        Inspector1 = "一级巡视员",
        Inspector2 = "二级巡视员",
        Researcher1 = "一级调研员",
        Researcher2 = "二级调研员",
        Researcher3 = "三级调研员",
        Researcher4 = "四级调研员",
        Clerk1 = "一级主任科员",
        Clerk2 = "二级主任科员",
        Clerk3 = "三级主任科员",
        Clerk4 = "四级主任科员",
        Staff1 = "一级科员",
        Staff2 = "二级科员",
    }
);

/// The tier of the leadership ladder a rank sits on (国家级 … 乡科级).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    National,
    Provincial,
    Bureau,
    County,
    Township,
}

impl Rank {
    /// A leadership position (领导职务) as opposed to a non-leading grade (职级).
    pub fn is_leadership(self) -> bool {
        (self as u8) <= Rank::TownshipDeputy as u8
    }
    /// Height on the leadership ladder, 10 = 国家级正职 down to 1 = 乡科级副职; grades are placed
    /// at the leadership level they correspond to for comparisons of seniority.
    pub fn height(self) -> u8 {
        use Rank::*;
        match self {
            NationalPrincipal => 10,
            NationalDeputy => 9,
            ProvincialPrincipal => 8,
            ProvincialDeputy => 7,
            BureauPrincipal | Inspector1 => 6,
            BureauDeputy | Inspector2 => 5,
            CountyPrincipal | Researcher1 | Researcher2 => 4,
            CountyDeputy | Researcher3 | Researcher4 => 3,
            TownshipPrincipal | Clerk1 | Clerk2 => 2,
            TownshipDeputy | Clerk3 | Clerk4 | Staff1 | Staff2 => 1,
        }
    }
    pub fn tier(self) -> Tier {
        match self.height() {
            9..=10 => Tier::National,
            7..=8 => Tier::Provincial,
            5..=6 => Tier::Bureau,
            3..=4 => Tier::County,
            _ => Tier::Township,
        }
    }
    /// 正职 of its tier (for leadership ranks).
    pub fn is_principal_level(self) -> bool {
        self.is_leadership() && self.height().is_multiple_of(2)
    }
    /// The leadership rank one step up, if any.
    pub fn next_up(self) -> Option<Rank> {
        Rank::leadership_at(self.height() + 1)
    }
    pub fn leadership_at(height: u8) -> Option<Rank> {
        Rank::ALL[..10]
            .iter()
            .copied()
            .find(|r| r.height() == height)
    }
}

vocab!(
    /// 年度考核等次
    Grade {
        Excellent = "优秀",
        Competent = "称职",
        BasicallyCompetent = "基本称职",
        Incompetent = "不称职",
    }
);

vocab!(
    /// 学历 (highest first)
    EduLevel {
        Postgraduate = "研究生" | "博士研究生" | "硕士研究生",
        Undergraduate = "大学本科" | "本科",
        College = "大学专科" | "大专" | "专科",
        Secondary = "中专" | "中等专科",
        HighSchool = "高中" | "高中及以下" | "初中" | "初中及以下",
    }
);

impl EduLevel {
    /// 4 = 研究生 … 0 = 高中及以下, for "at least" comparisons.
    pub fn height(self) -> u8 {
        4 - self as u8
    }
}

vocab!(
    /// 学位
    Degree { Doctor = "博士", Master = "硕士", Bachelor = "学士" }
);

vocab!(
    /// 全日制 or 在职 education
    EduKind { FullTime = "全日制", InService = "在职" }
);

vocab!(
    /// 学科门类 of a major
    MajorCategory {
        Philosophy = "哲学",
        Economics = "经济学" | "经济",
        Law = "法学" | "法律",
        Education = "教育学",
        Literature = "文学",
        History = "历史学",
        Science = "理学",
        Engineering = "工学" | "工程",
        Agriculture = "农学" | "农业",
        Medicine = "医学",
        Military = "军事学",
        Management = "管理学" | "管理",
        Art = "艺术学",
    }
);

impl MajorCategory {
    /// Infers the category from a major's name as written (经济管理 → 管理学), or None.
    pub fn infer(major: &str) -> Option<Self> {
        use MajorCategory::*;
        const TABLE: &[(&str, MajorCategory)] = &[
            ("管理", Management),
            ("行政", Management),
            ("会计", Management),
            ("财务", Management),
            ("经济", Economics),
            ("金融", Economics),
            ("财政", Economics),
            ("贸易", Economics),
            ("法", Law),
            ("政治", Law),
            ("社会学", Law),
            ("党史", Law),
            ("马克思", Law),
            ("教育", Education),
            ("师范", Education),
            ("中文", Literature),
            ("汉语", Literature),
            ("新闻", Literature),
            ("英语", Literature),
            ("外语", Literature),
            ("历史", History),
            ("哲学", Philosophy),
            ("数学", Science),
            ("物理", Science),
            ("化学", Science),
            ("地理", Science),
            ("生物", Science),
            ("农", Agriculture),
            ("林", Agriculture),
            ("畜牧", Agriculture),
            ("水产", Agriculture),
            ("兽医", Agriculture),
            ("医", Medicine),
            ("药", Medicine),
            ("护理", Medicine),
            ("军事", Military),
            ("艺术", Art),
            ("美术", Art),
            ("音乐", Art),
            ("工程", Engineering),
            ("计算机", Engineering),
            ("机械", Engineering),
            ("土木", Engineering),
            ("建筑", Engineering),
            ("电气", Engineering),
            ("电子", Engineering),
            ("水利", Engineering),
            ("交通", Engineering),
            ("环境", Engineering),
            ("材料", Engineering),
            ("自动化", Engineering),
            ("信息", Engineering),
        ];
        TABLE
            .iter()
            .find(|(k, _)| major.contains(k))
            .map(|(_, c)| *c)
    }
}

vocab!(
    /// A posting's place in its team: the head (正职, 一把手), a deputy, or a member.
    PostRole { Principal = "正职" | "主要负责人", Deputy = "副职", Member = "成员" | "委员" }
);

vocab!(
    /// 干部状态 (life cycle)
    LifeCycle { Reserve = "后备", Serving = "在职" | "现职", Retired = "退休" | "已退休" }
);

vocab!(
    /// How soon a reserve cadre could take the target post.
    Readiness { Ready = "近期可用" | "成熟", Soon = "一至两年" | "较成熟", Longer = "需长期培养" | "待培养" }
);

vocab!(
    /// 奖惩 kinds
    RewardKind { Award = "奖励" | "表彰", PartyPunishment = "党纪处分", GovPunishment = "政务处分", OrgHandling = "组织处理" }
);

impl RewardKind {
    pub fn is_punishment(self) -> bool {
        !matches!(self, RewardKind::Award)
    }
}

vocab!(
    /// Where a supervision finding came from.
    FindingSource { Inspection = "巡视巡察" | "巡视" | "巡察", Audit = "审计", Petition = "信访举报" | "信访", Other = "其他" }
);

vocab!(
    /// The administrative level of a unit.
    UnitLevel { Province = "省级", Prefecture = "市级", County = "县级", Township = "乡级" }
);

vocab!(
    /// What kind of body a unit is; party committee, government and the rest have leadership
    /// teams, regions only group them.
    UnitKind {
        Region = "地区",
        PartyCommittee = "党委",
        Government = "政府",
        PeoplesCongress = "人大",
        Cppcc = "政协",
        Discipline = "纪委监委" | "纪委",
        Organization = "组织部",
        Court = "法院",
        Procuratorate = "检察院",
        PublicSecurity = "公安" | "公安局",
        Bureau = "工作部门" | "局",
        Township = "乡镇",
        Street = "街道",
        Institution = "事业单位",
        Enterprise = "国有企业" | "国企",
    }
);

impl UnitKind {
    /// Kinds whose principal may not serve in the home county (任职回避 art. 5).
    pub fn home_avoidance(self) -> bool {
        use UnitKind::*;
        matches!(
            self,
            PartyCommittee
                | Government
                | Discipline
                | Organization
                | Court
                | Procuratorate
                | PublicSecurity
        )
    }
}

/// Family relation as classified from the free-text 称谓 (妻子, 长子, 儿媳 …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelationKind {
    Spouse,
    Child,
    ChildSpouse,
    Parent,
    Sibling,
    InLaw,
    Other,
}

impl RelationKind {
    pub fn classify(title: &str) -> Self {
        let t = title.trim();
        if ["配偶", "妻子", "丈夫", "夫", "妻", "爱人"].contains(&t) {
            Self::Spouse
        } else if t.contains("儿媳") || t.contains("女婿") {
            Self::ChildSpouse
        } else if [
            "儿子", "女儿", "子", "女", "长子", "次子", "三子", "长女", "次女", "三女", "独子",
            "独女", "养子", "养女", "继子", "继女",
        ]
        .contains(&t)
        {
            Self::Child
        } else if ["父亲", "母亲", "父", "母"].contains(&t) {
            Self::Parent
        } else if [
            "哥哥", "弟弟", "姐姐", "妹妹", "兄", "弟", "姐", "妹", "兄弟", "姐妹",
        ]
        .contains(&t)
        {
            Self::Sibling
        } else if ["岳父", "岳母", "公公", "婆婆"].contains(&t) {
            Self::InLaw
        } else {
            Self::Other
        }
    }
    /// Spouse, children and their spouses: whose businesses bind the cadre (回避 art. 4).
    pub fn business_binds(self) -> bool {
        matches!(self, Self::Spouse | Self::Child | Self::ChildSpouse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_order_and_heights() {
        assert!(Rank::CountyPrincipal.is_leadership());
        assert!(!Rank::Researcher1.is_leadership());
        assert_eq!(Rank::CountyDeputy.next_up(), Some(Rank::CountyPrincipal));
        assert_eq!(Rank::CountyPrincipal.next_up(), Some(Rank::BureauDeputy));
        assert!(Rank::CountyPrincipal.is_principal_level());
        assert!(!Rank::CountyDeputy.is_principal_level());
        assert_eq!(Rank::TownshipDeputy.tier(), Tier::Township);
        assert_eq!(Rank::ALL.len(), 22);
    }

    #[test]
    fn labels_round_trip_and_aliases_parse() {
        for r in Rank::ALL {
            assert_eq!(Rank::parse(r.label()), Some(*r));
        }
        assert_eq!(Rank::parse("正处级"), Some(Rank::CountyPrincipal));
        assert_eq!(EduLevel::parse("本科"), Some(EduLevel::Undergraduate));
        assert_eq!(Gender::parse("female"), Some(Gender::Female));
        assert_eq!(Grade::parse("良好"), None);
    }

    #[test]
    fn relations_classify() {
        assert_eq!(RelationKind::classify("妻子"), RelationKind::Spouse);
        assert_eq!(RelationKind::classify("长子"), RelationKind::Child);
        assert_eq!(RelationKind::classify("女儿"), RelationKind::Child);
        assert_eq!(RelationKind::classify("儿媳"), RelationKind::ChildSpouse);
        assert_eq!(RelationKind::classify("父亲"), RelationKind::Parent);
    }

    #[test]
    fn majors_infer() {
        assert_eq!(
            MajorCategory::infer("经济管理"),
            Some(MajorCategory::Management)
        );
        assert_eq!(
            MajorCategory::infer("国民经济学"),
            Some(MajorCategory::Economics)
        );
        assert_eq!(
            MajorCategory::infer("农业推广"),
            Some(MajorCategory::Agriculture)
        );
    }
}
