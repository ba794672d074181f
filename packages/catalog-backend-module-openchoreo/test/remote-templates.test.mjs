// Hand-authored Templates in a real catalog backend: a component type naming
// `scaffolder.openchoreo.dev/backstage-template-url` gets the Template read through Backstage's own
// UrlReaderService from a loopback server that `backend.reading.allow` allows; it passes the scaffolder's
// validator and is stored with and without the scaffolder entity-model module; a failed read keeps it;
// a URL outside the allowed paths is never requested; without the annotation the generated one is back.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import openchoreoModule, { CUSTOM_KINDS } from '../src/index.mjs';
import { MAX_TEMPLATE_BYTES, UrlTemplateReader } from '../src/templates.mjs';
import { openchoreoConfig, startFixture, until } from './support/fixture.mjs';

const URL_KEY = 'scaffolder.openchoreo.dev/backstage-template-url';
const AUTHORED = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: golden-path-service
  title: Service (golden path)
  description: Our own service template
spec:
  owner: group:default/platform
  type: service
  parameters:
    - title: Name
      properties:
        name: { type: string }
  steps:
    - id: fetch
      name: Fetch the skeleton
      action: fetch:template
      input:
        url: ./skeleton
`;

/** Serves `answers[path]` ({ status, body }) and records every path asked for. */
async function startTemplateServer() {
  const answers = new Map();
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(req.url);
    const a = answers.get(req.url) ?? { status: 404, body: 'not found' };
    res.writeHead(a.status, { 'content-type': 'text/yaml', ...a.headers }).end(a.body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${server.address().port}`;
  return { host, url: (p) => `http://${host}${p}`, answer: (p, a) => answers.set(p, a), seen, stop: () => server.close() };
}

async function annotate(fixture, urls) {
  const path = '/api/v1/clustercomponenttypes';
  const { items } = await (await fetch(`${fixture.baseUrl}${path}`)).json();
  for (const t of items) {
    const annotations = { ...(t.metadata.annotations ?? {}) };
    delete annotations[URL_KEY];
    if (urls[t.metadata.name]) annotations[URL_KEY] = urls[t.metadata.name];
    t.metadata.annotations = annotations;
  }
  await fixture.setList(path, items);
}

for (const withEntityModel of [false, true]) {
  describe(`hand-authored Templates, ${withEntityModel ? 'with' : 'without'} the scaffolder entity-model module`, () => {
    let fixture;
    let templates;
    let backend;
    let scheduler;
    let get;
    before(async () => {
      templates = await startTemplateServer();
      templates.answer('/templates/service.yaml', { status: 200, body: AUTHORED });
      templates.answer('/templates/moved.yaml', { status: 302, headers: { location: templates.url('/private/moved.yaml') } });
      fixture = await startFixture({ auth: false });
      await annotate(fixture, {
        service: templates.url('/templates/service.yaml'),
        worker: templates.url('/private/worker.yaml'),
        'scheduled-task': templates.url('/templates/moved.yaml'),
      });
      scheduler = mockServices.scheduler();
      backend = await startTestBackend({
        features: [
          catalogPlugin,
          openchoreoModule,
          ...(withEntityModel ? [scaffolderEntityModel] : []),
          scheduler.factory(),
          mockServices.rootConfig.factory({
            data: {
              backend: { reading: { allow: [{ host: templates.host, paths: ['/templates/'] }] } },
              catalog: { rules: [{ allow: ['Component', 'System', 'Domain', 'API', 'Resource', 'Location', 'Group', 'User', 'Template', ...CUSTOM_KINDS] }] },
              openchoreo: openchoreoConfig(fixture, { auth: false }),
            },
          }),
        ],
      });
      const base = `http://localhost:${backend.server.port()}/api/catalog`;
      get = async (path) => {
        const res = await fetch(`${base}${path}`);
        return res.status === 200 ? res.json() : undefined;
      };
    });
    after(async () => {
      await backend?.stop();
      fixture?.stop();
      templates?.stop();
    });

    const serviceTemplate = () => get('/entities/by-name/template/openchoreo-cluster/template-service');
    const rerun = async () => {
      const asked = templates.seen.length;
      await scheduler.triggerTask('OpenChoreoEntityProvider');
      await until(async () => templates.seen.length, (n) => n > asked, 20_000);
      await new Promise((r) => setTimeout(r, 1500)); // the catalog processes the mutation
    };

    it('stores the Template read through the UrlReader, stamped as the type\'s, valid for the scaffolder', async () => {
      const t = await until(serviceTemplate, (e) => e?.metadata?.title === 'Service (golden path)' && e.relations?.length > 0, 30_000);
      const annotations = t.metadata.annotations;
      assert.equal(annotations['backstage.io/managed-by-location'], `url:${templates.url('/templates/service.yaml')}`);
      assert.equal(annotations['openchoreo.io/ctd-generated'], 'false');
      assert.equal(annotations['openchoreo.io/ctd-name'], 'service');
      assert.equal(annotations['openchoreo.io/ctd-kind'], 'ClusterComponentType');
      assert.equal(t.spec.steps[0].input.url, './skeleton', 'relative paths kept, resolved against the managed-by location');
      assert.ok(t.relations.some((r) => r.type === 'ownedBy' && r.targetRef === 'group:default/platform'), JSON.stringify(t.relations));
      const { relations: _r, ...doc } = t;
      assert.equal(await templateEntityV1beta3Validator.check(doc), true);
      assert.equal(await get('/entities/by-name/template/openchoreo-cluster/template-worker'), undefined, 'a URL not allowed: no Template');
      assert.ok(await get('/entities/by-name/template/openchoreo-cluster/template-web-application'), 'the generated ones stay');
      assert.equal(await get('/entities/by-name/template/openchoreo-cluster/template-scheduled-task'), undefined, 'a redirect out of what is allowed: no Template');
      assert.ok(!templates.seen.some((p) => p.startsWith('/private/')), `never requested: ${templates.seen}`);
    });

    it('keeps the last good copy when the URL fails, and brings the generated one back without the annotation', async () => {
      templates.answer('/templates/service.yaml', { status: 500, body: 'down' });
      await rerun();
      const kept = await serviceTemplate();
      assert.equal(kept?.metadata?.title, 'Service (golden path)', 'the last good copy is kept');

      await annotate(fixture, {});
      await scheduler.triggerTask('OpenChoreoEntityProvider');
      const generated = await until(serviceTemplate, (e) => e?.metadata?.annotations?.['openchoreo.io/ctd-generated'] === 'true', 30_000);
      assert.equal(generated.metadata.annotations['backstage.io/managed-by-location'], 'provider:OpenChoreoEntityProvider');
    });
  });
}

describe('UrlTemplateReader: what the UrlReader answers, as the component reads it', () => {
  const named = (name, message) => Object.assign(new Error(message), { name });
  const reader = (answer) => new UrlTemplateReader({ readUrl: async (url, options) => answer(url, options) }, { timeoutMs: 50 });

  it('tells not allowed from failed, and caps and decodes what it reads', async () => {
    const cases = [
      [() => ({ buffer: async () => Buffer.from(AUTHORED) }), { tag: 'ok', val: AUTHORED }],
      [() => { throw named('NotAllowedError', "Reading from 'x' is not allowed … at 'backend.reading.allow'"); }, 'not-allowed'],
      [() => { throw new Error('URL not allowed by backend.reading.allow configuration: http://x/private'); }, 'not-allowed'],
      [() => { throw named('NotFoundError', 'could not read http://x/t.yaml, 404 Not Found'); }, 'failed'],
      [(_, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))), 'failed'],
      [() => ({ buffer: async () => Buffer.alloc(MAX_TEMPLATE_BYTES + 1, 0x61) }), 'failed'],
      [() => ({ buffer: async () => Buffer.from([0xff, 0xfe]) }), 'failed'],
    ];
    for (const [answer, expected] of cases) {
      const [got] = await reader(answer).readBatch(['http://x/t.yaml']);
      if (typeof expected === 'string') assert.equal(got.val.tag, expected, JSON.stringify(got));
      else assert.deepEqual(got, expected);
    }
    const [timedOut] = await reader((_, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)))).readBatch(['http://x/t.yaml']);
    assert.equal(timedOut.val.val, 'no answer within 50 ms');
  });
});
