// Seeds the fuzz corpora from the sample installation (host-harness/fixtures/sample-api.json):
//   mapping/         the installation itself, its namespaced part alone and its cluster part alone
//   sync_responses/  the API's answers to one sync of it, in request order, cut by 0xFF bytes
//   token_response/  token endpoint answers: a JWT with exp, an opaque token with expires_in, an OAuth2 error
//   config/          app-configs: the README's, one with every tuning key, one with ${VAR}s
// Usage: node fuzz/seed-corpus.mjs OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? 'fuzz/corpus';
const sample = JSON.parse(readFileSync(new URL('../host-harness/fixtures/sample-api.json', import.meta.url), 'utf8'));

// The crawl's request order (guest/src/scope.rs NAMESPACE_LISTS and CLUSTER_LISTS). A drift only makes
// the seed less useful, never wrong: every answer is valid JSON of the list shape.
const NAMESPACE_LISTS = ['environments', 'dataplanes', 'workflowplanes', 'observabilityplanes', 'projects', 'deploymentpipelines', 'components',
  'workloads', 'componenttypes', 'traits', 'workflows', 'resourcetypes', 'projecttypes', 'resources', 'observabilityalertsnotificationchannels'];
const CLUSTER_LISTS = ['clustercomponenttypes', 'clustertraits', 'clusterworkflows', 'clusterdataplanes', 'clusterobservabilityplanes',
  'clusterworkflowplanes', 'clusterresourcetypes', 'clusterprojecttypes'];

mkdirSync(join(out, 'mapping'), { recursive: true });
mkdirSync(join(out, 'sync_responses'), { recursive: true });
writeFileSync(join(out, 'mapping', 'sample.json'), JSON.stringify(sample));
writeFileSync(join(out, 'mapping', 'namespaced-only.json'), JSON.stringify({ namespaces: sample.namespaces, namespaced: sample.namespaced }));
writeFileSync(join(out, 'mapping', 'cluster-only.json'), JSON.stringify({ cluster: sample.cluster, defaultOwner: 'platform-team' }));

const answer = (items) => Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({ items, pagination: {} }))]);
const answers = [answer(sample.namespaces)];
for (const ns of sample.namespaces) {
  for (const ep of NAMESPACE_LISTS) answers.push(answer(sample.namespaced[ns.metadata.name]?.[ep] ?? []));
}
for (const ep of CLUSTER_LISTS) answers.push(answer(sample.cluster[ep] ?? []));
const cut = Buffer.from([0xff]);
writeFileSync(join(out, 'sync_responses', 'sample'), Buffer.concat(answers.flatMap((a, i) => (i ? [cut, a] : [a]))));

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const tokenSeeds = {
  jwt: { access_token: `${b64({ alg: 'none' })}.${b64({ exp: 1_900_000_000, sub: 'backstage' })}.sig`, token_type: 'Bearer', expires_in: 3600 },
  opaque: { access_token: 'opaque-token', expires_in: 300 },
  error: { error: 'invalid_client', error_description: 'client authentication failed' },
};
mkdirSync(join(out, 'token_response'), { recursive: true });
for (const [name, body] of Object.entries(tokenSeeds)) writeFileSync(join(out, 'token_response', name), JSON.stringify(body));

const configSeeds = {
  readme: 'openchoreo:\n  baseUrl: http://localhost:8080/api/v1\n  defaultOwner: platform-team\n  schedule:\n    frequency: 30\n    timeout: 120\n',
  tuning: 'openchoreo:\n  baseUrl: ${URL}\n  sync:\n    concurrency: 8\n    requestTimeout: 30\n  features:\n    auth:\n      enabled: true\n  auth:\n    clientId: backstage\n    clientSecret: ${SECRET}\n    tokenUrl: http://idp/token\n    scope: "a b"\n',
  variables: 'openchoreo:\n  baseUrl: http://${HOST}:8080\n  defaultOwner: ${NOPE}\n  note: cost $${HOST}\n  sync:\n    requestTimeout: ${BIG}\n',
};
mkdirSync(join(out, 'config'), { recursive: true });
for (const [name, text] of Object.entries(configSeeds)) writeFileSync(join(out, 'config', name), text);
console.log(`seeded ${out}/mapping (3 inputs), ${out}/sync_responses (${answers.length} answers), token_response (3) and config (3)`);
