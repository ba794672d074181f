// `npm test` on a fresh clone: install the locked dependencies first. node-gyp (better-sqlite3) must use
// the local Node headers, since it cannot download them here.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(pkg, 'node_modules/.package-lock.json'))) {
  const nodedir = resolve(dirname(process.execPath), '..');
  console.log('installing the Node dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { cwd: pkg, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: nodedir } });
}
