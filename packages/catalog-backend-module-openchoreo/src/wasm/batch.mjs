// Reads the component's entity batches (WIT `entity-batch`): one UTF-8 text, and the spans of each
// entity's document, kind, namespace and name in it. Every entity becomes
// { kind, namespace, name, scope, json }, as the rest of the module reads them.
//
// Between threads a batch travels packed: its text and its spans as one Uint32Array, both transferred
// without a copy, so a run's entities reach the main thread as a few buffers, not thousands of objects,
// and are read only when a run applies them.
import { isAscii } from 'node:buffer';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Numbers per entity (WIT `entity-batch.spans`): start and length of document, kind, namespace, name; scope index. */
const STRIDE = 9;
const PARTS = ['document', 'kind', 'namespace', 'name'];

/**
 * A batch as jco lifts it (its spans already nine numbers an entity), checked for a transfer between
 * threads: every span must lie inside the text and every scope index must exist; whether a span splits
 * a character is seen when it is read.
 */
export function packBatch({ text, scopes, spans }) {
  if (spans.length % STRIDE !== 0) throw new Error(`the entity batch has ${spans.length} span numbers, not ${STRIDE} per entity`);
  for (let at = 0, i = 0; at < spans.length; at += STRIDE, i++) {
    for (let p = 0; p < PARTS.length; p++) {
      const start = spans[at + 2 * p];
      const len = spans[at + 2 * p + 1];
      if (start + len > text.length) {
        throw new Error(`entity #${i} of a batch: its ${PARTS[p]} span ${start}..${start + len} is outside the text (${text.length} bytes)`);
      }
    }
    if (spans[at + 8] >= scopes.length) throw new Error(`entity #${i} of a batch: scope #${spans[at + 8]} of ${scopes.length} does not exist`);
  }
  // Each must own its buffer to be transferred: a view into a larger one is copied out.
  const own = (a) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());
  return { text: own(text), scopes, spans: own(spans) };
}

/** The buffers of packed batches, for a postMessage transfer list. */
export const transferables = (packed) => packed.flatMap((b) => [b.text.buffer, b.spans.buffer]);

export const entityCount = (packed) => packed.reduce((n, b) => n + b.spans.length / STRIDE, 0);

/**
 * The entities of a batch packed by packBatch; with `inScopes` (a Set of scope names), only those of
 * these scopes, and a batch with none of them is not decoded at all.
 */
export function readPacked({ text, scopes, spans }, inScopes) {
  const count = spans.length / STRIDE;
  const wanted = inScopes && scopes.map((s) => inScopes.has(s));
  if (wanted && !wanted.includes(true)) return [];
  // Entity text is nearly always ASCII: then it is decoded once and each part is a slice of it (bytes are
  // characters), instead of one decoding per part.
  const whole = isAscii(text) ? Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('latin1') : undefined;
  const out = [];
  for (let i = 0; i < count; i++) {
    const at = i * STRIDE;
    if (wanted && !wanted[spans[at + 8]]) continue;
    const part = (p) => {
      const start = spans[at + 2 * p];
      const len = spans[at + 2 * p + 1];
      if (whole !== undefined) return whole.slice(start, start + len);
      try {
        return decoder.decode(text.subarray(start, start + len));
      } catch {
        throw new Error(`entity #${i} of a batch: its ${PARTS[p]} span ${start}..${start + len} is not UTF-8 or splits a character`);
      }
    };
    out.push({ kind: part(1), namespace: part(2), name: part(3), scope: scopes[spans[at + 8]], json: part(0) });
  }
  return out;
}

/** Calls `fn(scope, documentBytes)` for each entity of a packed batch, in order, without decoding the text. */
export function eachDocument({ text, scopes, spans }, fn) {
  for (let at = 0; at < spans.length; at += STRIDE) fn(scopes[spans[at + 8]], text.subarray(spans[at], spans[at] + spans[at + 1]));
}

/** The entities of a batch as jco lifts it. */
export const unpackBatch = (batch) => readPacked(packBatch(batch));
