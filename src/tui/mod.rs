//! The terminal interface: a keyboard-driven screen over the store. Keys become actions through
//! the keymap, `app::App::update` is the only place state changes, and `ui::draw` paints from
//! state with the theme. This module wires the real terminal, the loader thread and the event
//! loop; it must not draw or change state itself.

pub mod action;
pub mod app;
pub mod builder;
pub mod config;
pub mod data;
pub mod draft;
pub mod editor;
pub mod form;
pub mod input;
pub mod keymap;
pub mod lock;
pub mod state;
pub mod strings;
pub mod terminal;
#[doc(hidden)]
pub mod testing;
pub mod text;
pub mod theme;
pub mod ui;

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Duration;

use crossterm::event;

use crate::model::PartialDate;
use crate::service::Backend;

pub use action::Action;
pub use app::{App, AppOptions};
pub use config::{Env, Settings};
pub use data::{Loaded, LookupData, load_lookup_data};

/// How `cadre` starts the interface.
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Start with the meeting mask on (`--mask`).
    pub mask: bool,
    /// Where the user's config.toml, keymap.toml and theme.toml live; None = the platform's
    /// configuration directory for cadre.
    pub config_dir: Option<PathBuf>,
    /// Where unsaved forms are kept as drafts (the user's data directory's `drafts`).
    pub drafts: Option<PathBuf>,
    /// The database as drafts name it.
    pub db: String,
}

/// How long the loop waits for a key before looking at lookup results and signals.
const TICK: Duration = Duration::from_millis(40);
/// Most events handled before the next frame is drawn.
const BURST: usize = 256;

/// Runs the interface until the clerk quits, a termination signal arrives or the terminal goes
/// away. The terminal is restored on every way out.
pub fn run(backend: Backend, opts: TuiOptions) -> anyhow::Result<()> {
    let env = Env::from_process();
    let dir = opts.config_dir.clone().or_else(config::default_dir);
    let settings = config::load(dir.as_deref(), &env);
    let signals = terminal::Signals::register()?;
    let mut guard = terminal::TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    let mut app = App::new(
        backend.clone(),
        settings,
        AppOptions {
            mask: opts.mask,
            today: PartialDate::today(),
            size: (size.width, size.height),
        },
    );
    if let Some(dir) = &opts.drafts {
        app = app.with_drafts(dir.clone(), opts.db.clone());
    }
    // The first frame goes out before anything is read from the store.
    guard.terminal.draw(|f| app.draw(f))?;
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("load".into())
        .spawn(move || {
            let loaded = data::load_from(&backend)
                .map(Loaded::from)
                .map_err(|e| e.to_string());
            let _ = tx.send(loaded);
        })?;
    let events = spawn_input()?;
    let result = event_loop(&mut guard, &mut app, &rx, &events, &signals);
    // However the loop ended (quit, SIGHUP, SIGTERM, the terminal gone), an open form is kept.
    app.keep_draft();
    drop(guard);
    result
}

/// Reads terminal events on their own thread, so the loop can always see signals and notice a
/// terminal that went away (crossterm's reader can spin on a hung-up terminal instead of
/// failing). The thread ends with the process.
fn spawn_input() -> std::io::Result<Receiver<std::io::Result<event::Event>>> {
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let ev = event::read();
                let failed = ev.is_err();
                if tx.send(ev).is_err() || failed {
                    return;
                }
            }
        })?;
    Ok(rx)
}

fn event_loop(
    guard: &mut terminal::TerminalGuard,
    app: &mut App,
    loader: &Receiver<Result<Loaded, String>>,
    events: &Receiver<std::io::Result<event::Event>>,
    signals: &terminal::Signals,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    use std::sync::mpsc::RecvTimeoutError;
    let mut dirty = true;
    let mut loading = true;
    loop {
        if signals.raised() {
            tracing::info!("termination signal: leaving the interface");
            return Ok(());
        }
        if app.should_quit() {
            return Ok(());
        }
        if !std::io::stdout().is_terminal() {
            tracing::warn!("the terminal went away: leaving the interface");
            return Ok(());
        }
        if dirty {
            if let Err(e) = guard.terminal.draw(|f| app.draw(f)) {
                tracing::warn!("terminal write failed, leaving: {e}");
                return Ok(());
            }
            dirty = false;
        }
        // Every event already waiting is handled before the next frame.
        let mut next = events.recv_timeout(TICK);
        for _ in 0..BURST {
            match next {
                Ok(Ok(ev)) => dirty |= app.handle_event(&ev),
                Ok(Err(e)) => {
                    tracing::warn!("terminal read failed, leaving: {e}");
                    return Ok(());
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
                Err(RecvTimeoutError::Timeout) => break,
            }
            if app.should_quit() {
                return Ok(());
            }
            next = events.try_recv().map_err(|_| RecvTimeoutError::Timeout);
        }
        if loading {
            match loader.try_recv() {
                Ok(loaded) => {
                    app.update(Action::Loaded(loaded));
                    loading = false;
                    dirty = true;
                }
                Err(TryRecvError::Disconnected) => {
                    app.update(Action::Loaded(Err(strings::LOADER_STOPPED.into())));
                    loading = false;
                    dirty = true;
                }
                Err(TryRecvError::Empty) => {}
            }
        }
        dirty |= app.tick();
        let was_locked = app.is_locked();
        app.update(Action::Tick(std::time::Instant::now()));
        dirty |= app.is_locked() != was_locked;
    }
}
