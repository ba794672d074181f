// The sandbox in Node: the memory cap is baked into the component and V8 enforces it; a guest that
// hoards memory traps, the worker is torn down and the next call gets a fresh one, and the backend
// process carries on; entity batches that do not fit their text fail the run, naming the entity. The hostile
// component is tests/hostile-guest, built here as `cargo test` builds it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '@bytecodealliance/jco';
import { ComponentWorker, COMPONENT_DIR } from '../src/wasm/component.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const HOSTILE_MAX_MEMORY = 64 << 20; // as tests/build.rs
const WASM_PAGE = 64 * 1024;

function leb128(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, at];
  }
}

/** The `{min, max}` pages of every memory a core module defines (its memory section, id 5). */
function definedMemories(bytes) {
  const memories = [];
  let at = 8; // magic + version
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = leb128(bytes, at);
    if (id === 5) {
      let count;
      let p;
      [count, p] = leb128(bytes, at);
      for (let i = 0; i < count; i++) {
        const flags = bytes[p++];
        let min;
        let max;
        [min, p] = leb128(bytes, p);
        if (flags & 1) [max, p] = leb128(bytes, p);
        memories.push({ min, max });
      }
    }
    at += size;
  }
  return memories;
}

async function coreMemories(dir) {
  const all = [];
  for (const f of (await readdir(dir)).filter((f) => f.endsWith('.wasm'))) all.push(...definedMemories(await readFile(join(dir, f))));
  return all;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let hostileDir;

before(async () => {
  const targetDir = join(repo, 'target/hostile-guest');
  execFileSync(process.env.CARGO ?? 'cargo', ['build', '-p', 'hostile-guest', '--target', 'wasm32-wasip2', '--release'], {
    cwd: repo,
    stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: targetDir, CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS: `-C link-arg=--max-memory=${HOSTILE_MAX_MEMORY}` },
  });
  hostileDir = await mkdtemp(join(tmpdir(), 'hostile-'));
  const { files } = await transpile(await readFile(join(targetDir, 'wasm32-wasip2/release/hostile_guest.wasm')), {
    name: 'catalog', instantiation: 'async', outDir: hostileDir, quiet: true,
  });
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
});

after(async () => {
  if (hostileDir) await rm(hostileDir, { recursive: true, force: true });
});

describe('the memory cap in Node', () => {
  it('is declared inside the real component: 768 MiB unless OPENCHOREO_GUEST_MAX_MEMORY says otherwise', async () => {
    const expected = Number(process.env.OPENCHOREO_GUEST_MAX_MEMORY ?? 768 * 2 ** 20) / WASM_PAGE;
    const memories = await coreMemories(COMPONENT_DIR);
    assert.equal(memories.length, 1, JSON.stringify(memories));
    assert.equal(memories[0].max, expected, 'the guest memory has a declared maximum');
  });

  it('stops a component that hoards memory at its declared cap, and the next call gets a fresh worker', async () => {
    assert.deepEqual((await coreMemories(hostileDir)).map((m) => m.max), [HOSTILE_MAX_MEMORY / WASM_PAGE]);
    const worker = new ComponentWorker({ logger: quiet, componentDir: hostileDir });
    await worker.configure(JSON.stringify({ baseUrl: 'http://127.0.0.1:9', mode: 'hoard' }));
    const heapBefore = process.memoryUsage().rss;
    await assert.rejects(worker.run(20_000), (e) => {
      assert.match(e.message, /component trapped: .*(unreachable|memory)/i);
      assert.ok(!e.message.includes('\n'), `a trap is one line: ${e.message}`);
      return true;
    });
    assert.equal(worker.worker, undefined, 'the trapped worker is gone');
    assert.ok(process.memoryUsage().rss - heapBefore < 512 * 2 ** 20, 'the host did not grow past the cap');
    // A fresh worker, reconfigured with what the last one had, answers the next call.
    await worker.configure(JSON.stringify({ baseUrl: 'http://127.0.0.1:9', mode: 'exfiltrate' }));
    const report = await worker.run(20_000);
    assert.equal(report.stale.length, 4);
    assert.ok(report.stale.every((s) => s.reason.startsWith('Err(HttpError::Refused(')), JSON.stringify(report.stale));
    await worker.terminate();
  });
});

describe('entity batches in Node', () => {
  it('fails a run whose entity batch has a span past its text, saying which entity and span', async () => {
    const worker = new ComponentWorker({ logger: quiet, componentDir: hostileDir });
    await worker.configure(JSON.stringify({ baseUrl: 'http://127.0.0.1:9', mode: 'bad-spans' }));
    await assert.rejects(worker.run(20_000), (e) => {
      assert.match(e.message, /entity #0 of a batch: its name span 15\.\.915 is outside the text \(19 bytes\)/);
      return true;
    });
    await worker.terminate();
  });
});
