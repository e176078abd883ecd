//! CSV as clerks export it from Excel: Chinese headers (姓名, 性别, 出生年月 …), any of the
//! encodings `io::text` reads, CR/LF/CRLF line ends, comma or tab separated. Owns the mapping
//! between a flat row and a dossier in both directions. A CSV row carries identity, education
//! and the current post only; JSON Lines carries everything (docs/schema.md).

use crate::model::*;

/// A column cadre understands, with the headers clerks use for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Seq,
    Name,
    Gender,
    Ethnicity,
    Birth,
    NativePlace,
    Birthplace,
    PartyEntry,
    WorkStart,
    Health,
    IdNumber,
    PoliticalStatus,
    ProfessionalTitle,
    EduLevel,
    Degree,
    School,
    Major,
    InServiceLevel,
    InServiceDegree,
    InServiceSchool,
    InServiceMajor,
    Unit,
    Position,
    PostStart,
    Rank,
    Role,
    Status,
    Remarks,
}

/// Headers per column; the first is what export writes.
const HEADERS: &[(Column, &[&str])] = &[
    (Column::Seq, &["序号", "编号"]),
    (Column::Name, &["姓名"]),
    (Column::Gender, &["性别"]),
    (Column::Ethnicity, &["民族"]),
    (Column::Birth, &["出生年月", "出生日期", "出生时间"]),
    (Column::NativePlace, &["籍贯"]),
    (Column::Birthplace, &["出生地", "成长地"]),
    (Column::PartyEntry, &["入党时间", "入党日期"]),
    (Column::WorkStart, &["参加工作时间", "工作时间"]),
    (Column::Health, &["健康状况"]),
    (
        Column::IdNumber,
        &["身份证号", "身份证号码", "公民身份号码", "身份证"],
    ),
    (Column::PoliticalStatus, &["政治面貌"]),
    (Column::ProfessionalTitle, &["专业技术职务", "职称"]),
    (Column::EduLevel, &["学历", "全日制学历", "全日制教育学历"]),
    (Column::Degree, &["学位", "全日制学位", "全日制教育学位"]),
    (
        Column::School,
        &["毕业院校", "全日制毕业院校", "毕业院校系"],
    ),
    (Column::Major, &["专业", "全日制专业", "所学专业"]),
    (Column::InServiceLevel, &["在职学历", "在职教育学历"]),
    (Column::InServiceDegree, &["在职学位", "在职教育学位"]),
    (Column::InServiceSchool, &["在职毕业院校"]),
    (Column::InServiceMajor, &["在职专业"]),
    (Column::Unit, &["工作单位", "现任单位", "单位", "所在单位"]),
    (Column::Position, &["现任职务", "职务", "现职务"]),
    (
        Column::PostStart,
        &["任职时间", "任现职时间", "任现职务时间"],
    ),
    (Column::Rank, &["职务层次", "职级", "级别", "现职级"]),
    (Column::Role, &["正副职"]),
    (Column::Status, &["状态", "干部状态"]),
    (Column::Remarks, &["备注"]),
];

/// Columns export writes, in order.
pub const EXPORT_COLUMNS: &[Column] = &[
    Column::Name,
    Column::Gender,
    Column::Ethnicity,
    Column::Birth,
    Column::NativePlace,
    Column::Birthplace,
    Column::PartyEntry,
    Column::WorkStart,
    Column::Health,
    Column::IdNumber,
    Column::PoliticalStatus,
    Column::ProfessionalTitle,
    Column::EduLevel,
    Column::Degree,
    Column::School,
    Column::Major,
    Column::InServiceLevel,
    Column::InServiceDegree,
    Column::InServiceSchool,
    Column::InServiceMajor,
    Column::Unit,
    Column::Position,
    Column::PostStart,
    Column::Rank,
    Column::Role,
    Column::Status,
];

impl Column {
    pub fn header(self) -> &'static str {
        HEADERS
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, h)| h[0])
            .unwrap_or("")
    }
    pub fn from_header(h: &str) -> Option<Column> {
        let h = h.trim().trim_start_matches('\u{feff}');
        HEADERS
            .iter()
            .find(|(_, names)| names.contains(&h))
            .map(|(c, _)| *c)
    }
}

/// A row's problem at one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: String,
    pub reason: String,
}

/// The header line resolved: which column each field is, and headers not understood.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    pub columns: Vec<Option<Column>>,
    pub names: Vec<String>,
}

impl HeaderMap {
    pub fn new(headers: &[String]) -> Result<Self, String> {
        let columns: Vec<Option<Column>> = headers.iter().map(|h| Column::from_header(h)).collect();
        for required in [Column::Name, Column::Gender, Column::Birth] {
            if !columns.contains(&Some(required)) {
                return Err(format!("缺少必需的列“{}”", required.header()));
            }
        }
        for (i, c) in columns.iter().enumerate() {
            if let Some(c) = c
                && columns[..i].contains(&Some(*c))
            {
                return Err(format!("列“{}”出现了两次", headers[i].trim()));
            }
        }
        Ok(HeaderMap {
            columns,
            names: headers.iter().map(|h| h.trim().to_string()).collect(),
        })
    }

    /// Headers that map to no column (reported as notices; their cells are not imported).
    pub fn unknown(&self) -> Vec<&str> {
        self.columns
            .iter()
            .zip(&self.names)
            .filter(|(c, n)| c.is_none() && !n.is_empty())
            .map(|(_, n)| n.as_str())
            .collect()
    }
}

/// Makes a dossier from one row. `resolve_unit` finds a unit id by its exact name.
pub fn row_to_dossier(
    map: &HeaderMap,
    row: &[String],
    resolve_unit: &dyn Fn(&str) -> Option<UnitId>,
) -> Result<Dossier, Vec<CellError>> {
    let mut errors = Vec::new();
    let get = |c: Column| -> (&str, String) {
        match map.columns.iter().position(|x| *x == Some(c)) {
            Some(i) => (
                row.get(i).map(|s| s.trim()).unwrap_or(""),
                map.names[i].clone(),
            ),
            None => ("", c.header().to_string()),
        }
    };
    let mut fail = |col: String, reason: String| {
        errors.push(CellError {
            column: col,
            reason,
        })
    };

    let (name, name_col) = get(Column::Name);
    if name.is_empty() {
        fail(name_col, "姓名不能为空".into());
    }
    let (g, g_col) = get(Column::Gender);
    let gender = Gender::parse(g);
    if gender.is_none() {
        fail(g_col, format!("性别“{g}”应为 男 或 女"));
    }
    let mut date = |c: Column, required: bool| -> Option<PartialDate> {
        let (v, col) = get(c);
        match PartialDate::parse_opt(v) {
            Ok(None) if required => {
                fail(col, "不能为空".into());
                None
            }
            Ok(d) => d,
            Err(e) => {
                fail(col, e.to_string());
                None
            }
        }
    };
    let birth = date(Column::Birth, true);
    let party_entry = date(Column::PartyEntry, false);
    let work_start = date(Column::WorkStart, false);
    let has_post = !get(Column::Position).0.is_empty();
    let post_start = date(Column::PostStart, has_post);

    let (ps, ps_col) = get(Column::PoliticalStatus);
    let political_status = if is_blank(ps) {
        Some(PoliticalStatus::Masses)
    } else {
        let p = PoliticalStatus::parse(ps);
        if p.is_none() {
            fail(ps_col, format!("政治面貌“{ps}”无法识别"));
        }
        p
    };
    let party_name = match political_status {
        Some(PoliticalStatus::DemocraticParty) if ps != "民主党派" => ps.to_string(),
        _ => String::new(),
    };

    let mut education = Vec::new();
    for (kind, lc, dc, sc, mc) in [
        (
            EduKind::FullTime,
            Column::EduLevel,
            Column::Degree,
            Column::School,
            Column::Major,
        ),
        (
            EduKind::InService,
            Column::InServiceLevel,
            Column::InServiceDegree,
            Column::InServiceSchool,
            Column::InServiceMajor,
        ),
    ] {
        let (lv, l_col) = get(lc);
        if is_blank(lv) {
            continue;
        }
        let Some(level) = EduLevel::parse(lv) else {
            fail(l_col, format!("学历“{lv}”无法识别"));
            continue;
        };
        let (dv, d_col) = get(dc);
        let degree = if is_blank(dv) {
            None
        } else {
            let d = Degree::parse(dv.trim_end_matches("学位"));
            if d.is_none() {
                fail(d_col, format!("学位“{dv}”无法识别"));
            }
            d
        };
        let major = get(mc).0.to_string();
        education.push(Education {
            kind,
            level,
            degree,
            school: get(sc).0.to_string(),
            category: MajorCategory::infer(&major),
            major,
            start: None,
            end: None,
        });
    }

    let (rv, r_col) = get(Column::Rank);
    let rank = if is_blank(rv) {
        None
    } else {
        let r = Rank::parse(rv);
        if r.is_none() {
            fail(r_col, format!("职务层次“{rv}”无法识别"));
        }
        r
    };
    let (position, _) = get(Column::Position);
    let (rolev, role_col) = get(Column::Role);
    let role = if is_blank(rolev) {
        infer_role(position)
    } else {
        PostRole::parse(rolev).unwrap_or_else(|| {
            fail(role_col, format!("正副职“{rolev}”应为 正职、副职 或 成员"));
            PostRole::Member
        })
    };
    let (sv, s_col) = get(Column::Status);
    let status = if is_blank(sv) {
        LifeCycle::Serving
    } else {
        LifeCycle::parse(sv).unwrap_or_else(|| {
            fail(s_col, format!("状态“{sv}”应为 后备、在职 或 退休"));
            LifeCycle::Serving
        })
    };

    let (unit_name, _) = get(Column::Unit);
    let (Some(gender), Some(birth), Some(political_status)) = (gender, birth, political_status)
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut d = Dossier::new(name, gender, birth);
    d.identity.ethnicity = get(Column::Ethnicity).0.to_string();
    d.identity.native_place = get(Column::NativePlace).0.to_string();
    d.identity.birthplace = get(Column::Birthplace).0.to_string();
    d.identity.party_entry = party_entry;
    d.identity.work_start = work_start;
    d.identity.health = get(Column::Health).0.to_string();
    d.identity.id_number = get(Column::IdNumber).0.to_ascii_uppercase();
    d.identity.political_status = political_status;
    d.identity.party_name = party_name;
    d.identity.professional_title = get(Column::ProfessionalTitle).0.to_string();
    d.education = education;
    d.status = status;
    if let Some(start) = post_start.filter(|_| has_post) {
        d.postings.push(Posting {
            start,
            end: None,
            unit: resolve_unit(unit_name),
            unit_name: unit_name.to_string(),
            position: position.to_string(),
            rank,
            role,
            portfolio: String::new(),
            concurrent: false,
            probation: false,
        });
    }
    Ok(d)
}

fn is_blank(s: &str) -> bool {
    crate::model::date::is_unknown_marker(s.trim())
}

/// 正职 for heads (书记, 县长, 局长 …), 副职 for 副…, otherwise a member.
pub fn infer_role(position: &str) -> PostRole {
    const HEADS: &[&str] = &[
        "书记",
        "县长",
        "市长",
        "省长",
        "区长",
        "乡长",
        "镇长",
        "局长",
        "主任",
        "部长",
        "院长",
        "检察长",
        "主席",
        "厅长",
        "委员长",
        "社长",
        "行长",
        "校长",
        "队长",
        "所长",
    ];
    if position.contains('副') {
        PostRole::Deputy
    } else if HEADS.iter().any(|h| position.ends_with(h)) {
        PostRole::Principal
    } else {
        PostRole::Member
    }
}

/// The flat row export writes for a dossier, in `EXPORT_COLUMNS` order.
pub fn dossier_to_row(d: &Dossier, units: &UnitDirectory) -> Vec<String> {
    let id = &d.identity;
    let date = |x: &Option<PartialDate>| x.map(|d| d.dotted()).unwrap_or_default();
    let edu = |kind: EduKind| {
        d.education
            .iter()
            .filter(|e| e.kind == kind)
            .max_by_key(|e| e.level.height())
    };
    let ft = edu(EduKind::FullTime);
    let is = edu(EduKind::InService);
    let cur = d.current_posting();
    EXPORT_COLUMNS
        .iter()
        .map(|c| match c {
            Column::Name => id.name.clone(),
            Column::Gender => id.gender.label().into(),
            Column::Ethnicity => id.ethnicity.clone(),
            Column::Birth => id.birth.dotted(),
            Column::NativePlace => id.native_place.clone(),
            Column::Birthplace => id.birthplace.clone(),
            Column::PartyEntry => date(&id.party_entry),
            Column::WorkStart => date(&id.work_start),
            Column::Health => id.health.clone(),
            Column::IdNumber => id.id_number.clone(),
            Column::PoliticalStatus => {
                if id.political_status == PoliticalStatus::DemocraticParty
                    && !id.party_name.is_empty()
                {
                    id.party_name.clone()
                } else {
                    id.political_status.label().into()
                }
            }
            Column::ProfessionalTitle => id.professional_title.clone(),
            Column::EduLevel => ft.map(|e| e.level.label().into()).unwrap_or_default(),
            Column::Degree => ft
                .and_then(|e| e.degree)
                .map(|x| x.label().into())
                .unwrap_or_default(),
            Column::School => ft.map(|e| e.school.clone()).unwrap_or_default(),
            Column::Major => ft.map(|e| e.major.clone()).unwrap_or_default(),
            Column::InServiceLevel => is.map(|e| e.level.label().into()).unwrap_or_default(),
            Column::InServiceDegree => is
                .and_then(|e| e.degree)
                .map(|x| x.label().into())
                .unwrap_or_default(),
            Column::InServiceSchool => is.map(|e| e.school.clone()).unwrap_or_default(),
            Column::InServiceMajor => is.map(|e| e.major.clone()).unwrap_or_default(),
            Column::Unit => cur.map(|p| p.unit_display_name(units)).unwrap_or_default(),
            Column::Position => cur.map(|p| p.position.clone()).unwrap_or_default(),
            Column::PostStart => cur.map(|p| p.start.dotted()).unwrap_or_default(),
            Column::Rank => cur
                .and_then(|p| p.rank)
                .map(|r| r.label().into())
                .unwrap_or_default(),
            Column::Role => cur.map(|p| p.role.label().into()).unwrap_or_default(),
            Column::Status => d.status.label().into(),
            Column::Seq | Column::Remarks => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(h: &[&str]) -> HeaderMap {
        HeaderMap::new(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }
    fn row(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_resolve_with_aliases_and_required_columns() {
        let m = map(&["序号", "姓名", "性别", "出生日期", "公民身份号码", "爱好"]);
        assert_eq!(m.columns[3], Some(Column::Birth));
        assert_eq!(m.columns[4], Some(Column::IdNumber));
        assert_eq!(m.unknown(), vec!["爱好"]);
        let e = HeaderMap::new(&row(&["姓名", "性别"])).unwrap_err();
        assert!(e.contains("出生年月"), "{e}");
    }

    #[test]
    fn a_row_becomes_a_dossier() {
        let m = map(&[
            "姓名",
            "性别",
            "出生年月",
            "学历",
            "专业",
            "现任职务",
            "任职时间",
            "职务层次",
        ]);
        let d = row_to_dossier(
            &m,
            &row(&[
                "张伟",
                "男",
                "1975年3月",
                "本科",
                "经济管理",
                "临河县副县长",
                "2019.06",
                "副处级",
            ]),
            &|_| None,
        )
        .unwrap();
        assert_eq!(d.identity.birth, PartialDate::ym(1975, 3).unwrap());
        assert_eq!(d.education[0].category, Some(MajorCategory::Management));
        let p = d.current_posting().unwrap();
        assert_eq!(p.rank, Some(Rank::CountyDeputy));
        assert_eq!(p.role, PostRole::Deputy);
    }

    #[test]
    fn bad_cells_name_their_column() {
        let m = map(&["姓名", "性别", "出生年月"]);
        let e = row_to_dossier(&m, &row(&["张伟", "男性?", "1975.13"]), &|_| None).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].column, "性别");
        assert_eq!(e[1].column, "出生年月");
        assert!(e[1].reason.contains("不存在"), "{}", e[1].reason);
    }
}
