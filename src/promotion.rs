//! Promotion prerequisites (条例 art. 8 and 9) measured against one dossier: what stands between
//! a cadre and a target rank. Shared by the reserve pool (gaps) and the promotion-eligibility
//! alert. Pure.

use crate::filter::eval::{Ctx, grassroots_years};
use crate::model::*;
use crate::rules::Promotion;

/// One unmet prerequisite.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gap {
    /// What is measured (任现级年限, 基层工作年限 …).
    pub what: std::borrow::Cow<'static, str>,
    pub need: String,
    pub have: String,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：需{}，现{}", self.what, self.need, self.have)
    }
}

fn years(v: f64) -> String {
    format!("{v:.1}年")
}

/// Years at the current level that the step to `target` requires, or None when no rule applies.
pub fn required_years_at_level(current: Rank, target: Rank, p: &Promotion) -> Option<f64> {
    if !current.is_leadership() || target.height() != current.height() + 1 {
        return None;
    }
    if target.is_principal_level() {
        Some(p.deputy_to_principal_years)
    } else {
        Some(p.principal_to_upper_deputy_years)
    }
}

/// Every prerequisite for `target` that the dossier does not meet, as of `ctx.today`.
pub fn gaps(d: &Dossier, target: Rank, ctx: &Ctx, p: &Promotion) -> Vec<Gap> {
    let mut out = Vec::new();
    let today = &ctx.today;
    let current = d.current_rank().filter(|r| r.is_leadership());
    if let Some(cur) = current {
        if target.height() > cur.height() + 2 {
            out.push(Gap {
                what: "职务层次".into(),
                need: format!("不越两级（现{}）", cur.label()),
                have: format!("拟任{}", target.label()),
            });
        }
        if let (Some(need), Some(since)) = (
            required_years_at_level(cur, target, p),
            d.current_level_since(),
        ) {
            let have = since.years_until(today);
            if have < need {
                out.push(Gap {
                    what: "任现级年限".into(),
                    need: years(need),
                    have: years(have),
                });
            }
        }
    }
    if target.tier() <= Tier::County {
        let work = d
            .identity
            .work_start
            .map(|w| w.years_until(today))
            .unwrap_or(0.0);
        if work < p.county_min_work_years {
            out.push(Gap {
                what: "工作年限".into(),
                need: years(p.county_min_work_years),
                have: years(work),
            });
        }
        let gr = grassroots_years(d, ctx);
        if gr < p.county_min_grassroots_years {
            out.push(Gap {
                what: "基层工作年限".into(),
                need: years(p.county_min_grassroots_years),
                have: years(gr),
            });
        }
        let below = target.height().saturating_sub(1);
        let posts_below = d
            .postings
            .iter()
            .filter(|x| {
                x.rank
                    .is_some_and(|r| r.is_leadership() && r.height() == below)
            })
            .count() as u32;
        if posts_below < p.min_posts_below {
            out.push(Gap {
                what: "下一级岗位任职数".into(),
                need: format!("{}个", p.min_posts_below),
                have: format!("{posts_below}个"),
            });
        }
        let hours: u32 = d
            .training
            .iter()
            .filter(|t| t.start.month_index() >= today.month_index() - 60 && t.start <= *today)
            .map(|t| t.hours)
            .sum();
        if hours < p.county_min_training_hours_5y {
            out.push(Gap {
                what: "近5年培训学时".into(),
                need: format!("{}学时", p.county_min_training_hours_5y),
                have: format!("{hours}学时"),
            });
        }
    }
    let need_edu = if target.tier() <= Tier::Bureau {
        p.bureau_min_education_level()
    } else {
        p.min_education_level()
    };
    let have_edu = d.highest_education().map(|e| e.level);
    if have_edu.is_none_or(|e| e.height() < need_edu.height()) {
        out.push(Gap {
            what: "学历".into(),
            need: format!("{}以上", need_edu.label()),
            have: have_edu
                .map(|e| e.label().to_string())
                .unwrap_or_else(|| "无记录".into()),
        });
    }
    out
}
