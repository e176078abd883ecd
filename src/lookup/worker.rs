//! Runs lookup queries off the UI thread. The interface submits each keystroke's query with a
//! sequence number; the worker answers only the newest query it has, so typing never waits for
//! stale searches. Owns the thread and channels; knows nothing of the screen.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

use super::{Hit, Index};

/// Results of one query.
#[derive(Debug, Clone)]
pub struct Answer {
    pub seq: u64,
    pub query: String,
    pub hits: Vec<Hit>,
}

pub struct LookupWorker {
    tx: Option<Sender<(u64, String)>>,
    rx: Receiver<Answer>,
    handle: Option<JoinHandle<()>>,
}

impl LookupWorker {
    /// Starts the worker thread over a shared index; `limit` results per query.
    pub fn spawn(index: Arc<Index>, limit: usize) -> Self {
        let (qtx, qrx) = channel::<(u64, String)>();
        let (atx, arx) = channel::<Answer>();
        let handle = std::thread::Builder::new()
            .name("lookup".into())
            .spawn(move || {
                while let Ok(mut job) = qrx.recv() {
                    // Skip to the newest query waiting.
                    while let Ok(newer) = qrx.try_recv() {
                        job = newer;
                    }
                    let hits = index.search(&job.1, limit);
                    if atx
                        .send(Answer {
                            seq: job.0,
                            query: job.1,
                            hits,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            })
            .expect("spawn lookup thread");
        LookupWorker {
            tx: Some(qtx),
            rx: arx,
            handle: Some(handle),
        }
    }

    pub fn submit(&self, seq: u64, query: String) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((seq, query));
        }
    }

    /// The newest answer ready, if any (older ready answers are dropped).
    pub fn try_recv(&self) -> Option<Answer> {
        let mut last = None;
        loop {
            match self.rx.try_recv() {
                Ok(a) => last = Some(a),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return last,
            }
        }
    }

    /// Blocks for the next answer (tests and the command line).
    pub fn recv_timeout(&self, d: std::time::Duration) -> Option<Answer> {
        self.rx.recv_timeout(d).ok()
    }
}

impl Drop for LookupWorker {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
