// Builds the component (through cargo, so the guest's build flags live in one place: host-harness/build.rs)
// and transpiles it with jco into dist/component, with `--instantiation async` so imports are passed at run time.
// `npm pack` runs this too (prepack): the tarball ships dist/component and reads nothing outside itself.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '@bytecodealliance/jco';
import { buildRust } from './build-rust.mjs';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(pkg, '../..');
export const componentPath = join(repo, 'target/guest/wasm32-wasip2/release/openchoreo_catalog_guest.wasm');
const outDir = join(pkg, 'dist/component');
// Beside dist/component, not in it, so the tarball does not ship it.
const stamp = join(pkg, 'dist/.component-source-mtime');

async function mtime(p) {
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return undefined;
  }
}

// cargo is a no-op when nothing changed; it also builds the CLI the tests use for the fixture API.
buildRust();

const source = await mtime(componentPath);
if (source === undefined) throw new Error(`component not found at ${componentPath}`);
const previous = await readFile(stamp, 'utf8').catch(() => '');
if (previous !== String(source) || !(await mtime(join(outDir, 'catalog.js')))) {
  const { files, imports } = await transpile(await readFile(componentPath), {
    name: 'catalog',
    instantiation: 'async',
    noTypescript: false,
    outDir,
    quiet: true,
  });
  await rm(outDir, { recursive: true, force: true });
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  await writeFile(stamp, String(source));
  console.log(`transpiled ${componentPath} → ${outDir} (imports: ${imports.join(', ')})`);
}
