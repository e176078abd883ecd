//! The real terminal: raw mode, the alternate screen and bracketed paste on the way in, and
//! the way back out on every exit path (normal return, error, panic on the UI thread, a
//! termination signal). Leaving also clears the terminal's scrollback, so no dossier stays
//! there after cadre exits. Owns the panic hook and the signal flag; knows nothing of the app.

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, OnceLock};
use std::thread::ThreadId;

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is in our modes and needs restoring.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that draws; a panic there restores the terminal before the message prints.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Puts the terminal back as it was and leaves no data behind: the alternate screen is blanked
/// before it is left (a terminal without one, or one that copies it into its history on the
/// way out, keeps a blank page) and the scrollback is cleared after (`ESC [3J`). Safe to
/// call more than once and from the panic hook; errors are ignored because the terminal may be
/// gone (SSH dropped).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(
            io::stdout(),
            DisableBracketedPaste,
            Clear(ClearType::All),
            LeaveAlternateScreen,
            Clear(ClearType::Purge),
            Show
        );
    }
}

/// Holds the terminal in raw mode on the alternate screen until dropped.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        let _ = UI_THREAD.set(std::thread::current().id());
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = (|| {
            execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
            let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
            terminal.clear()?;
            Ok(terminal)
        })();
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_ui = UI_THREAD.get() == Some(&std::thread::current().id());
            if on_ui || !ACTIVE.load(Ordering::SeqCst) {
                restore();
                previous(info);
            } else {
                // A helper thread: printing now would scribble over the screen.
                tracing::error!("panic in a helper thread: {info}");
            }
        }));
    });
}

/// Set when SIGTERM, SIGHUP, SIGINT or SIGQUIT arrives; the event loop checks it each tick.
pub struct Signals {
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    pub fn register() -> io::Result<Self> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let flag = Arc::new(AtomicBool::new(false));
        let mut sigs = vec![SIGTERM, SIGINT];
        #[cfg(unix)]
        sigs.extend([signal_hook::consts::SIGHUP, signal_hook::consts::SIGQUIT]);
        let mut ids = Vec::new();
        for sig in sigs {
            ids.push(signal_hook::flag::register(sig, flag.clone())?);
        }
        Ok(Signals { flag, ids })
    }

    pub fn raised(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
