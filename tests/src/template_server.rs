//! A loopback server for hand-authored Templates: each path answers what the test sets (status,
//! body, extra headers), and every request is recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn ok(body: &str) -> Self {
        Self { status: 200, body: body.to_string(), headers: Vec::new() }
    }
    pub fn status(status: u16) -> Self {
        Self { status, body: String::new(), headers: Vec::new() }
    }
    pub fn redirect(location: &str) -> Self {
        Self { status: 302, body: String::new(), headers: vec![("Location".into(), location.into())] }
    }
}

#[derive(Default)]
struct Shared {
    answers: HashMap<String, Answer>,
    seen: Vec<String>,
}

pub struct TemplateServer {
    shared: Arc<Mutex<Shared>>,
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    /// `127.0.0.1:<port>`, as `backend.reading.allow` names it.
    pub host: String,
}

impl TemplateServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("template server binds");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let served = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                // The rest of the request head.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let answer = {
                    let mut s = served.lock().unwrap();
                    s.seen.push(path.clone());
                    s.answers.get(&path).cloned().unwrap_or(Answer::status(404))
                };
                let mut head = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", answer.status, answer.body.len());
                for (k, v) in &answer.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                let _ = stream.write_all(format!("{head}\r\n{}", answer.body).as_bytes());
            }
        });
        Self { shared, origin: format!("http://{addr}"), host: addr.to_string() }
    }

    pub fn answer(&self, path: &str, answer: Answer) {
        self.shared.lock().unwrap().answers.insert(path.to_string(), answer);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The paths requested so far.
    pub fn seen(&self) -> Vec<String> {
        self.shared.lock().unwrap().seen.clone()
    }
}
