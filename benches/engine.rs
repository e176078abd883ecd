//! Benchmarks of the whole-database engine over a generated province held in memory: the seed's
//! filter example (over the compact facts as the interface and `cadre query` run it, over
//! decoded dossiers, and side by side the same records in SQLite answering the equivalent SQL
//! over normalized, indexed tables), one team's gauges, and every alert. N comes from
//! CADRE_BENCH_N (default 100,000); `CADRE_BENCH_N=1000000 cargo bench --bench engine` runs
//! the target size. The SQLite side is checked to return the same people before it is timed.

use std::hint::black_box;

use cadre::alerts::scan;
use cadre::demo::{DemoOptions, as_of, dossiers, units};
use cadre::facts::Facts;
use cadre::filter::{Ctx, SEED_EXAMPLE, parse};
use cadre::model::{Dossier, UnitDirectory, UnitKind, UnitLevel};
use cadre::rules::Rules;
use cadre::team::{TeamIndex, members, profile};
use criterion::{Criterion, criterion_group, criterion_main};

fn province() -> (Vec<Dossier>, UnitDirectory) {
    let n: usize = std::env::var("CADRE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let opts = DemoOptions {
        count: n,
        seed: 2026,
    };
    let all: Vec<Dossier> = dossiers(&opts).collect();
    (all, UnitDirectory::new(units(&opts)))
}

fn engine(c: &mut Criterion) {
    let (all, dir) = province();
    let n = all.len();
    let ctx = Ctx {
        today: as_of(),
        units: &dir,
    };
    let rules = Rules::defaults();
    let seed = parse(SEED_EXAMPLE).expect("seed example parses");
    let matches = all.iter().filter(|d| seed.matches(d, &ctx)).count();
    eprintln!("{n} dossiers; the seed's example selects {matches}");

    let facts = Facts::build(&all, &dir);
    eprintln!("facts: {} bytes per dossier", facts.heap_bytes() / n.max(1));
    let today = as_of();
    let want = facts.select(&seed, today);
    assert_eq!(want.len(), matches, "facts and dossiers disagree");
    let sql = sqlite::Db::load(&all, &dir);
    assert_eq!(sql.seed(today), want, "SQLite disagrees");

    let mut g = c.benchmark_group(format!("engine_{n}"));
    g.sample_size(10);
    g.bench_function("seed_filter_facts", |b| {
        b.iter(|| black_box(facts.select(&seed, today).len()))
    });
    g.bench_function("seed_filter_sqlite", |b| {
        b.iter(|| black_box(sql.seed(today).len()))
    });
    g.bench_function("seed_filter_dossiers", |b| {
        b.iter(|| all.iter().filter(|d| seed.matches(d, &ctx)).count())
    });
    let index = TeamIndex::build(&all);
    let county_gov = dir
        .iter()
        .filter(|u| u.kind == UnitKind::Government && u.level == UnitLevel::County)
        .map(|u| u.id)
        .min()
        .expect("a county government");
    g.bench_function("team_gauges", |b| {
        b.iter(|| {
            let unit = dir.get(county_gov).expect("unit");
            black_box(profile(
                unit,
                members(county_gov, &index, &all, &ctx),
                &rules,
            ))
        })
    });
    g.bench_function("team_index_build", |b| {
        b.iter(|| black_box(TeamIndex::build(&all)))
    });
    let screened = cadre::facts::alerts::screened(&facts, &ctx, &rules);
    let alerts = scan(&all, &ctx, &rules).len();
    eprintln!("alerts: {alerts}; the facts leave {screened} of {n} cadres to read");
    g.bench_function("all_alerts_facts", |b| {
        b.iter(|| {
            black_box(
                cadre::facts::alerts::scan(&facts, &ctx, &rules, |i| {
                    all.get(i).map(std::borrow::Cow::Borrowed)
                })
                .len(),
            )
        })
    });
    g.bench_function("all_alerts_dossiers", |b| {
        b.iter(|| black_box(scan(&all, &ctx, &rules).len()))
    });
    g.finish();
}

/// The same records in SQLite: normalized tables with indexes, as a relational design would
/// keep them, and the seed's example as one SQL query.
mod sqlite {
    use cadre::filter::eval::{Ctx, is_grassroots};
    use cadre::model::*;
    use rusqlite::{Connection, params};

    pub struct Db(Connection);

    /// Birth dates as yyyymmdd with unknown parts read as the first (the age rule's reading).
    fn day_key(d: &PartialDate) -> i64 {
        d.y() as i64 * 10000 + d.m().unwrap_or(1) as i64 * 100 + d.d().unwrap_or(1) as i64
    }

    impl Db {
        pub fn load(all: &[Dossier], units: &UnitDirectory) -> Self {
            let mut c = Connection::open_in_memory().expect("sqlite");
            c.execute_batch(
                "CREATE TABLE unit (id INTEGER PRIMARY KEY, kind INTEGER, level INTEGER);
                 CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, birth INTEGER);
                 CREATE TABLE posting (person INTEGER, unit INTEGER, role INTEGER,
                                       grassroots INTEGER, start INTEGER, end INTEGER);
                 CREATE TABLE education (person INTEGER, category INTEGER);
                 CREATE TABLE assessment (person INTEGER, year INTEGER, grade INTEGER);",
            )
            .expect("schema");
            let tx = c.transaction().expect("tx");
            {
                let mut u = tx.prepare("INSERT INTO unit VALUES (?1, ?2, ?3)").unwrap();
                for x in units.iter() {
                    u.execute(params![x.id, x.kind as i64, x.level as i64])
                        .unwrap();
                }
                let ctx = Ctx {
                    today: cadre::demo::as_of(),
                    units,
                };
                let mut p = tx
                    .prepare("INSERT INTO person VALUES (?1, ?2, ?3)")
                    .unwrap();
                let mut po = tx
                    .prepare("INSERT INTO posting VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                    .unwrap();
                let mut e = tx.prepare("INSERT INTO education VALUES (?1, ?2)").unwrap();
                let mut a = tx
                    .prepare("INSERT INTO assessment VALUES (?1, ?2, ?3)")
                    .unwrap();
                for d in all {
                    p.execute(params![
                        d.id as i64,
                        d.identity.name,
                        day_key(&d.identity.birth)
                    ])
                    .unwrap();
                    for x in &d.postings {
                        po.execute(params![
                            d.id as i64,
                            x.unit,
                            x.role as i64,
                            is_grassroots(x, &ctx) as i64,
                            x.start.month_index(),
                            x.end.map(|e| e.month_index())
                        ])
                        .unwrap();
                    }
                    for x in &d.education {
                        let cat = x.category.or_else(|| MajorCategory::infer(&x.major));
                        e.execute(params![d.id as i64, cat.map(|c| c as i64)])
                            .unwrap();
                    }
                    for x in &d.assessments {
                        a.execute(params![d.id as i64, x.year, x.grade.map(|g| g as i64)])
                            .unwrap();
                    }
                }
            }
            tx.commit().unwrap();
            c.execute_batch(
                "CREATE INDEX person_birth ON person (birth);
                 CREATE INDEX posting_person ON posting (person, role, grassroots);
                 CREATE INDEX education_person ON education (person, category);
                 CREATE INDEX assessment_person ON assessment (person, year, grade);
                 ANALYZE;",
            )
            .expect("indexes");
            Db(c)
        }

        /// 年龄 < 45 且 曾任(基层, 正职) 且 专业类别 属于 (经济学, 管理学) 且 考核(优秀, 近3年, 每年)
        pub fn seed(&self, today: PartialDate) -> Vec<u64> {
            // Age under 45 on `today`: born after the day 45 years before it.
            let born_after = day_key(&today) - 450000;
            let mut q = self
                .0
                .prepare_cached(
                    "SELECT p.id FROM person p
                     WHERE p.birth > ?1
                       AND EXISTS (SELECT 1 FROM posting x
                                   WHERE x.person = p.id AND x.role = ?2 AND x.grassroots = 1)
                       AND EXISTS (SELECT 1 FROM education e
                                   WHERE e.person = p.id AND e.category IN (?3, ?4))
                       AND (SELECT COUNT(DISTINCT a.year) FROM assessment a
                            WHERE a.person = p.id AND a.year BETWEEN ?5 AND ?6
                              AND a.grade = ?7) = 3
                     ORDER BY p.id",
                )
                .expect("query");
            let y = today.y() as i64;
            q.query_map(
                params![
                    born_after,
                    PostRole::Principal as i64,
                    MajorCategory::Economics as i64,
                    MajorCategory::Management as i64,
                    y - 3,
                    y - 1,
                    Grade::Excellent as i64
                ],
                |r| r.get::<_, i64>(0),
            )
            .expect("rows")
            .map(|r| r.expect("row") as u64)
            .collect()
        }
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
