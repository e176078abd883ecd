//! Benchmarks of the lookup engine at the target scale: building an index of 1,000,000
//! synthetic cadres, and queries of 1–8 characters (Han, full pinyin, initials, mixed, fuzzy,
//! post/unit words, ID tails). Owns its own seeded name generator (surnames weighted like real
//! frequencies); it must not assert timings — it reports them. After the criterion groups it
//! prints a distribution (median, p99, worst) over 2,000 queries drawn from the data.
//!
//! Run: `cargo bench --bench lookup` (about two minutes on two cores).

use std::hint::black_box;
use std::time::{Duration, Instant};

use cadre::lookup::reading::{self, COMPOUND_SURNAMES, SURNAME_READINGS};
use cadre::lookup::{Entry, Index};
use cadre::model::{Gender, PartialDate};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 1_000_000;
/// Results per query, as the interface asks for (tui state `limit`); the sampled
/// distribution is also reported for `WIDE`.
const LIMIT: usize = 50;
const WIDE: usize = 200;

/// Surnames with weights in 1/10,000 of the population (approximate national frequencies),
/// then polyphonic and compound surnames at their (small) real shares.
const SURNAMES: &[(&str, f64)] = &[
    ("王", 712.0),
    ("李", 700.0),
    ("张", 674.0),
    ("刘", 538.0),
    ("陈", 453.0),
    ("杨", 308.0),
    ("黄", 223.0),
    ("赵", 219.0),
    ("吴", 205.0),
    ("周", 196.0),
    ("徐", 145.0),
    ("孙", 138.0),
    ("马", 129.0),
    ("朱", 128.0),
    ("胡", 121.0),
    ("郭", 115.0),
    ("何", 114.0),
    ("林", 113.0),
    ("高", 108.0),
    ("罗", 104.0),
    ("郑", 97.0),
    ("梁", 88.0),
    ("谢", 82.0),
    ("宋", 79.0),
    ("唐", 78.0),
    ("许", 75.0),
    ("韩", 72.0),
    ("冯", 71.0),
    ("邓", 70.0),
    ("曹", 67.0),
    ("彭", 66.0),
    ("曾", 64.0),
    ("肖", 63.0),
    ("田", 61.0),
    ("董", 58.0),
    ("袁", 58.0),
    ("潘", 57.0),
    ("于", 56.0),
    ("蒋", 55.0),
    ("蔡", 54.0),
    ("余", 53.0),
    ("杜", 52.0),
    ("叶", 51.0),
    ("程", 50.0),
    ("苏", 48.0),
    ("魏", 47.0),
    ("吕", 46.0),
    ("丁", 45.0),
    ("任", 44.0),
    ("沈", 43.0),
    ("姚", 42.0),
    ("卢", 41.0),
    ("姜", 40.0),
    ("崔", 39.0),
    ("钟", 38.0),
    ("谭", 37.0),
    ("陆", 36.0),
    ("汪", 35.0),
    ("范", 34.0),
    ("金", 33.0),
    ("石", 32.0),
    ("廖", 31.0),
    ("贾", 30.0),
    ("夏", 29.0),
    ("韦", 28.0),
    ("付", 27.0),
    ("方", 26.0),
    ("白", 25.0),
    ("邹", 24.0),
    ("孟", 23.0),
    ("熊", 22.0),
    ("秦", 21.0),
    ("邱", 20.0),
    ("江", 19.0),
    ("尹", 18.0),
    ("薛", 17.0),
    ("闫", 16.0),
    ("段", 15.0),
    ("雷", 14.0),
    ("侯", 13.0),
    ("龙", 12.0),
    ("史", 11.0),
    ("陶", 10.0),
    ("黎", 10.0),
    ("贺", 10.0),
    ("顾", 9.0),
    ("毛", 9.0),
    ("郝", 9.0),
    ("龚", 8.0),
    ("邵", 8.0),
    ("万", 8.0),
    ("钱", 8.0),
    ("覃", 7.0),
    ("武", 7.0),
    ("戴", 7.0),
    ("孔", 6.0),
    ("汤", 6.0),
    ("庞", 6.0),
    ("樊", 5.0),
    ("兰", 5.0),
    ("殷", 5.0),
    ("施", 5.0),
    ("单", 3.0),
    ("翟", 3.0),
    ("纪", 3.0),
    ("解", 2.0),
    ("欧阳", 2.0),
    ("仇", 1.0),
    ("区", 1.0),
    ("查", 1.0),
    ("朴", 1.0),
    ("盖", 1.0),
    ("缪", 1.0),
    ("乐", 1.0),
    ("召", 0.5),
    ("种", 0.5),
    ("司马", 0.5),
    ("诸葛", 0.3),
    ("上官", 0.3),
    ("司徒", 0.2),
    ("夏侯", 0.2),
    ("东方", 0.2),
    ("皇甫", 0.2),
    ("令狐", 0.2),
    ("秘", 0.2),
    ("员", 0.2),
    ("繁", 0.2),
    ("尉迟", 0.1),
    ("长孙", 0.1),
    ("慕容", 0.1),
    ("宇文", 0.1),
    ("公孙", 0.1),
    ("万俟", 0.05),
];

/// Given-name characters, most frequent first (weights fall off as 1/rank^0.8).
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉建国文红志兰春海波晓林峰辉金\
斌鹏宇飞燕萍浩亮成宁凯东雪梅琴云丹龙荣新俊鑫帅博彬婷倩颖慧佳欣子晨阳立永庆生德胜祥福长乐和行中民\
昌维卫薇瑞琳思雨秋冬山水安康宏健宝贵彩凤翠兵武忠义仁礼智信振兴家光耀宗良才发财富学军利清洁红旗\
卫东向前跃进援朝抗美爱党解放胜利团结友谊和平民主自由全力奋斗晶莹璐瑶琪璇怡悦嘉懿睿哲轩涵逸航";

const COUNTIES: &str = "临河青州安平永宁河西东山南岗北川长乐和顺兴隆太和清源广济宁远定远秀水宝丰\
丰城龙泉凤翔白水黄陂新安万年开阳文昌武陵崇义会同嘉禾石门桃源汉寿沅江灵山浦北容县博白陆川";

const BODIES: &[&str] = &[
    "县委",
    "县人民政府",
    "县人大常委会",
    "县政协",
    "县纪委监委",
    "县委组织部",
    "县委宣传部",
    "县财政局",
    "县教育局",
    "县公安局",
    "县发展和改革局",
    "县人民法院",
    "县人民检察院",
    "县自然资源局",
    "县交通运输局",
    "县水利局",
    "县农业农村局",
    "县卫生健康局",
    "县审计局",
    "县商务局",
    "城关镇人民政府",
    "城关镇党委",
    "河口乡人民政府",
    "河口乡党委",
    "新村镇人民政府",
];

const POSTS: &[&str] = &[
    "县长",
    "副县长",
    "常务副县长",
    "县委书记",
    "县委副书记",
    "县委常委、组织部部长",
    "局长",
    "副局长",
    "党组书记、局长",
    "主任",
    "副主任",
    "乡长",
    "副乡长",
    "镇长",
    "副镇长",
    "党委书记",
    "党委副书记",
    "部长",
    "副部长",
    "院长",
    "副院长",
    "检察长",
    "副检察长",
    "一级主任科员",
    "二级主任科员",
    "四级调研员",
    "三级调研员",
    "科长",
    "副科长",
    "主席",
];

fn synth(n: usize, seed: u64) -> Vec<Entry> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let surnames = WeightedIndex::new(SURNAMES.iter().map(|s| s.1)).expect("weights");
    let given: Vec<char> = GIVEN.chars().collect();
    let given_w = WeightedIndex::new((0..given.len()).map(|r| 1.0 / ((r + 1) as f64).powf(0.8)))
        .expect("weights");
    let county_chars: Vec<char> = COUNTIES.chars().collect();
    let counties: Vec<String> = county_chars.chunks(2).map(|c| c.iter().collect()).collect();
    let units: Vec<String> = counties
        .iter()
        .flat_map(|c| BODIES.iter().map(move |b| format!("{c}{b}")))
        .collect();
    (0..n)
        .map(|i| {
            let mut name = SURNAMES[surnames.sample(&mut rng)].0.to_string();
            let given_len = if rng.gen_bool(0.3) { 1 } else { 2 };
            for _ in 0..given_len {
                name.push(given[given_w.sample(&mut rng)]);
            }
            let year = rng.gen_range(1960..=1995);
            let month = rng.gen_range(1..=12u8);
            let check = rng.gen_range(0..11);
            let id_number = format!(
                "{:06}{year}{month:02}{:02}{:03}{}",
                rng.gen_range(110000..660000),
                rng.gen_range(1..=28),
                rng.gen_range(0..1000),
                if check == 10 {
                    "X".to_string()
                } else {
                    check.to_string()
                }
            );
            Entry {
                id: i as u64 + 1,
                name,
                gender: if rng.gen_bool(0.3) {
                    Gender::Female
                } else {
                    Gender::Male
                },
                birth: PartialDate::ym(year as i16, month).expect("valid"),
                post: POSTS[rng.gen_range(0..POSTS.len())].to_string(),
                unit: units[rng.gen_range(0..units.len())].clone(),
                id_number,
            }
        })
        .collect()
}

/// The reading a clerk would type for each character of `name` (surname readings first).
fn typed_readings(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut k = 0;
    if chars.len() >= 3
        && let Some((_, r)) = COMPOUND_SURNAMES
            .iter()
            .find(|(s, _)| s.chars().eq(chars[..2].iter().copied()))
    {
        out.extend(r.iter().map(|s| s.to_string()));
        k = 2;
    } else if let Some((_, r)) = SURNAME_READINGS.iter().find(|(c, _)| *c == chars[0]) {
        out.push(r[0].to_string());
        k = 1;
    }
    for &c in &chars[k..] {
        out.push(
            reading::common_readings(c)
                .into_iter()
                .next()
                .unwrap_or_default(),
        );
    }
    out
}

/// A query of 1–8 characters a clerk might type for `e`, in form `form`.
fn query_for(e: &Entry, form: usize, len: usize) -> String {
    let r = typed_readings(&e.name);
    let q: String = match form {
        0 => e.name.clone(),                      // Han
        1 => r.concat(),                          // full pinyin
        2 => r.iter().map(|s| &s[..1]).collect(), // initials
        3 => {
            // mixed: first character in Han, the rest as initials
            let first = e.name.chars().next().unwrap_or('王');
            std::iter::once(first.to_string())
                .chain(r.iter().skip(1).map(|s| s[..1].to_string()))
                .collect()
        }
        4 => r.iter().skip(1).cloned().collect::<String>(), // given name only (fuzzy)
        5 => e.name.chars().skip(1).collect(),              // given name in Han (fuzzy)
        6 => e.unit.chars().take(2).collect(),              // unit word
        _ => e
            .id_number
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect(),
    };
    q.chars().take(len.clamp(1, 8)).collect()
}

fn bench_lookup(c: &mut Criterion) {
    let t = Instant::now();
    let entries = synth(N, 20_240_601);
    eprintln!("generated {N} entries in {:?}", t.elapsed());

    let mut g = c.benchmark_group("build");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("index_1m", |b| {
        b.iter_batched(|| entries.clone(), Index::build, BatchSize::PerIteration)
    });
    g.finish();

    let t = Instant::now();
    let ix = Index::build(entries.clone());
    eprintln!(
        "index of {} built in {:?}; heap {:.1} MiB, {:.0} bytes per entry",
        ix.len(),
        t.elapsed(),
        ix.heap_bytes() as f64 / (1 << 20) as f64,
        ix.heap_bytes() as f64 / ix.len() as f64
    );

    let queries = [
        "王",
        "z",
        "zh",
        "张",
        "zw",
        "张伟",
        "wjg",
        "zhang",
        "王建国",
        "zhangwei",
        "wangjian",
        "张w",
        "zhang伟",
        "王jg",
        "欧阳",
        "oy",
        "ouyangxiu",
        "zengm",
        "伟",
        "明华",
        "wm",
        "weimin",
        "jianguo",
        "县长",
        "临河",
        "财政局",
        "1234",
        "123x",
        "zhwm",
        "lzmh",
    ];
    let mut g = c.benchmark_group("search");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(800));
    for q in queries {
        g.bench_with_input(BenchmarkId::from_parameter(q), q, |b, q| {
            b.iter(|| black_box(ix.search(black_box(q), LIMIT)))
        });
    }
    g.finish();

    // Distribution over queries drawn from the data: every form, lengths 1..=8.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let sample: Vec<String> = (0..2000)
        .map(|i| {
            let e = &entries[rng.gen_range(0..entries.len())];
            query_for(e, i % 8, rng.gen_range(1..=8))
        })
        .filter(|q| !q.trim().is_empty())
        .collect();
    for limit in [LIMIT, WIDE] {
        for q in &sample {
            black_box(ix.search(q, limit));
        }
        let mut times: Vec<(Duration, &str)> = sample
            .iter()
            .map(|q| {
                let t = Instant::now();
                black_box(ix.search(q, limit));
                (t.elapsed(), q.as_str())
            })
            .collect();
        times.sort();
        let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize].0;
        eprintln!(
            "search over {} sampled queries (limit {limit}): median {:?}, p90 {:?}, p99 {:?}, \
             worst {:?}",
            times.len(),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            times.last().map(|t| t.0).unwrap_or_default()
        );
        for (d, q) in times.iter().rev().take(5) {
            eprintln!("  slow: {q:?} {d:?}");
        }
    }
}

criterion_group!(benches, bench_lookup);
criterion_main!(benches);
