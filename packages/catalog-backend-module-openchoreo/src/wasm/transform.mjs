// The transform component (world `transform`: the mapping, no imports) in this thread, instantiated
// synchronously on first use: the `translate…ToEntity` exports are synchronous functions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackBatch } from './batch.mjs';

const TRANSFORM_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../dist/transform');
const TYPES_INTERFACE = 'openchoreo:catalog/types@0.5.0';

let mapping;

function instance() {
  if (!mapping) {
    // require(esm): jco's sync instantiation has no top-level await, so Node loads it synchronously.
    const { instantiate } = createRequire(import.meta.url)(join(TRANSFORM_DIR, 'transform.js'));
    const root = instantiate((file) => new WebAssembly.Module(readFileSync(join(TRANSFORM_DIR, file))), { [TYPES_INTERFACE]: {} });
    mapping = root.mapping;
  }
  return mapping;
}

/** The component's refusal (`mapping-error`) as an Error naming what was wrong. */
function refusal(kind, err) {
  const payload = err?.payload;
  if (payload?.tag === 'unsupported-kind') return new Error(`the mapping does not translate kind ${payload.val}`);
  if (payload?.tag === 'invalid-input') return new Error(`${kind}: ${payload.val}`);
  return err;
}

/**
 * WIT `mapping.translate-resource`: one OpenChoreo resource (as the API serves it) to the entities the
 * sync makes of it, each `{ kind, namespace, name, scope, json }`.
 */
export function translateResource(kind, namespace, resource, context) {
  try {
    const batch = instance().translateResource(kind, namespace, JSON.stringify(resource), context && JSON.stringify(context));
    return unpackBatch(batch);
  } catch (err) {
    throw refusal(kind, err);
  }
}
