//! The scale suite (issue: a million dossiers): import of a generated province into an
//! on-disk database, start-up (units, facts snapshot and lookup index, as the interface does
//! before lookup works), memory per dossier, disk use against the encoded payload, and lookup
//! side by side with `fzf --filter` over the same names. N comes from CADRE_BENCH_N (default
//! 100,000). One-shot figures (import, first start-up that builds the snapshot, memory) are
//! printed; repeated ones go through criterion. It reports, never asserts, timings.
//!
//! Run: `CADRE_BENCH_N=1000000 cargo bench --bench scale` (or `benches/run` for the suite).

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use cadre::demo::{DemoOptions, write_dir};
use cadre::io::import::{IMPORT_CACHE_BYTES, ImportOptions, import_files};
use cadre::store::{Store, StoreOptions};
use cadre::tui::load_lookup_data;
use criterion::{Criterion, criterion_group, criterion_main};

/// The allocator of the `cadre` binary, so the import is measured as `cadre import` runs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn n() -> usize {
    std::env::var("CADRE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn dir_bytes(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn scale(c: &mut Criterion) {
    let n = n();
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let db = tmp.path().join("db");
    let opts = DemoOptions {
        count: n,
        seed: 2026,
    };
    let t = Instant::now();
    write_dir(&opts, &data, &|_| {}).expect("demo data");
    eprintln!("generate {n}: {:.1} s", t.elapsed().as_secs_f64());

    // Import, as `cadre import` runs it: both passes (the facts built while writing), the
    // journal's commit, the facts snapshot, and the reopening that leaves a sled snapshot.
    let rss_before = cadre::memory::status_kb("VmRSS");
    let t = Instant::now();
    {
        let opts = StoreOptions {
            cache_bytes: IMPORT_CACHE_BYTES,
            ..StoreOptions::default()
        };
        let store = Store::open_with(&db, &opts).expect("store");
        let files = [data.join("units.jsonl"), data.join("dossiers.jsonl")];
        let mut checked_at = None;
        let report = import_files(
            &store,
            &files,
            &ImportOptions {
                facts: true,
                ..ImportOptions::default()
            },
            &mut |stage, _| {
                if matches!(stage, cadre::io::import::Stage::Writing { .. }) && checked_at.is_none()
                {
                    checked_at = Some(t.elapsed());
                }
            },
            &AtomicBool::new(false),
        )
        .expect("import");
        assert_eq!(report.dossiers, n);
        let written_at = t.elapsed();
        let peak_written = cadre::memory::status_kb("VmHWM") / 1024;
        let facts = report.facts.expect("facts built while writing");
        cadre::facts::snapshot::save_given(&store, facts).expect("snapshot");
        let saved_at = t.elapsed();
        drop(store);
        drop(Store::open_with(&db, &opts).expect("reopen"));
        eprintln!(
            "import {n}: checked in {:.1} s, written by {:.1} s (peak {peak_written} MiB), facts snapshot by {:.1} s, reopened by {:.1} s",
            checked_at.unwrap_or_default().as_secs_f64(),
            written_at.as_secs_f64(),
            saved_at.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
    }
    let import_s = t.elapsed().as_secs_f64();
    let payload: u64 = {
        let store = Store::open(&db).expect("store");
        store
            .dossiers()
            .map(|d| {
                cadre::store::envelope::encode(&d.expect("dossier"))
                    .expect("encode")
                    .len() as u64
            })
            .sum()
    };
    let disk = dir_bytes(&db);
    eprintln!(
        "import {n}: {import_s:.1} s; peak resident {} MiB (was {} MiB before); on disk {} MiB = {:.2}× the encoded payload of {} MiB",
        cadre::memory::status_kb("VmHWM") / 1024,
        rss_before / 1024,
        disk >> 20,
        disk as f64 / payload.max(1) as f64,
        payload >> 20
    );

    // Start-up: open the database, read units and facts, build the lookup index.
    let rss_before = cadre::memory::status_kb("VmRSS");
    let t = Instant::now();
    let store = Store::open(&db).expect("store");
    let loaded = load_lookup_data(&store).expect("load");
    eprintln!(
        "start-up {n} (snapshot {:?}): {:.0} ms; resident +{} MiB = {} bytes per dossier",
        loaded.source,
        t.elapsed().as_secs_f64() * 1000.0,
        (cadre::memory::status_kb("VmRSS").saturating_sub(rss_before)) / 1024,
        cadre::memory::status_kb("VmRSS").saturating_sub(rss_before) * 1024 / n as u64
    );
    drop(store);

    let mut g = c.benchmark_group(format!("scale_{n}"));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("startup", |b| {
        b.iter(|| {
            let store = Store::open(&db).expect("store");
            black_box(load_lookup_data(&store).expect("load").index.len())
        })
    });
    g.finish();

    peers_fzf(&loaded);
}

/// Lookup against `fzf --filter` on the same names, when fzf is installed.
fn peers_fzf(loaded: &cadre::tui::LookupData) {
    let names: Vec<String> = (0..loaded.facts.len())
        .map(|i| loaded.facts.name(&loaded.facts.people[i]).to_string())
        .collect();
    let probe = Command::new("fzf").arg("--version").output();
    if probe.is_err() {
        eprintln!("fzf not found: the comparison is skipped (benches/run installs it)");
        return;
    }
    let queries: Vec<String> = names
        .iter()
        .step_by(names.len() / 20 + 1)
        .flat_map(|name| {
            let first: String = name.chars().take(1).collect();
            let two: String = name.chars().take(2).collect();
            [first, two]
        })
        .collect();
    let input = names.join("\n");
    let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
    for q in &queries {
        let t = Instant::now();
        black_box(loaded.index.search(q, 50));
        ours += t.elapsed();
        let t = Instant::now();
        let mut child = Command::new("fzf")
            .args(["--filter", q])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("fzf");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("feed fzf");
        child.wait().expect("fzf ran");
        theirs += t.elapsed();
    }
    let k = queries.len() as u32;
    eprintln!(
        "lookup vs fzf --filter over {} names, {} queries: cadre {:.2} ms, fzf {:.1} ms a query (fzf/cadre = {:.0}×)",
        names.len(),
        k,
        (ours / k).as_secs_f64() * 1000.0,
        (theirs / k).as_secs_f64() * 1000.0,
        theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9)
    );
}

criterion_group!(benches, scale);
criterion_main!(benches);
