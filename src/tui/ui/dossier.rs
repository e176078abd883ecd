//! The dossier pane: a fixed header (who, current post and time in it, level and time at it,
//! life-cycle and reserve), a row of section tabs, and the seven dimensions as one scrollable
//! text wrapped by display width. The meeting mask hides the ID number, family, supervision
//! findings and talk notes. `layout` is pure and shared with `update` for scrolling.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::model::{Dossier, LifeCycle, PartialDate, PoliticalStatus, UnitDirectory};

use super::super::state::State;
use super::super::strings as s;
use super::super::text::{Seg, SegLine, put, width, wrap};
use super::super::theme::Theme;
use super::format::{
    at_level, birth_and_age, date_or_unknown, in_post, or_unknown, span, unit_name,
};

/// Header rows above the section tabs: three, and a fourth for reserve data.
pub fn header_rows(d: &Dossier) -> u16 {
    3 + d.reserve.is_some() as u16
}
/// Label column width in the body.
const LABEL_W: usize = 12;

/// The body's text and where each of the seven sections starts.
#[derive(Clone, Debug, PartialEq)]
pub struct DossierLayout {
    pub lines: Vec<SegLine>,
    pub sections: [usize; 7],
}

/// The scrollable part of the pane.
pub fn body_area(pane: Rect, d: &Dossier) -> Rect {
    let top = (header_rows(d) + 1).min(pane.height);
    Rect::new(pane.x, pane.y + top, pane.width, pane.height - top)
}

/// The section that contains line `scroll`.
pub fn section_at(layout: &DossierLayout, scroll: usize) -> usize {
    layout
        .sections
        .iter()
        .rposition(|&start| start <= scroll)
        .unwrap_or(0)
}

/// The highest useful scroll position for a body of `rows` rows.
pub fn max_scroll(layout: &DossierLayout, rows: usize) -> usize {
    layout.lines.len().saturating_sub(rows)
}

pub fn draw(buf: &mut Buffer, pane: Rect, state: &State, theme: &Theme) {
    let Some(d) = state.person.as_deref() else {
        put(
            buf,
            pane.x,
            pane.y,
            pane.width,
            &[Seg::new(format!(" {}", s::NO_PERSON), "ui.hint")],
            theme,
        );
        return;
    };
    let w = pane.width as usize;
    for (i, line) in header(d, &state.units, &state.today)
        .into_iter()
        .enumerate()
    {
        if i as u16 >= pane.height {
            return;
        }
        put(buf, pane.x, pane.y + i as u16, pane.width, &line, theme);
    }
    let layout = layout(d, &state.units, &state.today, &state.veil(), w);
    let body = body_area(pane, d);
    let head = header_rows(d);
    let scroll = state
        .dossier_scroll
        .min(max_scroll(&layout, body.height as usize));
    // Section tabs, the one at the top of the body highlighted, and the position.
    if pane.height > head {
        let current = section_at(&layout, scroll);
        let mut segs = vec![Seg::new(" ", "")];
        for (i, tab) in s::SECTION_TABS.iter().enumerate() {
            let key = if i == current {
                "dossier.section.active"
            } else {
                "dossier.section"
            };
            segs.push(Seg::new(format!(" {tab} "), key));
        }
        let y = pane.y + head;
        put(buf, pane.x, y, pane.width, &segs, theme);
        let total = layout.lines.len().max(1);
        let pos = format!("{}/{} ", (scroll + body.height as usize).min(total), total);
        let used: usize = segs.iter().map(|g| width(&g.text)).sum();
        if used + width(&pos) < w {
            let x = pane.x + (w - width(&pos)) as u16;
            put(
                buf,
                x,
                y,
                width(&pos) as u16,
                &[Seg::new(pos, "ui.hint")],
                theme,
            );
        }
    }
    for (i, line) in layout
        .lines
        .iter()
        .skip(scroll)
        .take(body.height as usize)
        .enumerate()
    {
        put(buf, body.x, body.y + i as u16, body.width, line, theme);
    }
}

/// The header lines: identity and life cycle, current post, level, and reserve data when
/// there is any. Cut, not wrapped.
pub fn header(d: &Dossier, units: &UnitDirectory, today: &PartialDate) -> Vec<SegLine> {
    let id = &d.identity;
    let who = vec![
        Seg::new(" ", ""),
        Seg::new(id.name.clone(), "dossier.title"),
        Seg::new(
            format!(
                "  {}  {}  {}  {}  ",
                id.gender,
                or_unknown(&id.ethnicity),
                birth_and_age(d, today),
                political(d)
            ),
            "",
        ),
        Seg::new(d.status.label(), status_key(d.status)),
    ];
    let post = match in_post(d, today) {
        Some((p, months)) => vec![
            Seg::new(format!(" {}", s::CURRENT_POST), "dossier.label"),
            Seg::new(
                format!("{} {}", unit_name(p, units), p.position),
                "dossier.current",
            ),
            Seg::new(
                format!("  {} {}", s::IN_POST_FOR, s::months(months)),
                "dossier.value",
            ),
        ],
        None => vec![
            Seg::new(format!(" {}", s::CURRENT_POST), "dossier.label"),
            Seg::new(s::NONE, "dossier.value"),
        ],
    };
    let mut level = vec![Seg::new(format!(" {}", s::CURRENT_LEVEL), "dossier.label")];
    match at_level(d, today) {
        Some((rank, months)) => {
            level.push(Seg::new(rank.label(), "dossier.value"));
            level.push(Seg::new(
                format!("  {} {}", s::AT_LEVEL_FOR, s::months(months)),
                "dossier.value",
            ));
        }
        None => level.push(Seg::new(s::NONE, "dossier.value")),
    }
    let mut lines = vec![who, post, level];
    if let Some(r) = &d.reserve {
        lines.push(vec![
            Seg::new(format!(" {}", s::RESERVE_PREFIX), "dossier.label"),
            Seg::new(reserve_text(r), "dossier.value"),
        ]);
    }
    lines
}

fn status_key(st: LifeCycle) -> &'static str {
    match st {
        LifeCycle::Serving => "dossier.current",
        LifeCycle::Reserve => "dossier.label",
        LifeCycle::Retired => "ui.hint",
    }
}

fn political(d: &Dossier) -> String {
    let id = &d.identity;
    match id.political_status {
        PoliticalStatus::DemocraticParty if !id.party_name.is_empty() => id.party_name.clone(),
        other => other.label().to_string(),
    }
}

fn reserve_text(r: &crate::model::ReserveInfo) -> String {
    let mut t = format!("{}{}", s::RESERVE_TARGET, r.target.label());
    if !r.target_post.is_empty() {
        t.push_str(&s::paren(&r.target_post));
    }
    t.push_str(&format!("{}{}", s::COMMA, r.readiness.label()));
    if let Some(since) = &r.since {
        t.push_str(&format!("{}{}{}", s::COMMA, since.dotted(), s::SINCE));
    }
    t
}

/// Builds the body text at `width` columns.
struct Body {
    lines: Vec<SegLine>,
    width: usize,
}

impl Body {
    fn heading(&mut self, title: &str) {
        if !self.lines.is_empty() {
            self.lines.push(vec![]);
        }
        self.lines
            .push(vec![Seg::new(" ", ""), Seg::new(title, "dossier.heading")]);
    }

    /// `  label        value` with the value wrapped under itself.
    fn field(&mut self, label: &str, value: Vec<Seg>) {
        let mut segs = vec![
            Seg::new("  ", ""),
            Seg::new(super::super::text::pad(label, LABEL_W), "dossier.label"),
            Seg::new("  ", ""),
        ];
        segs.extend(value);
        self.lines.extend(wrap(&segs, self.width, 4 + LABEL_W));
    }

    fn field_text(&mut self, label: &str, value: impl Into<String>) {
        self.field(label, vec![Seg::new(value, "dossier.value")]);
    }

    fn sub(&mut self, label: &str) {
        self.lines
            .push(vec![Seg::new("  ", ""), Seg::new(label, "dossier.label")]);
    }

    /// An entry of a list, continuation lines indented.
    fn item(&mut self, segs: Vec<Seg>) {
        let mut all = vec![Seg::new("    ", "")];
        all.extend(segs);
        self.lines.extend(wrap(&all, self.width, 6));
    }

    fn empty(&mut self) {
        self.item(vec![Seg::new(s::EMPTY, "ui.hint")]);
    }

    fn masked(&mut self) {
        self.item(vec![Seg::new(s::MASKED, "mask")]);
    }

    fn withheld(&mut self) {
        self.item(vec![Seg::new(s::WITHHELD, "mask")]);
    }
}

fn v(t: impl Into<String>) -> Seg {
    Seg::new(t, "dossier.value")
}

/// The seven dimensions as text `width` columns wide.
pub fn layout(
    d: &Dossier,
    units: &UnitDirectory,
    today: &PartialDate,
    veil: &crate::show::Veil,
    width: usize,
) -> DossierLayout {
    let mask = veil.mask;
    let mut b = Body {
        lines: Vec::new(),
        width: width.max(20),
    };
    let mut sections = [0usize; 7];
    let id = &d.identity;

    // 一、基本信息
    b.heading(s::SECTIONS[0]);
    b.field_text(s::L_GENDER, id.gender.label());
    b.field_text(s::L_ETHNICITY, or_unknown(&id.ethnicity));
    b.field_text(s::L_BIRTH, birth_and_age(d, today));
    b.field_text(s::L_NATIVE, or_unknown(&id.native_place));
    b.field_text(s::L_BIRTHPLACE, or_unknown(&id.birthplace));
    b.field_text(s::L_PARTY_ENTRY, date_or_unknown(id.party_entry.as_ref()));
    b.field_text(s::L_WORK_START, date_or_unknown(id.work_start.as_ref()));
    b.field_text(s::L_HEALTH, or_unknown(&id.health));
    b.field_text(s::L_POLITICAL, political(d));
    b.field_text(s::L_TITLE, or_unknown(&id.professional_title));
    if veil.id_number {
        b.field(s::L_ID_NUMBER, vec![Seg::new(s::WITHHELD, "mask")]);
    } else if mask {
        b.field(s::L_ID_NUMBER, vec![Seg::new(s::MASKED, "mask")]);
    } else {
        b.field_text(s::L_ID_NUMBER, or_unknown(&id.id_number));
    }
    b.field_text(s::L_STATUS, d.status.label());
    match &d.reserve {
        Some(r) => b.field_text(s::L_RESERVE, reserve_text(r)),
        None => b.field_text(s::L_RESERVE, s::NONE),
    }
    b.field_text(s::L_LAST_REPORT, date_or_unknown(d.last_report.as_ref()));
    b.field_text(
        s::L_PHOTO,
        if id.photo.is_some() {
            s::PHOTO_YES
        } else {
            s::PHOTO_NO
        },
    );

    // 二、学历学位与培训
    sections[1] = b.lines.len() + 1;
    b.heading(s::SECTIONS[1]);
    b.sub(s::L_EDUCATION);
    if d.education.is_empty() {
        b.empty();
    }
    for e in &d.education {
        let mut t = format!("{}  {}", e.kind.label(), e.level.label());
        if let Some(deg) = e.degree {
            t.push_str(&format!("  {}", deg.label()));
        }
        for part in [&e.school, &e.major] {
            if !part.is_empty() {
                t.push_str(&format!("  {part}"));
            }
        }
        if let Some(start) = &e.start {
            t.push_str(&format!("  {}", span(start, e.end.as_ref())));
        } else if let Some(end) = &e.end {
            t.push_str(&format!("  {}", end.dotted()));
        }
        b.item(vec![v(t)]);
    }
    b.sub(s::L_TRAINING);
    if d.training.is_empty() {
        b.empty();
    }
    for t in &d.training {
        let when = match &t.end {
            Some(end) => span(&t.start, Some(end)),
            None => t.start.dotted(),
        };
        let mut text = format!("{when}  {}", t.name);
        if !t.organizer.is_empty() {
            text.push_str(&format!("  {}", t.organizer));
        }
        if t.hours > 0 {
            text.push_str(&format!("  {}{}", t.hours, s::HOURS));
        }
        b.item(vec![v(text)]);
    }

    // 三、任职经历
    sections[2] = b.lines.len() + 1;
    b.heading(s::SECTIONS[2]);
    if d.postings.is_empty() {
        b.empty();
    }
    let current = d.current_posting().map(|p| p as *const _);
    let mut postings: Vec<_> = d.postings.iter().collect();
    postings.sort_by_key(|p| (p.start, p.concurrent));
    for p in postings {
        let is_current = Some(p as *const _) == current;
        let mut segs = vec![
            v(format!("{}  ", span(&p.start, p.end.as_ref()))),
            Seg::new(
                format!("{} {}", unit_name(p, units), p.position),
                if is_current {
                    "dossier.current"
                } else {
                    "dossier.value"
                },
            ),
        ];
        if let Some(r) = p.rank {
            segs.push(v(format!("  {}", r.label())));
        }
        let mut flags = Vec::new();
        if is_current {
            flags.push(s::CURRENT_MARK);
        }
        if p.concurrent {
            flags.push(s::CONCURRENT);
        }
        if p.probation {
            flags.push(s::PROBATION);
        }
        if !flags.is_empty() {
            segs.push(Seg::new(s::paren(&flags.join(s::COMMA)), "dossier.label"));
        }
        if !p.portfolio.is_empty() {
            segs.push(v(format!("  {}{}", s::labelled(s::PORTFOLIO), p.portfolio)));
        }
        b.item(segs);
    }

    // 四、年度考核
    sections[3] = b.lines.len() + 1;
    b.heading(s::SECTIONS[3]);
    if d.assessments.is_empty() {
        b.empty();
    }
    let mut assessments: Vec<_> = d.assessments.iter().collect();
    assessments.sort_by_key(|a| std::cmp::Reverse(a.year));
    for a in assessments {
        let grade = a.grade.map_or(s::NO_GRADE, |g| g.label());
        let grade_key = match a.grade {
            Some(crate::model::Grade::BasicallyCompetent | crate::model::Grade::Incompetent) => {
                "dossier.warn"
            }
            _ => "dossier.value",
        };
        let mut segs = vec![
            v(format!("{}{}  ", a.year, s::YEAR)),
            Seg::new(grade, grade_key),
        ];
        if let Some(score) = a.democratic_score {
            segs.push(v(format!("  {} {score:.1}%", s::DEMOCRATIC)));
        }
        if !a.special.is_empty() {
            segs.push(v(format!("  {}{}", s::labelled(s::SPECIAL), a.special)));
        }
        b.item(segs);
        if veil.talk_notes {
            b.item(vec![
                Seg::new(format!("  {}", s::labelled(s::TALK)), "dossier.label"),
                Seg::new(s::WITHHELD, "mask"),
            ]);
        } else if !a.talk_notes.is_empty() {
            if mask {
                b.item(vec![
                    Seg::new(format!("  {}", s::labelled(s::TALK)), "dossier.label"),
                    Seg::new(s::MASKED, "mask"),
                ]);
            } else {
                b.item(vec![
                    Seg::new(format!("  {}", s::labelled(s::TALK)), "dossier.label"),
                    v(a.talk_notes.clone()),
                ]);
            }
        }
    }

    // 五、奖惩与监督
    sections[4] = b.lines.len() + 1;
    b.heading(s::SECTIONS[4]);
    b.sub(s::L_REWARDS);
    if d.rewards.is_empty() {
        b.empty();
    }
    for r in &d.rewards {
        let key = if r.kind.is_punishment() {
            "dossier.warn"
        } else {
            "dossier.value"
        };
        let mut segs = vec![
            v(format!("{}  ", date_or_unknown(r.date.as_ref()))),
            Seg::new(format!("{}  {}", r.kind.label(), r.title), key),
        ];
        if !r.issuer.is_empty() {
            segs.push(v(format!("  {}", r.issuer)));
        }
        if !r.reason.is_empty() {
            segs.push(v(format!("  {}", r.reason)));
        }
        b.item(segs);
    }
    if veil.findings {
        b.item(vec![Seg::new(s::PUNISHMENTS_WITHHELD, "mask")]);
    }
    b.sub(s::L_FINDINGS);
    if veil.findings {
        b.withheld();
    } else if mask {
        b.masked();
    } else {
        if d.findings.is_empty() {
            b.empty();
        }
        for f in &d.findings {
            let mut segs = vec![v(format!(
                "{}  {}  {}",
                f.date.dotted(),
                f.source.label(),
                f.summary
            ))];
            if !f.conclusion.is_empty() {
                segs.push(v(format!(
                    "  {}{}",
                    s::labelled(s::L_CONCLUSION),
                    f.conclusion
                )));
            }
            segs.push(if f.resolved {
                v(format!("  {}", s::RESOLVED))
            } else {
                Seg::new(format!("  {}", s::UNRESOLVED), "dossier.warn")
            });
            b.item(segs);
        }
    }

    // 六、家庭成员及社会关系
    sections[5] = b.lines.len() + 1;
    b.heading(s::SECTIONS[5]);
    if veil.family {
        b.withheld();
    } else if mask {
        b.masked();
    } else {
        if d.family.is_empty() {
            b.empty();
        }
        for m in &d.family {
            let mut t = format!("{}  {}", m.relation, m.name);
            if let Some(birth) = &m.birth {
                t.push_str(&format!("  {}", birth.dotted()));
            }
            if let Some(ps) = m.political_status {
                t.push_str(&format!("  {}", ps.label()));
            }
            let job = format!("{}{}", m.employer, m.post);
            if !job.is_empty() {
                t.push_str(&format!("  {job}"));
            }
            b.item(vec![v(t)]);
            for biz in &m.businesses {
                let mut details = Vec::new();
                for part in [&biz.industry, &biz.role] {
                    if !part.is_empty() {
                        details.push(part.clone());
                    }
                }
                if let Some(r) = &biz.registered {
                    details.push(r.dotted());
                }
                let mut t = format!("  {}{}", s::labelled(s::BUSINESS), biz.name);
                if !details.is_empty() {
                    t.push_str(&s::paren(&details.join(s::COMMA)));
                }
                b.item(vec![Seg::new(t, "dossier.warn")]);
            }
        }
    }

    // 七、专长与业绩
    sections[6] = b.lines.len() + 1;
    b.heading(s::SECTIONS[6]);
    let rec = &d.record;
    b.field_text(s::L_SPECIALTY, or_unknown(&rec.specialty));
    b.field_text(
        s::L_SKILLS,
        if rec.skills.is_empty() {
            s::NONE.to_string()
        } else {
            rec.skills.join(s::LIST_SEP)
        },
    );
    b.field_text(
        s::L_LANGUAGES,
        if rec.languages.is_empty() {
            s::NONE.to_string()
        } else {
            rec.languages.join(s::LIST_SEP)
        },
    );
    b.sub(s::L_ACHIEVEMENTS);
    if rec.achievements.is_empty() {
        b.empty();
    }
    for a in &rec.achievements {
        let mut t = match &a.date {
            Some(date) => format!("{}  {}", date.dotted(), a.title),
            None => a.title.clone(),
        };
        if !a.detail.is_empty() {
            t.push_str(&format!("{}{}", s::COLON, a.detail));
        }
        b.item(vec![v(t)]);
    }
    DossierLayout {
        lines: b.lines,
        sections,
    }
}
