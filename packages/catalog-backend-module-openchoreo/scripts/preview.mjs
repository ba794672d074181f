// The "preview your catalog" page (docs/preview): builds it into target/preview with the transform
// component transpiled by jco for the browser (it imports nothing, so no WASI shim) and the sample
// installation as an export; `--serve [PORT]` then serves it on 127.0.0.1.
// `node scripts/preview.mjs --serve` (or `just preview`).
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '@bytecodealliance/jco';
import { TRANSFORM_COMPONENT, buildRust } from './build-rust.mjs';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkg, '../..');
const PAGE = join(repo, 'docs/preview');

/** A type's parameter schema as the API's `/schema` serves it (an empty object schema when it declares none). */
const schemaOf = (t) => t.spec?.parameters?.openAPIV3Schema ?? { type: 'object', properties: {} };

function withSchemas(lists, endpoints) {
  const out = { ...lists };
  for (const e of endpoints) for (const t of lists[e] ?? []) out[`${e}/${t.metadata.name}/schema`] = [schemaOf(t)];
  return out;
}

/** The sample installation (host-harness/fixtures/sample-api.json) as an export of its first namespace. */
export async function sampleExport() {
  const data = JSON.parse(await readFile(join(repo, 'host-harness/fixtures/sample-api.json'), 'utf8'));
  const namespace = data.namespaces[0];
  return {
    namespace,
    lists: withSchemas(data.namespaced[namespace.metadata.name] ?? {}, ['componenttypes', 'resourcetypes']),
    cluster: { lists: withSchemas(data.cluster ?? {}, ['clustercomponenttypes', 'clusterresourcetypes']) },
  };
}

/** Builds the page into `out`; returns the imports jco found (none expected). */
export async function buildPreview(out) {
  buildRust();
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'component'), { recursive: true });
  const { files, imports } = await transpile(await readFile(TRANSFORM_COMPONENT), { name: 'transform', outDir: join(out, 'component'), quiet: true, noTypescript: true });
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  for (const f of await readdir(PAGE)) await copyFile(join(PAGE, f), join(out, f));
  await writeFile(join(out, 'sample.json'), JSON.stringify(await sampleExport()));
  return imports;
}

const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };

/** Serves `dir` on 127.0.0.1; resolves to the server once listening. */
export function serve(dir, port = 0) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    if (path.startsWith('..')) return res.writeHead(403).end();
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(repo, 'target/preview');
  const imports = await buildPreview(out);
  console.log(`built ${out} (component imports: ${imports.length ? imports.join(', ') : 'none'})`);
  const at = process.argv.indexOf('--serve');
  if (at !== -1) {
    const server = await serve(out, Number(process.argv[at + 1] ?? 8080) || 8080);
    console.log(`preview at http://127.0.0.1:${server.address().port}/`);
  }
}
