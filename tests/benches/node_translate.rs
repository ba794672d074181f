//! Node's translation (`bench/translate.mjs`: jco, in the worker the provider uses), driven one call at
//! a time from the bench, so that its calls interleave with wasmtime's and share the machine's noise.

use serde_json::Value;
use std::io::{BufRead, BufReader, Lines, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// One Node call: the round trip as the main thread sees it, and the parts the worker timed itself.
pub struct NodeCall {
    pub ms: f64,
    pub call_ms: f64,
    pub unpack_ms: f64,
}

pub struct NodeTranslator {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    pub entities: usize,
    /// The first call of a fresh worker (compiling the wasm, V8's tiers cold).
    pub first_call_ms: f64,
}

impl NodeTranslator {
    /// Starts Node on `snapshot` and waits for its warm-up; `None` when the package is not built.
    pub fn start(pkg: &Path, snapshot: &Path) -> Option<Self> {
        if !pkg.join("node_modules").exists() || !pkg.join("dist/component/catalog.js").exists() {
            return None;
        }
        let mut child = Command::new("node")
            .arg(pkg.join("bench/translate.mjs"))
            .arg(snapshot)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take()?).lines();
        let ready: Value = serde_json::from_str(&lines.next()?.ok()?).ok()?;
        Some(Self {
            child,
            stdin,
            lines,
            entities: ready["entities"].as_u64()? as usize,
            first_call_ms: ready["firstWorkerCallMs"].as_f64()?,
        })
    }

    pub fn call(&mut self) -> Option<NodeCall> {
        let stdin = self.stdin.as_mut()?;
        stdin.write_all(b"call\n").ok()?;
        stdin.flush().ok()?;
        let v: Value = serde_json::from_str(&self.lines.next()?.ok()?).ok()?;
        Some(NodeCall { ms: v["ms"].as_f64()?, call_ms: v["callMs"].as_f64()?, unpack_ms: v["unpackMs"].as_f64()? })
    }
}

impl Drop for NodeTranslator {
    /// Closing its input ends the script.
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.wait();
    }
}
