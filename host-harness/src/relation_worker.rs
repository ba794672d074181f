//! The output's relations, computed while the sync runs. A sync spends most of its time waiting for
//! the API; a worker thread with its own pure instance takes each scope's documents as the component
//! hands them over, so when the run ends only the entities it has not seen (those kept from
//! last-known-good) are left to relate before the file is written.

use crate::batch::Documents;
use crate::logging::Logger;
use crate::output::{self, CALL_BYTES, RelationIndex};
use crate::runtime::{EmitObserver, Runtime};
use crate::state::StoredEntity;
use anyhow::{Result, anyhow, bail};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Calls waiting for the worker at most: when it falls behind, the run waits instead of piling up
/// documents in memory.
const QUEUED_CALLS: usize = 2;

/// One call of the relation export: documents as one text and (start, length) pairs.
struct Call {
    text: Vec<u8>,
    documents: Vec<u32>,
}

/// What the run's side holds: the way to the worker and how many entities went that way.
struct Feed {
    /// Documents per call at most, by size ([`CALL_BYTES`]; smaller in tests).
    call_bytes: usize,
    calls: Mutex<Option<SyncSender<Call>>>,
    fed: AtomicUsize,
}

impl Feed {
    /// A batch's documents as one call, its text moved and not copied, unless it is larger than a call.
    fn send_batch(&self, documents: Documents) {
        if documents.text.len() > self.call_bytes {
            let text = &documents.text;
            // The spans lie in the text: the host checked them when it took the batch over.
            return self.send(documents.spans.chunks_exact(2).map(|p| &text[p[0] as usize..(p[0] + p[1]) as usize]));
        }
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let Some(calls) = calls.as_ref() else { return };
        let count = documents.count();
        // A send fails only when the worker has stopped; `finish` reports why.
        if calls.send(Call { text: documents.text, documents: documents.spans }).is_ok() {
            self.fed.fetch_add(count, Ordering::Relaxed);
        }
    }

    fn send<'a>(&self, documents: impl Iterator<Item = &'a [u8]>) {
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let Some(calls) = calls.as_ref() else { return };
        let mut count = 0;
        // A send fails only when the worker has stopped; `finish` reports why.
        let _ = output::in_calls(documents.inspect(|_| count += 1), self.call_bytes, |text, documents| {
            let call = Call { text: std::mem::take(text), documents: std::mem::take(documents) };
            calls.send(call).map_err(|_| anyhow!("the relation worker stopped"))
        });
        self.fed.fetch_add(count, Ordering::Relaxed);
    }
}

/// Relations of one run's entities, computed on a thread of their own as the run hands them over.
pub struct RelationWorker {
    feed: Arc<Feed>,
    cancelled: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<RelationIndex>>>,
}

impl RelationWorker {
    pub fn start(runtime: Arc<Runtime>, logger: Logger) -> Result<Self> {
        Self::start_with_call_bytes(runtime, logger, CALL_BYTES)
    }

    /// [`RelationWorker::start`] with up to `call_bytes` of documents a call.
    pub fn start_with_call_bytes(runtime: Arc<Runtime>, logger: Logger, call_bytes: usize) -> Result<Self> {
        let (tx, rx) = sync_channel::<Call>(QUEUED_CALLS);
        let cancelled = Arc::new(AtomicBool::new(false));
        let stop = cancelled.clone();
        let thread = std::thread::Builder::new().name("relations".into()).spawn(move || {
            let mut instance = runtime.pure(logger)?;
            let mut index = RelationIndex::default();
            for call in rx {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                output::relate(&mut instance, &mut index, &call.text, &call.documents)?;
            }
            Ok(index)
        })?;
        Ok(Self {
            feed: Arc::new(Feed { call_bytes, calls: Mutex::new(Some(tx)), fed: AtomicUsize::new(0) }),
            cancelled,
            thread: Some(thread),
        })
    }

    /// How many entities the run has handed over so far.
    pub fn fed(&self) -> usize {
        self.feed.fed.load(Ordering::Relaxed)
    }

    /// What the syncer shows each batch of the run (`Syncer::observe`).
    pub fn observer(&self) -> EmitObserver {
        let feed = self.feed.clone();
        Arc::new(move |documents: Documents| feed.send_batch(documents))
    }

    /// The relations of `entities`, a run's outcome: the first ones were fed during the run, in
    /// order; the rest (kept from last-known-good) are related now.
    pub fn finish(mut self, entities: &[StoredEntity]) -> Result<RelationIndex> {
        let fed = self.feed.fed.load(Ordering::Relaxed);
        if fed > entities.len() {
            bail!("the relation worker saw {fed} entities, more than the run's {}", entities.len());
        }
        self.feed.send(entities[fed..].iter().map(|e| e.entity.get().as_bytes()));
        self.feed.calls.lock().unwrap_or_else(|e| e.into_inner()).take();
        let thread = self.thread.take().expect("finished once");
        thread.join().map_err(|_| anyhow!("the relation worker panicked"))?
    }
}

impl Drop for RelationWorker {
    /// A run that writes nothing (it failed, or nothing changed): the worker stops at its next call.
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else { return };
        self.cancelled.store(true, Ordering::Relaxed);
        self.feed.calls.lock().unwrap_or_else(|e| e.into_inner()).take();
        let _ = thread.join();
    }
}
