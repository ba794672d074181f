// The provider's OpenTelemetry metrics, read through a real OpenTelemetry SDK meter provider: runs by kind
// and outcome with their duration, entities and stale scopes of the last run, and events by outcome.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { OpenChoreoEntityProvider } from '../src/provider.mjs';
import { memoryCatalog } from './support/catalog.mjs';
import { configuredComponent, quietLogger, startFixture, until } from './support/fixture.mjs';

class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

let fixture;
let component;
const reader = new Reader();
before(async () => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  fixture = await startFixture({ auth: false });
  component = await configuredComponent(fixture);
});
after(async () => {
  await component?.terminate();
  fixture?.stop();
  metrics.disable();
});

/** name → [{ attributes, value }] of what the SDK collected. */
async function collected() {
  const { resourceMetrics } = await reader.collect();
  const out = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const m of scope.metrics) out[m.descriptor.name] = m.dataPoints.map((d) => ({ attributes: d.attributes, value: d.value }));
  }
  return out;
}

const sum = (points, attributes) =>
  (points ?? []).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)).reduce((n, p) => n + (typeof p.value === 'number' ? p.value : p.value.count), 0);

it('counts runs, their outcome and duration, entities, stale scopes and events', async () => {
  const { catalog, connection, mutations } = memoryCatalog();
  const p = new OpenChoreoEntityProvider({
    component, logger: quietLogger(), catalog, timeoutSeconds: 30,
    taskRunner: { run: async () => {} },
    auth: { getOwnServiceCredentials: async () => ({}) },
  });
  p.connection = connection;
  await p.refresh();
  await fixture.fault('/api/v1/namespaces/default/traits', 503);
  await p.refresh();
  await fixture.fault('/api/v1/namespaces', 500);
  await p.refresh();
  await fixture.clearFaults();
  await p.onEvent({ kind: 'Component', name: 'x', namespace: 'default', action: 'updated' });
  await p.onEvent({ kind: 'Component', name: 'x', namespace: 'default', action: 'updated' });
  await p.onEvent('{oops');
  // Two full runs applied (the third failed), then the events' leading and trailing re-fetches.
  await until(async () => mutations.length, (n) => n >= 4, 15_000);
  assert.equal(mutations.length, 4);

  const m = await collected();
  assert.equal(sum(m['openchoreo_catalog.runs'], { kind: 'full', outcome: 'success' }), 2);
  assert.equal(sum(m['openchoreo_catalog.runs'], { kind: 'full', outcome: 'failure' }), 1);
  assert.equal(sum(m['openchoreo_catalog.runs'], { kind: 'scoped', outcome: 'success' }), 2);
  assert.equal(sum(m['openchoreo_catalog.run.duration'], { kind: 'full' }), 3, 'one duration per full run');
  assert.equal(m['openchoreo_catalog.entities'][0].value, 40);
  assert.deepEqual(m['openchoreo_catalog.stale_scopes'].map((d) => d.value), [0], 'the last run (the event re-fetch) kept no stale scope');
  assert.equal(sum(m['openchoreo_catalog.events'], { outcome: 'received' }), 2);
  assert.equal(sum(m['openchoreo_catalog.events'], { outcome: 'coalesced' }), 1);
  assert.equal(sum(m['openchoreo_catalog.events'], { outcome: 'rejected' }), 1);
  assert.equal(sum(m['openchoreo_catalog.events'], { outcome: 'applied' }), 2);
});
