// Seeds the fuzz corpora from the sample installation (host-harness/fixtures/sample-api.json):
//   mapping/         the installation itself, its namespaced part alone and its cluster part alone
//   sync_responses/  the API's answers to one sync of it, in request order, cut by 0xFF bytes
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
console.log(`seeded ${out}/mapping (3 inputs) and ${out}/sync_responses (${answers.length} answers)`);
