// The host's own config values (`openchoreo.sync.*`) are bounded: an absurd value is a startup error
// naming the key, never a timer or a pool sized from it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigReader } from '@backstage/config';
import { readOpenChoreoConfig } from '../src/config.mjs';

const read = (sync) => readOpenChoreoConfig(new ConfigReader({ openchoreo: { baseUrl: 'http://localhost/api/v1', sync } }));

it('reads the defaults and values within bounds', () => {
  assert.deepEqual(read({}).http, { concurrency: 8, requestTimeoutMs: 30_000 });
  assert.deepEqual(read({ concurrency: '16', requestTimeout: 86_400 }).http, { concurrency: 16, requestTimeoutMs: 86_400_000 });
});

it('refuses values past their bounds, naming the key', () => {
  assert.throws(() => read({ requestTimeout: 1e300 }), /openchoreo\.sync\.requestTimeout must be at most 86400/);
  assert.throws(() => read({ requestTimeout: '18446744073709551615' }), /openchoreo\.sync\.requestTimeout must be at most 86400/);
  assert.throws(() => read({ concurrency: 100_000 }), /openchoreo\.sync\.concurrency must be at most 256/);
  assert.throws(() => read({ concurrency: -1 }), /openchoreo\.sync\.concurrency must be a positive whole number/);
});

it('reads openchoreo.sync.reapplyAfter: an hour by default, 0 allowed, bounded by a week', () => {
  assert.equal(read({}).reapplyAfterSeconds, 3600);
  assert.equal(read({ reapplyAfter: 0 }).reapplyAfterSeconds, 0);
  assert.equal(read({ reapplyAfter: '600' }).reapplyAfterSeconds, 600);
  assert.throws(() => read({ reapplyAfter: -5 }), /openchoreo\.sync\.reapplyAfter must be a whole number \(0 or more\), got -5/);
  assert.throws(() => read({ reapplyAfter: '' }), /openchoreo\.sync\.reapplyAfter must be a whole number \(0 or more\), got ""/);
  assert.throws(() => read({ reapplyAfter: 604_801 }), /openchoreo\.sync\.reapplyAfter must be at most 604800/);
  assert.throws(() => read({ concurrency: 0 }), /openchoreo\.sync\.concurrency must be a positive whole number, got 0/);
});

it('reads openchoreo.events.enabled (default true) and whether the frequency is set', () => {
  const section = (extra) => readOpenChoreoConfig(new ConfigReader({ openchoreo: { baseUrl: 'http://localhost/api/v1', ...extra } }));
  assert.deepEqual([section({}).events, section({}).frequencySet], [{ enabled: true }, false]);
  assert.deepEqual(section({ events: { enabled: false }, schedule: { frequency: 60 } }).events, { enabled: false });
  assert.equal(section({ schedule: { frequency: 60 } }).frequencySet, true);
  assert.throws(() => section({ events: { enabled: 'yes' } }), /openchoreo\.events\.enabled must be true or false, got "yes"/);
});
