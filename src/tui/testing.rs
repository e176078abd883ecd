//! Test support for the interface (hidden from the docs): a small hand-built county in a
//! temporary store, a fixed "today", key helpers for driving a headless `App`, and buffer
//! dumps (text and style runs) for snapshots. Used by unit tests and tests/tui*.rs; nothing
//! in the application calls it.

use crossterm::event::{Event, KeyEvent, KeyEventKind, KeyEventState};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

use crate::model::*;
use crate::store::Store;

use super::app::{App, AppOptions};
use super::config::{Env, Settings};
use super::keymap::KeyCombo;

/// The date every test takes as today.
pub fn today() -> PartialDate {
    PartialDate::ymd(2025, 6, 15).expect("valid date")
}

fn ym(y: i16, m: u8) -> PartialDate {
    PartialDate::ym(y, m).expect("valid date")
}

/// A posting as the sample county writes them (not concurrent, no probation).
#[allow(clippy::too_many_arguments)]
pub fn posting(
    start: PartialDate,
    end: Option<PartialDate>,
    unit: Option<UnitId>,
    unit_name: &str,
    position: &str,
    rank: Rank,
    role: PostRole,
    portfolio: &str,
) -> Posting {
    Posting {
        start,
        end,
        unit,
        unit_name: unit_name.into(),
        position: position.into(),
        rank: Some(rank),
        role,
        portfolio: portfolio.into(),
        concurrent: false,
        probation: false,
    }
}

fn unit(id: UnitId, name: &str, parent: Option<UnitId>, kind: UnitKind) -> Unit {
    Unit {
        id,
        name: name.into(),
        parent,
        kind,
        level: UnitLevel::County,
        regulates: vec![],
    }
}

/// The county's dossiers: 王文胜 (county head, full record), 王卫东, 李晓梅, 张伟 (retired),
/// 陈静 (reserve).
pub fn sample_dossiers() -> Vec<Dossier> {
    let mut w = Dossier::new("王文胜", Gender::Male, ym(1975, 3));
    let id = &mut w.identity;
    id.native_place = "青州市临河县".into();
    id.birthplace = "青州市临河县城关镇".into();
    id.party_entry = Some(ym(1996, 5));
    id.work_start = Some(ym(1997, 7));
    id.health = "健康".into();
    id.id_number = idnum::make(330102, (1975, 3, 8), 41, Gender::Male);
    id.professional_title = "经济师".into();
    w.education = vec![
        Education {
            kind: EduKind::FullTime,
            level: EduLevel::Undergraduate,
            degree: Some(Degree::Bachelor),
            school: "青州大学".into(),
            major: "经济管理".into(),
            category: Some(MajorCategory::Management),
            start: Some(ym(1993, 9)),
            end: Some(ym(1997, 7)),
        },
        Education {
            kind: EduKind::InService,
            level: EduLevel::Postgraduate,
            degree: Some(Degree::Master),
            school: "省委党校".into(),
            major: "政治经济学".into(),
            category: Some(MajorCategory::Economics),
            start: Some(ym(2008, 9)),
            end: Some(ym(2011, 7)),
        },
    ];
    w.training = vec![Training {
        name: "中青年干部培训班".into(),
        organizer: "省委党校".into(),
        start: ym(2019, 3),
        end: Some(ym(2019, 5)),
        hours: 160,
    }];
    let town = "临河县城关镇人民政府";
    w.postings = vec![
        posting(
            ym(1997, 7),
            Some(ym(2001, 3)),
            None,
            town,
            "科员",
            Rank::Staff1,
            PostRole::Member,
            "",
        ),
        posting(
            ym(2001, 3),
            Some(ym(2005, 6)),
            None,
            town,
            "副镇长",
            Rank::TownshipDeputy,
            PostRole::Deputy,
            "农业、水利",
        ),
        posting(
            ym(2005, 10),
            Some(ym(2011, 12)),
            None,
            "临河县石桥乡人民政府",
            "乡长",
            Rank::TownshipPrincipal,
            PostRole::Principal,
            "",
        ),
        posting(
            ym(2011, 12),
            Some(ym(2016, 11)),
            Some(101),
            "临河县人民政府",
            "副县长",
            Rank::CountyDeputy,
            PostRole::Deputy,
            "工业、交通",
        ),
        posting(
            ym(2016, 10),
            None,
            Some(101),
            "临河县人民政府",
            "县长",
            Rank::CountyPrincipal,
            PostRole::Principal,
            "全面工作",
        ),
        Posting {
            concurrent: true,
            ..posting(
                ym(2018, 3),
                None,
                Some(102),
                "中共临河县委员会",
                "副书记",
                Rank::CountyPrincipal,
                PostRole::Deputy,
                "",
            )
        },
    ];
    w.assessments = vec![
        Assessment {
            year: 2022,
            grade: Some(Grade::Competent),
            democratic_score: Some(91.0),
            special: String::new(),
            talk_notes: String::new(),
        },
        Assessment {
            year: 2024,
            grade: Some(Grade::Excellent),
            democratic_score: Some(95.5),
            special: "乡村振兴专项考核优秀".into(),
            talk_notes: "谈话中反映其作风扎实，个别干部认为决策偏快".into(),
        },
        Assessment {
            year: 2023,
            grade: Some(Grade::Competent),
            democratic_score: None,
            special: String::new(),
            talk_notes: String::new(),
        },
    ];
    w.rewards = vec![Reward {
        kind: RewardKind::Award,
        date: Some(ym(2019, 12)),
        title: "全省脱贫攻坚先进个人".into(),
        issuer: "省委、省政府".into(),
        reason: String::new(),
    }];
    w.findings = vec![Finding {
        source: FindingSource::Inspection,
        date: ym(2021, 6),
        summary: "反映项目审批程序不规范".into(),
        conclusion: "经核查不属实".into(),
        resolved: true,
    }];
    w.family = vec![
        FamilyMember {
            relation: "妻子".into(),
            name: "李秀兰".into(),
            birth: Some(ym(1977, 5)),
            political_status: Some(PoliticalStatus::CpcMember),
            employer: "临河县第一中学".into(),
            employer_unit: None,
            post: "教师".into(),
            businesses: vec![],
        },
        FamilyMember {
            relation: "儿子".into(),
            name: "王浩".into(),
            birth: Some(ym(2003, 9)),
            political_status: Some(PoliticalStatus::Masses),
            employer: "青州浩然科技有限公司".into(),
            employer_unit: None,
            post: "职员".into(),
            businesses: vec![Business {
                name: "青州浩然科技有限公司".into(),
                industry: "信息技术".into(),
                role: "股东".into(),
                registered: Some(ym(2022, 3)),
            }],
        },
    ];
    w.record = Record {
        specialty: "农村经济".into(),
        skills: vec!["统计分析".into()],
        languages: vec!["英语".into()],
        achievements: vec![Achievement {
            date: Some(ym(2020, 5)),
            title: "建成全县农村供水一体化工程".into(),
            detail: "覆盖12个乡镇".into(),
        }],
    };
    w.reserve = Some(ReserveInfo {
        target: Rank::BureauDeputy,
        target_post: "副市长".into(),
        readiness: Readiness::Soon,
        since: Some(ym(2023, 5)),
    });
    w.last_report = Some(ym(2025, 1));

    let mut wd = Dossier::new("王卫东", Gender::Male, ym(1980, 11));
    wd.postings = vec![posting(
        ym(2018, 5),
        None,
        None,
        "临河县发展和改革局",
        "局长",
        Rank::TownshipPrincipal,
        PostRole::Principal,
        "",
    )];

    let mut lx = Dossier::new("李晓梅", Gender::Female, ym(1983, 2));
    lx.postings = vec![posting(
        ym(2020, 1),
        None,
        None,
        "临河县石桥乡",
        "党委书记",
        Rank::TownshipPrincipal,
        PostRole::Principal,
        "",
    )];

    let mut zw = Dossier::new("张伟", Gender::Male, ym(1958, 8));
    zw.status = LifeCycle::Retired;
    zw.postings = vec![posting(
        ym(2010, 3),
        Some(ym(2018, 8)),
        None,
        "临河县人大常委会",
        "副主任",
        Rank::CountyDeputy,
        PostRole::Deputy,
        "",
    )];

    let mut cj = Dossier::new("陈静", Gender::Female, ym(1988, 4));
    cj.status = LifeCycle::Reserve;
    cj.postings = vec![posting(
        ym(2021, 7),
        None,
        None,
        town,
        "副镇长",
        Rank::TownshipDeputy,
        PostRole::Deputy,
        "文教卫生",
    )];
    cj.reserve = Some(ReserveInfo {
        target: Rank::TownshipPrincipal,
        target_post: "镇长".into(),
        readiness: Readiness::Ready,
        since: None,
    });

    vec![w, wd, lx, zw, cj]
}

/// A temporary store holding the sample county.
pub fn sample_store() -> Store {
    let store = Store::temporary().expect("temporary store");
    store
        .put_unit(&unit(100, "临河县", None, UnitKind::Region))
        .expect("unit");
    store
        .put_unit(&unit(
            101,
            "临河县人民政府",
            Some(100),
            UnitKind::Government,
        ))
        .expect("unit");
    store
        .put_unit(&unit(
            102,
            "中共临河县委员会",
            Some(100),
            UnitKind::PartyCommittee,
        ))
        .expect("unit");
    for d in sample_dossiers() {
        store.insert_dossier(d).expect("dossier");
    }
    store
}

/// The sample county with two more reserve cadres: 刘洋 (young, 一至两年) and 赵强 (older,
/// 需长期培养, aiming two steps up).
pub fn reserve_store() -> Store {
    let store = sample_store();
    let base = sample_dossiers().pop().expect("陈静 is the last sample");
    let mut ly = base.clone();
    ly.identity.name = "刘洋".into();
    ly.identity.birth = ym(1990, 4);
    ly.reserve = Some(ReserveInfo {
        target: Rank::TownshipPrincipal,
        target_post: "乡长".into(),
        readiness: Readiness::Soon,
        since: Some(ym(2023, 1)),
    });
    let mut zq = base;
    zq.identity.name = "赵强".into();
    zq.identity.birth = ym(1972, 9);
    zq.reserve = Some(ReserveInfo {
        target: Rank::CountyDeputy,
        target_post: "副县长".into(),
        readiness: Readiness::Longer,
        since: None,
    });
    for d in [ly, zq] {
        store.insert_dossier(d).expect("dossier");
    }
    store
}

/// The sample county under a province and a prefecture (省 > 青州市 > 临河县 > units), two
/// deputies on its government, and a second county (白沙市 > 白沙县) with its county head.
pub fn province_store() -> Store {
    let store = sample_store();
    let region = |id: UnitId, name: &str, parent: Option<UnitId>, level: UnitLevel| Unit {
        level,
        ..unit(id, name, parent, UnitKind::Region)
    };
    for u in [
        region(1, "东海省", None, UnitLevel::Province),
        region(10, "青州市", Some(1), UnitLevel::Prefecture),
        region(11, "白沙市", Some(1), UnitLevel::Prefecture),
        region(100, "临河县", Some(10), UnitLevel::County),
        region(200, "白沙县", Some(11), UnitLevel::County),
        unit(201, "白沙县人民政府", Some(200), UnitKind::Government),
    ] {
        store.put_unit(&u).expect("unit");
    }
    // 白沙县's county head: the other county government, for the region view.
    let mut hy = Dossier::new("何燕", Gender::Female, ym(1976, 8));
    hy.postings = vec![posting(
        ym(2022, 3),
        None,
        Some(201),
        "白沙县人民政府",
        "县长",
        Rank::CountyPrincipal,
        PostRole::Principal,
        "全面工作",
    )];
    store.insert_dossier(hy).expect("dossier");
    // Two deputies on the county government's team: a young woman outside the party and a
    // man of 46.
    let deputy = |name: &str, gender: Gender, birth: PartialDate| {
        let mut d = Dossier::new(name, gender, birth);
        d.postings = vec![posting(
            ym(2021, 9),
            None,
            Some(101),
            "临河县人民政府",
            "副县长",
            Rank::CountyDeputy,
            PostRole::Deputy,
            "",
        )];
        d
    };
    let mut zl = deputy("周丽", Gender::Female, ym(1987, 6));
    zl.identity.political_status = PoliticalStatus::NonParty;
    let sm = deputy("孙明", Gender::Male, ym(1979, 1));
    for d in [zl, sm] {
        store.insert_dossier(d).expect("dossier");
    }
    store
}

/// A loaded app over a store (or a backend) with the given settings and the fixed today.
pub fn app_with(
    source: impl Into<crate::tui::app::Source>,
    settings: Settings,
    size: (u16, u16),
) -> App {
    App::headless(
        source,
        settings,
        AppOptions {
            mask: false,
            today: today(),
            size,
        },
    )
    .expect("app loads")
}

/// A temporary store holding the embedded demo province (demo-data/, 3,000 cadres).
pub fn demo_store() -> Store {
    let store = Store::temporary().expect("temporary store");
    crate::seed::seed_demo(&store).expect("demo province");
    store
}

/// A loaded app over the demo province.
pub fn demo_app(size: (u16, u16)) -> App {
    app_with(demo_store(), Settings::defaults(&Env::default()), size)
}

/// A loaded app over the sample county.
pub fn sample_app(size: (u16, u16)) -> App {
    app_with(sample_store(), Settings::defaults(&Env::default()), size)
}

/// Presses a key given by its keymap name (`ctrl-c`, `enter`, `j`).
pub fn press(app: &mut App, name: &str) {
    let combo = KeyCombo::parse(name).unwrap_or_else(|| panic!("key name {name}"));
    let ev = KeyEvent {
        code: combo.code,
        modifiers: combo.mods,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    };
    app.handle_event(&Event::Key(ev));
}

/// Presses several keys given by name, separated by spaces.
pub fn keys(app: &mut App, names: &str) {
    for n in names.split_whitespace() {
        press(app, n);
    }
}

/// Types text character by character, as an IME commits it.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let ev = KeyEvent {
            code: crossterm::event::KeyCode::Char(c),
            modifiers: crossterm::event::KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        app.handle_event(&Event::Key(ev));
    }
}

/// Draws the app on a test terminal of its state's size.
pub fn render(app: &App) -> Buffer {
    let (w, h) = app.state.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    term.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing blanks trimmed. The cell hidden behind a
/// double-width character is skipped.
pub fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let w = sym.width();
            skip = w.saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn style_name(st: &Style) -> String {
    let color = |c: Color| format!("{c:?}");
    let mut parts = Vec::new();
    if let Some(fg) = st.fg.filter(|c| *c != Color::Reset) {
        parts.push(format!("fg={}", color(fg)));
    }
    if let Some(bg) = st.bg.filter(|c| *c != Color::Reset) {
        parts.push(format!("bg={}", color(bg)));
    }
    for (m, n) in [
        (Modifier::BOLD, "bold"),
        (Modifier::DIM, "dim"),
        (Modifier::ITALIC, "italic"),
        (Modifier::UNDERLINED, "underlined"),
        (Modifier::REVERSED, "reversed"),
    ] {
        if st.add_modifier.contains(m) {
            parts.push(n.to_string());
        }
    }
    parts.join(" ")
}

/// The screen's styled runs, one line per run that is not plain: `row x0-x1 style "text"`.
/// A double-width character and the cell it hides count as one.
pub fn screen_styles(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let cells = visible_cells(buf, y);
        let mut i = 0;
        while i < cells.len() {
            let name = style_name(&buf[(cells[i].0, y)].style());
            let start = cells[i].0;
            let mut text = String::new();
            let mut end = start;
            while i < cells.len() && style_name(&buf[(cells[i].0, y)].style()) == name {
                text.push_str(cells[i].1);
                end = cells[i].0 + cells[i].1.width().max(1) as u16 - 1;
                i += 1;
            }
            if !name.is_empty() {
                out.push_str(&format!(
                    "{y:>2} {start:>3}-{end:<3} {name:<28} {:?}\n",
                    text.trim_end()
                ));
            }
        }
    }
    out
}

/// The cells of a row that show something: (column, symbol), skipping the cell hidden behind
/// a double-width character.
fn visible_cells(buf: &Buffer, y: u16) -> Vec<(u16, &str)> {
    let mut out = Vec::new();
    let mut skip = 0;
    for x in 0..buf.area.width {
        let sym = buf[(x, y)].symbol();
        if skip > 0 {
            skip -= 1;
            continue;
        }
        skip = sym.width().saturating_sub(1);
        out.push((x, sym));
    }
    out
}

/// The style of the cell where `needle` first appears on screen (searching row by row).
pub fn style_of(buf: &Buffer, needle: &str) -> Option<Style> {
    styles_of(buf, needle).into_iter().next()
}

/// The styles of the cells of the first appearance of `needle`, one per character.
pub fn styles_of(buf: &Buffer, needle: &str) -> Vec<Style> {
    for y in 0..buf.area.height {
        let row = visible_cells(buf, y);
        let syms: Vec<&str> = row.iter().map(|(_, s)| *s).collect();
        let want: Vec<String> = needle.chars().map(String::from).collect();
        if want.is_empty() || syms.len() < want.len() {
            continue;
        }
        for start in 0..=syms.len() - want.len() {
            if (0..want.len()).all(|i| syms[start + i] == want[i]) {
                return (0..want.len())
                    .map(|i| buf[(row[start + i].0, y)].style())
                    .collect();
            }
        }
    }
    Vec::new()
}
