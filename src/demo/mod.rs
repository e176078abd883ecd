//! The demo province generator: a deterministic fictional province — units and leading-cadre
//! dossiers — so the whole program can be seen and tested without real people. Owns the public
//! API (options, the unit tree, streamed dossiers, writing a demo directory, the planted
//! problems). It must not read the clock (everything is dated against `AS_OF`), touch the
//! store, or hold all dossiers in memory: dossiers are built one region at a time.
//!
//! Same options → byte-identical output. A team (领导班子) is read as the open postings with a
//! leadership rank (领导职务) in one unit, concurrent ones included; reserve and non-leading
//! cadres hold grades (职级) and are not team members.

mod career;
mod names;
mod person;
mod plan;
mod team;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::io::jsonl::{JsonLine, write_line};
use crate::model::{Dossier, DossierId, PartialDate, Unit, UnitId};

use plan::Plan;
use team::{Seat, sketch_block};

/// What to generate: how many dossiers, from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    pub count: usize,
    pub seed: u64,
}

/// The province's reference date (year, month): ages, tenures and "current" are read on it.
pub const AS_OF: (i16, u8) = (2026, 11);

/// `AS_OF` as a date.
pub fn as_of() -> PartialDate {
    PartialDate::ym(AS_OF.0, AS_OF.1).expect("AS_OF is a valid month")
}

/// One planted problem: the dossier that carries it and the unit it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlantedCase {
    pub dossier: DossierId,
    pub unit: UnitId,
}

/// The problems planted on purpose for a supervisor to find. A field is None when the count
/// is too small to hold it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Planted {
    /// A bureau head 12+ years in the same post (exchange is mandatory after 10).
    pub long_tenure: Option<PlantedCase>,
    /// The head of the housing and construction bureau whose spouse runs a construction firm.
    pub family_business_conflict: Option<PlantedCase>,
    /// A county head (县长) serving in the home county (native place and birthplace).
    pub home_county_principal: Option<PlantedCase>,
    /// A county government team without a woman.
    pub team_without_women: Option<UnitId>,
    /// A county people's congress team whose members were born within three years.
    pub team_age_cluster: Option<UnitId>,
    /// A deputy county head with an inspection finding still open.
    pub unresolved_finding: Option<PlantedCase>,
    /// An executive deputy county head whose spouse registered a business after the last
    /// personal-matters report.
    pub business_after_report: Option<PlantedCase>,
    /// A bureau head appointed 2025-12 on probation, which ends 2026-12.
    pub probation_ending: Option<PlantedCase>,
    /// Township party secretaries planted to match the example filter (under 45, grassroots
    /// principal, economics or management major, 优秀 in 2023–2025); others may match too.
    pub filter_example: Vec<PlantedCase>,
}

/// What `write_dir` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub units: usize,
    pub dossiers: u64,
    pub planted: Planted,
}

/// The unit hierarchy sized to the count, in id order (ids 1..).
pub fn units(opts: &DemoOptions) -> Vec<Unit> {
    Plan::new(opts).units
}

/// The dossiers, ids 1..=count in order, built lazily one region at a time.
pub fn dossiers(opts: &DemoOptions) -> impl Iterator<Item = Dossier> + use<> {
    DossierStream::new(Plan::new(opts))
}

/// One dossier by id (None outside 1..=count). It streams the ones before it, since names
/// and ID numbers are kept unique in stream order: meant for tests and descriptions.
pub fn dossier(opts: &DemoOptions, id: DossierId) -> Option<Dossier> {
    dossiers(opts).nth(usize::try_from(id).ok()?.checked_sub(1)?)
}

/// The planted problems of these options.
pub fn planted(opts: &DemoOptions) -> Planted {
    Plan::new(opts).planted()
}

/// Streams the dossiers of a plan, region by region. It remembers a 64-bit digest of every
/// (name, birth month) and ID number so far (about 32 bytes a person), because the store takes
/// both as identity keys: a repeat is renamed or renumbered, deterministically in stream order.
struct DossierStream {
    plan: Plan,
    block: usize,
    seats: std::vec::IntoIter<Seat>,
    emitted: u64,
    names: HashSet<u64>,
    id_numbers: HashSet<u64>,
}

impl DossierStream {
    fn new(plan: Plan) -> Self {
        DossierStream {
            plan,
            block: 0,
            seats: Vec::new().into_iter(),
            emitted: 0,
            names: HashSet::new(),
            id_numbers: HashSet::new(),
        }
    }

    fn make_unique(&mut self, mut d: Dossier) -> Dossier {
        let mut attempt = 0;
        while !self.names.insert(fnv1a(&[
            d.identity.name.as_bytes(),
            &d.identity.birth.packed().to_le_bytes(),
        ])) {
            attempt += 1;
            person::rename(&self.plan, &mut d, attempt);
        }
        loop {
            let first17: u64 = d.identity.id_number[..17].parse().unwrap_or(0);
            if self.id_numbers.insert(first17) {
                break;
            }
            person::renumber(&mut d);
        }
        d
    }
}

/// FNV-1a over byte strings: a stable digest for the uniqueness sets.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Iterator for DossierStream {
    type Item = Dossier;
    fn next(&mut self) -> Option<Dossier> {
        if self.emitted >= self.plan.count {
            return None;
        }
        loop {
            if let Some(seat) = self.seats.next() {
                self.emitted += 1;
                let d = person::build(&self.plan, &seat);
                return Some(self.make_unique(d));
            }
            if self.block >= self.plan.blocks.len() {
                return None;
            }
            self.seats = sketch_block(&self.plan, self.block).into_iter();
            self.block += 1;
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.plan.count - self.emitted) as usize;
        (left, Some(left))
    }
}

/// Writes DIR/units.jsonl and DIR/dossiers.jsonl. Both are written to hidden temporary files
/// in DIR first and renamed only when complete, so an interrupted run leaves the old pair (or
/// nothing) in place, never a half file. `progress` gets the number of dossiers written so
/// far, every 1000 and at the end.
pub fn write_dir(
    opts: &DemoOptions,
    dir: &Path,
    progress: &dyn Fn(u64),
) -> io::Result<DemoSummary> {
    fs::create_dir_all(dir)?;
    let plan = Plan::new(opts);
    let units_tmp = dir.join(".units.jsonl.partial");
    let dossiers_tmp = dir.join(".dossiers.jsonl.partial");
    let result = (|| {
        let mut out = BufWriter::with_capacity(1 << 16, File::create(&units_tmp)?);
        for u in &plan.units {
            write_line(&mut out, &JsonLine::Unit(u.clone()))?;
        }
        finish(out)?;
        let planted = plan.planted();
        let units = plan.units.len();
        let mut out = BufWriter::with_capacity(1 << 16, File::create(&dossiers_tmp)?);
        let mut written = 0u64;
        for d in DossierStream::new(plan) {
            write_line(&mut out, &JsonLine::Dossier(d))?;
            written += 1;
            if written.is_multiple_of(1000) {
                progress(written);
            }
        }
        finish(out)?;
        progress(written);
        Ok(DemoSummary {
            units,
            dossiers: written,
            planted,
        })
    })();
    match result {
        Ok(summary) => {
            fs::rename(&units_tmp, dir.join("units.jsonl"))?;
            fs::rename(&dossiers_tmp, dir.join("dossiers.jsonl"))?;
            Ok(summary)
        }
        Err(e) => {
            let _ = fs::remove_file(&units_tmp);
            let _ = fs::remove_file(&dossiers_tmp);
            Err(e)
        }
    }
}

fn finish(mut out: BufWriter<File>) -> io::Result<()> {
    out.flush()?;
    out.get_ref().sync_all()
}
