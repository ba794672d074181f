// The transform component (world `transform`: the mapping, no imports) in this thread, instantiated
// synchronously on first use: the `translate…ToEntity` exports are synchronous functions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackBatch } from './batch.mjs';
import { GuestError } from './component.mjs';
import { witInterface } from './wit.mjs';

const TRANSFORM_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../dist/transform');

let mapping;

function instance() {
  if (!mapping) {
    // require(esm): jco's sync instantiation has no top-level await, so Node loads it synchronously.
    const { instantiate } = createRequire(import.meta.url)(join(TRANSFORM_DIR, 'transform.js'));
    const root = instantiate((file) => new WebAssembly.Module(readFileSync(join(TRANSFORM_DIR, file))), { [witInterface('types')]: {} });
    mapping = root.mapping;
  }
  return mapping;
}

/**
 * WIT `mapping.translate-resource`: one OpenChoreo resource (as the API serves it) to the entities the
 * sync makes of it, each `{ kind, namespace, name, scope, json }`.
 */
export function translateResource(kind, namespace, resource, context) {
  try {
    return unpackBatch(instance().translateResource(kind, namespace, JSON.stringify(resource), context && JSON.stringify(context)));
  } catch (err) {
    // The component's refusal (`mapping-error`) carries what was wrong; a trap stays as it is.
    throw err?.payload !== undefined ? new GuestError(err.payload) : err;
  }
}
