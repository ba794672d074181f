//! The streaming HTTP import (`http.queue` / `http.collect`): the component's queued requests are sent
//! by a pool of threads, at most the client's concurrency at once and in the order queued, and their
//! results wait, with their tickets, until the component collects them. The bodies waiting count
//! against the client's response budget until they are collected.

use crate::http_client::HttpClient;
use crate::response_budget::Budget;
use crate::runtime::bindings::openchoreo::catalog::http::{HttpError, Request, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

type Answer = (u32, Result<Response, HttpError>);

pub struct RequestStream {
    shared: Arc<Shared>,
    threads: usize,
}

struct Shared {
    client: Arc<HttpClient>,
    budget: Budget,
    state: Mutex<State>,
    /// Signalled when a request is queued, or the stream closes.
    queued: Condvar,
    /// Signalled when a request finishes.
    finished: Condvar,
}

#[derive(Default)]
struct State {
    /// Requests not yet taken by a thread, with the run they belong to and its deadline.
    waiting: VecDeque<(u64, u32, Request, Instant)>,
    done: Vec<Answer>,
    /// Queued and not yet collected.
    outstanding: usize,
    /// Moves on when a run's leftovers are dropped: answers of an earlier run are not this one's.
    run: u64,
    closed: bool,
}

impl RequestStream {
    pub fn new(client: Arc<HttpClient>) -> Self {
        let budget = client.budget();
        Self {
            shared: Arc::new(Shared {
                client,
                budget,
                state: Mutex::new(State::default()),
                queued: Condvar::new(),
                finished: Condvar::new(),
            }),
            threads: 0,
        }
    }

    pub fn queue(&mut self, requests: Vec<(u32, Request)>, deadline: Instant) {
        let wanted = self.shared.client.concurrency().min(self.threads + requests.len());
        while self.threads < wanted {
            let shared = Arc::clone(&self.shared);
            // A thread that cannot be had leaves the others to send; with none, the requests fail below.
            if std::thread::Builder::new().name("http-stream".into()).spawn(move || shared.serve()).is_err() {
                break;
            }
            self.threads += 1;
        }
        let mut state = self.shared.lock();
        state.outstanding += requests.len();
        if self.threads == 0 {
            let failed =
                requests.into_iter().map(|(t, _)| (t, Err(HttpError::Other("the host could not start a thread to send requests".into()))));
            state.done.extend(failed);
            return;
        }
        let run = state.run;
        state.waiting.extend(requests.into_iter().map(|(ticket, r)| (run, ticket, r, deadline)));
        drop(state);
        self.shared.queued.notify_all();
    }

    /// The answers in so far; with `wait`, at least one unless nothing is outstanding.
    pub fn collect(&mut self, wait: bool) -> Vec<Answer> {
        let mut state = self.shared.lock();
        while wait && state.done.is_empty() && state.outstanding > 0 {
            state = self.shared.finished.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        let answers = std::mem::take(&mut state.done);
        state.outstanding -= answers.len();
        drop(state);
        self.shared.give_back(&answers);
        answers
    }

    /// Drops what an earlier run left: requests not sent, answers not collected.
    pub fn reset(&mut self) {
        let mut state = self.shared.lock();
        state.run += 1;
        state.waiting.clear();
        state.outstanding = 0;
        let left = std::mem::take(&mut state.done);
        drop(state);
        self.shared.give_back(&left);
    }
}

impl Drop for RequestStream {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.closed = true;
        state.waiting.clear();
        drop(state);
        self.shared.queued.notify_all();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn give_back(&self, answers: &[Answer]) {
        let held: usize = answers.iter().map(|(_, r)| r.as_ref().map_or(0, |resp| resp.body.capacity())).sum();
        self.budget.give_back(held as u64);
    }

    /// One thread of the pool: sends the oldest waiting request, until the stream closes.
    fn serve(&self) {
        loop {
            let mut state = self.lock();
            let (run, ticket, request, deadline) = loop {
                if state.closed {
                    return;
                }
                match state.waiting.pop_front() {
                    Some(next) => break next,
                    None => state = self.queued.wait(state).unwrap_or_else(|p| p.into_inner()),
                }
            };
            drop(state);
            let result = self.client.send_one(&request, deadline, &self.budget);
            let mut state = self.lock();
            if state.run == run && !state.closed {
                state.done.push((ticket, result));
                drop(state);
                self.finished.notify_all();
            } else {
                drop(state);
                self.give_back(&[(ticket, result)]);
            }
        }
    }
}
