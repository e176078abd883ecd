//! Benchmarks of the whole-database engine over a generated province held in memory: the seed's
//! filter example, one team's gauges, and every alert. N comes from CADRE_BENCH_N (default
//! 100,000); `CADRE_BENCH_N=1000000 cargo bench --bench engine` runs the target size.

use std::hint::black_box;

use cadre::alerts::scan;
use cadre::demo::{DemoOptions, as_of, dossiers, units};
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

    let mut g = c.benchmark_group(format!("engine_{n}"));
    g.sample_size(10);
    g.bench_function("seed_filter", |b| {
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
    g.bench_function("all_alerts", |b| {
        b.iter(|| black_box(scan(&all, &ctx, &rules).len()))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
