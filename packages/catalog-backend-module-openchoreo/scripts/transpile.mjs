// Builds both components (through cargo, so the guest's build flags live in one place: host-harness/build.rs)
// and transpiles them with jco:
// - the sync component (world `catalog`) into dist/component, `--instantiation async`, so its imports
//   (HTTP, tokens, logging) are passed at run time, in a worker;
// - the transform component (world `transform`, no imports) into dist/transform, `--instantiation sync`,
//   so the `translate…ToEntity` exports can be synchronous, as the module they replace has them.
// `npm pack` runs this too (prepack): the tarball ships dist/ and reads nothing outside itself.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '@bytecodealliance/jco';
import { SYNC_COMPONENT, TRANSFORM_COMPONENT, buildRust } from './build-rust.mjs';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TARGETS = [
  { source: SYNC_COMPONENT, name: 'catalog', instantiation: 'async', outDir: join(pkg, 'dist/component') },
  { source: TRANSFORM_COMPONENT, name: 'transform', instantiation: 'sync', outDir: join(pkg, 'dist/transform') },
];

async function mtime(p) {
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return undefined;
  }
}

// cargo is a no-op when nothing changed; it also builds the CLI the tests use for the fixture API.
buildRust();

for (const { source, name, instantiation, outDir } of TARGETS) {
  // Beside the output, not in it, so the tarball does not ship it.
  const stamp = join(pkg, `dist/.${name}-source-mtime`);
  const built = await mtime(source);
  if (built === undefined) throw new Error(`component not found at ${source}`);
  const previous = await readFile(stamp, 'utf8').catch(() => '');
  if (previous === String(built) && (await mtime(join(outDir, `${name}.js`)))) continue;
  const { files, imports } = await transpile(await readFile(source), { name, instantiation, noTypescript: false, outDir, quiet: true });
  await rm(outDir, { recursive: true, force: true });
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  await writeFile(stamp, String(built));
  console.log(`transpiled ${source} → ${outDir} (imports: ${imports.join(', ') || 'none'})`);
}
