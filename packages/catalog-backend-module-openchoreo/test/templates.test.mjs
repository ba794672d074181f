// Every generated Template passes the scaffolder's own validation (@backstage/plugin-scaffolder-common).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { ComponentWorker } from '../src/wasm/component.mjs';
import { openchoreoConfig, quietLogger, startFixture } from './support/fixture.mjs';

let fixture;
before(async () => {
  fixture = await startFixture({ auth: false });
});
after(() => fixture?.stop());

it('generates Templates the scaffolder accepts', async () => {
  const component = new ComponentWorker({ logger: quietLogger(), http: { baseUrl: fixture.baseUrl } });
  try {
    await component.configure(JSON.stringify(openchoreoConfig(fixture, { auth: false })));
    const report = await component.run(60_000);
    const templates = report.entities.filter((e) => e.kind === 'Template').map((e) => JSON.parse(e.json));
    assert.equal(templates.length, 8, 'component, resource and project type templates');
    for (const t of templates) {
      assert.equal(await templateEntityV1beta3Validator.check(t), true, t.metadata.name);
    }
    // The validator really checks: a Template without spec.type is refused.
    const broken = structuredClone(templates[0]);
    delete broken.spec.type;
    await assert.rejects(async () => templateEntityV1beta3Validator.check(broken));
  } finally {
    await component.terminate();
  }
});
