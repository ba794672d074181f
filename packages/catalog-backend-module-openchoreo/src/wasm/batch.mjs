// Reads the component's entity batches (WIT `entity-batch`): one UTF-8 text, and the spans of each
// entity's document, kind, namespace and name in it. Every entity becomes
// { kind, namespace, name, scope, json }, as the rest of the module reads them.
import { isAscii } from 'node:buffer';

const decoder = new TextDecoder('utf-8', { fatal: true });

export function unpackBatch({ text, scopes, entities }) {
  // Entity text is nearly always ASCII: then it is decoded once and each part is a slice of it (bytes are
  // characters), instead of one decoding per part.
  const whole = isAscii(text) ? Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('latin1') : undefined;
  const out = new Array(entities.length);
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    const part = (what, { start, len }) => {
      if (start + len > text.length) {
        throw new Error(`entity #${i} of a batch: its ${what} span ${start}..${start + len} is outside the text (${text.length} bytes)`);
      }
      if (whole !== undefined) return whole.slice(start, start + len);
      try {
        return decoder.decode(text.subarray(start, start + len));
      } catch {
        throw new Error(`entity #${i} of a batch: its ${what} span ${start}..${start + len} is not UTF-8 or splits a character`);
      }
    };
    const scope = scopes[e.scope];
    if (scope === undefined) throw new Error(`entity #${i} of a batch: scope #${e.scope} of ${scopes.length} does not exist`);
    out[i] = { kind: part('kind', e.kind), namespace: part('namespace', e.namespace), name: part('name', e.name), scope, json: part('document', e.document) };
  }
  return out;
}
