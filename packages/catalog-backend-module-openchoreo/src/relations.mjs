// Relation types other OpenChoreo plugins import from the catalog module (the component emits them).
export const RELATION_DEPLOYS_TO = 'deploysTo';
export const RELATION_DEPLOYED_BY = 'deployedBy';
