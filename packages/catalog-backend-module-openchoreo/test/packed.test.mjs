// The package as users get it: `npm pack` (prepack builds the component and the jco output), the
// tarball installed into a TypeScript backend project outside this repository with Backstage's own
// tsconfig, type-checked with `tsc`, loaded with require() as Backstage's package discovery does, and
// run as a backend (Backstage's node transform, SQLite) against the fixture API until the catalog
// serves the synced entities over HTTP.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openchoreoConfig, startFixture, until } from './support/fixture.mjs';
import { CUSTOM_KINDS } from '../src/processor.mjs';

const PKG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
/** The app installs these at the versions this package is tested with, so npm's cache serves them. */
const installedVersion = (name) => JSON.parse(readFileSync(join(PKG_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
// A Backstage app's own tooling: its CLI (the tsconfig and the node transform) and the types it names.
const APP_TOOLING = { '@backstage/cli': '0.36.8', typescript: '5.9.3', '@types/node': '^20', '@types/jest': '30.0.0' };
// Kept between runs (outside the repository, so nothing resolves from this package's node_modules);
// each run installs a fresh tarball into it.
const APP = join(tmpdir(), 'openchoreo-catalog-packed-app');
const CATALOG_RULES = ['Component', 'System', 'Domain', 'API', 'Resource', 'Location', 'Group', 'User', 'Template', ...CUSTOM_KINDS];
const NODE_DIR = resolve(dirname(process.execPath), '..');

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_nodedir: NODE_DIR } });

function pack() {
  const out = mkdtempSync(join(tmpdir(), 'openchoreo-catalog-pack-'));
  const [{ filename, files }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], PKG_DIR).replace(/^[^[]*/s, ''));
  return { tarball: join(out, filename), files: files.map((f) => f.path) };
}

function writeApp(tarball) {
  mkdirSync(join(APP, 'src'), { recursive: true });
  rmSync(join(APP, 'packs'), { recursive: true, force: true });
  mkdirSync(join(APP, 'packs'), { recursive: true });
  // A new name per build, so npm installs this tarball rather than the one it installed last time.
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 16);
  const packed = `packs/module-${digest}.tgz`;
  copyFileSync(tarball, join(APP, packed));
  writeFileSync(
    join(APP, 'package.json'),
    JSON.stringify(
      {
        name: 'packed-backend',
        private: true,
        dependencies: {
          [PKG.name]: `file:${packed}`,
          '@backstage/backend-defaults': installedVersion('@backstage/backend-defaults'),
          '@backstage/plugin-catalog-backend': installedVersion('@backstage/plugin-catalog-backend'),
          'better-sqlite3': installedVersion('better-sqlite3'),
        },
        devDependencies: APP_TOOLING,
      },
      null,
      2,
    ),
  );
  // The root tsconfig of an app made by @backstage/create-app.
  writeFileSync(
    join(APP, 'tsconfig.json'),
    JSON.stringify({
      extends: '@backstage/cli/config/tsconfig.json',
      include: ['src'],
      exclude: ['node_modules'],
      compilerOptions: { outDir: 'dist-types', rootDir: '.' },
    }),
  );
  writeFileSync(
    join(APP, 'src/index.ts'),
    // As OpenChoreo's portal backend registers the module it replaces, with only the package name changed.
    `import { createBackend } from '@backstage/backend-defaults';
import { annotationStoreFactory, immediateCatalogServiceFactory } from '${PKG.name}';

const backend = createBackend();
backend.add(immediateCatalogServiceFactory);
backend.add(annotationStoreFactory);
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('${PKG.name}'));
backend.start();
`,
  );
  // Every named export, used with its declared type.
  writeFileSync(
    join(APP, 'src/exports.ts'),
    `import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { EntityProvider } from '@backstage/plugin-catalog-node';
import type { Entity } from '@backstage/catalog-model';
import openchoreoModule, {
  CUSTOM_KINDS,
  CustomAnnotationProcessor,
  OpenChoreoEntityProcessor,
  OpenChoreoEntityProvider,
  RELATION_DEPLOYED_BY,
  RELATION_DEPLOYS_TO,
  ScaffolderEntityProvider,
  annotationStoreFactory,
  extractWorkflowParameters,
  translateClusterComponentTypeToEntity,
  translateComponentToEntity,
  translateDeploymentPipelineToEntity,
  translateProjectToEntity,
  annotationStoreRef,
  immediateCatalogServiceFactory,
  immediateCatalogServiceRef,
  type AnnotationStore,
  type ImmediateCatalogService,
  type OpenChoreoComponent,
  type OpenChoreoConfig,
} from '${PKG.name}';

export const feature: BackendFeature = openchoreoModule;
export const kinds: string[] = [...CUSTOM_KINDS];
export const config: OpenChoreoConfig = { baseUrl: 'http://localhost/api/v1', schedule: { frequency: 300, timeout: 120 } };
export function providerFrom(options: ConstructorParameters<typeof OpenChoreoEntityProvider>[0]): EntityProvider {
  return new OpenChoreoEntityProvider(options);
}
export const processorName = (component: OpenChoreoComponent) => new OpenChoreoEntityProcessor(component).getProcessorName();
export const factories: BackendFeature[] = [immediateCatalogServiceFactory, annotationStoreFactory];
export const serviceIds: string[] = [immediateCatalogServiceRef.id, annotationStoreRef.id];
export const relationTypes: string[] = [RELATION_DEPLOYS_TO, RELATION_DEPLOYED_BY];
export async function scaffolderInsert(service: ImmediateCatalogService, entity: Entity): Promise<void> {
  await service.insertEntity(entity);
  await service.removeEntity('component:default/x');
}
export async function annotate(store: AnnotationStore): Promise<Record<string, string>> {
  await store.setAnnotations('component:default/x', { 'example.com/a': 'b', 'example.com/c': null });
  return store.getAnnotations('component:default/x');
}
export const annotationProcessor = (store: AnnotationStore) => new CustomAnnotationProcessor(store).getProcessorName();
export const legacyProvider = (logger: ConstructorParameters<typeof ScaffolderEntityProvider>[0]): EntityProvider => new ScaffolderEntityProvider(logger);
// As OpenChoreo's scaffolder actions call them.
export const component: Entity = translateComponentToEntity(
  { uid: 'temp-x', name: 'x', type: 'deployment/service', componentType: { kind: 'ClusterComponentType', name: 'deployment/service' }, projectName: 'p', namespaceName: 'default', status: 'Active', createdAt: new Date().toISOString(), autoDeploy: true },
  'default',
  'p',
  { defaultOwner: 'guests', componentTypeUtils: { generateTags: (t: string) => [t] }, locationKey: 'provider:OpenChoreoEntityProvider' },
);
export const project: Entity = translateProjectToEntity({ name: 'p', projectTypeName: 'default', projectTypeKind: 'ClusterProjectType' }, 'default', { locationKey: 'provider:OpenChoreoEntityProvider', defaultOwner: 'group:default/x' });
export const pipeline: Entity = translateDeploymentPipelineToEntity({ name: 'd', promotionPaths: [{ sourceEnvironment: 'a', targetEnvironments: [{ name: 'b', requiresApproval: true }] }] }, 'default', { locationKey: 'x' });
export const clusterType: Entity = translateClusterComponentTypeToEntity({ name: 'service', allowedTraits: ['ClusterTrait:x', { name: 'y' }] }, { locationKey: 'x' });
export const parameters: string | undefined = extractWorkflowParameters({});
`,
  );
}

const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });

describe('the packed package in a TypeScript Backstage backend', () => {
  let packed;
  let fixture;
  let backend;
  let backendLog = '';

  before(async () => {
    packed = pack();
    writeApp(packed.tarball);
    run('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', '--prefer-offline'], APP);
    fixture = await startFixture({ auth: true });
  });

  after(() => {
    backend?.kill();
    fixture?.stop();
    if (packed) rmSync(dirname(packed.tarball), { recursive: true, force: true });
  });

  it('ships the built component, the types and the config schema, and nothing read from outside it', () => {
    for (const file of ['src/index.mjs', 'src/index.cjs', 'src/index.d.ts', 'config.d.ts', 'dist/component/catalog.js', 'dist/component/catalog.core.wasm', 'dist/transform/transform.js', 'dist/transform/transform.core.wasm']) {
      assert.ok(packed.files.includes(file), `${file} is in the tarball (${packed.files.length} files)`);
    }
    assert.ok(!packed.files.some((f) => f.startsWith('test/') || f.startsWith('scripts/') || f.endsWith('.source-mtime')), 'no tests, scripts or build stamps');
    const installed = join(APP, 'node_modules', PKG.name);
    for (const file of packed.files.filter((f) => f.endsWith('.mjs') || f.endsWith('.cjs') || f.endsWith('.js'))) {
      const text = readFileSync(join(installed, file), 'utf8');
      assert.doesNotMatch(text, /\.\.\/\.\.\/\.\.|target\/guest|from '\.\.\/\.\.\//, `${file} reaches outside the package`);
    }
  });

  it("type-checks with Backstage's tsconfig", () => {
    try {
      run(join(APP, 'node_modules/.bin/tsc'), ['--noEmit', '-p', APP], APP);
    } catch (e) {
      assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
    }
  });

  it('loads through require(), as package discovery does, with the module as the default export', () => {
    const out = run(
      process.execPath,
      [
        '-e',
        `const m = require(${JSON.stringify(PKG.name)});
         const system = m.translateProjectToEntity({ name: 'p' }, 'default', { locationKey: 'provider:OpenChoreoEntityProvider', defaultOwner: 'team' });
         console.log(JSON.stringify({ esModule: m.__esModule, feature: m.default?.$$type, provider: typeof m.OpenChoreoEntityProvider, kinds: m.CUSTOM_KINDS.size, system: [system.kind, system.metadata.name, system.spec.owner] }))`,
      ],
      APP,
    );
    assert.deepEqual(JSON.parse(out), {
      esModule: true,
      feature: '@backstage/BackendFeature',
      provider: 'function',
      kinds: CUSTOM_KINDS.size,
      system: ['System', 'p', 'team'], // the translators' component, instantiated synchronously from the tarball
    });
  });

  it('runs in the backend and fills the catalog from the fixture API', async () => {
    const port = await freePort();
    writeFileSync(
      join(APP, 'app-config.yaml'),
      JSON.stringify({
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { port, host: '127.0.0.1' },
          database: { client: 'better-sqlite3', connection: ':memory:' },
          auth: { dangerouslyDisableDefaultAuthPolicy: true },
        },
        catalog: { rules: [{ allow: CATALOG_RULES }] },
        openchoreo: openchoreoConfig(fixture, { auth: true, frequency: 3600 }),
      }),
    );
    backend = spawn(process.execPath, ['--require', '@backstage/cli/config/nodeTransform.cjs', 'src/index.ts', '--config', 'app-config.yaml'], {
      cwd: APP,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    backend.stdout.on('data', (d) => (backendLog += d));
    backend.stderr.on('data', (d) => (backendLog += d));
    const components = await until(
      () =>
        fetch(`http://127.0.0.1:${port}/api/catalog/entities?filter=kind=component,spec.system=url-shortener`)
          .then((r) => (r.ok ? r.json() : []))
          .catch(() => []),
      (c) => c.length === 5,
      120_000,
    );
    assert.equal(components.length, 5, `the catalog never served the url-shortener components; backend log:\n${backendLog.slice(-4000)}`);
    assert.ok(components.every((c) => c.metadata.annotations['backstage.io/managed-by-location'] === 'provider:OpenChoreoEntityProvider'));
    assert.match(backendLog, /Synced \d+ entities/);
  });
});
