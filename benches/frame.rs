//! Drawing one full frame of each pane (lookup with results, dossier, timeline) at 80x24 and
//! 160x40, over the demo province. Draw is pure, so this is the whole per-frame cost.

use cadre::store::Store;
use cadre::tui::config::{Env, Settings};
use cadre::tui::testing::{app_with, press, type_text};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame");
    for (w, h) in [(80u16, 24u16), (160, 40)] {
        let store = Store::temporary().expect("store");
        cadre::seed::seed_demo(&store).expect("demo province");
        let mut app = app_with(store, Settings::defaults(&Env::default()), (w, h));
        type_text(&mut app, "lyh");
        app.settle();
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        g.bench_function(format!("lookup_{w}x{h}"), |b| {
            b.iter(|| term.draw(|f| app.draw(f)).map(|_| ()).expect("draw"))
        });
        press(&mut app, "enter");
        g.bench_function(format!("dossier_{w}x{h}"), |b| {
            b.iter(|| term.draw(|f| app.draw(f)).map(|_| ()).expect("draw"))
        });
        press(&mut app, "tab");
        g.bench_function(format!("timeline_{w}x{h}"), |b| {
            b.iter(|| term.draw(|f| app.draw(f)).map(|_| ()).expect("draw"))
        });
    }
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
