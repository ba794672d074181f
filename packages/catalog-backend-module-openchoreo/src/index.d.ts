// Declarations for every export of the package (both the ES module and the require() entry).
import type { AuthService, BackendFeature, LoggerService, SchedulerServiceTaskRunner, ServiceFactory, ServiceRef } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type {
  CatalogProcessor,
  CatalogProcessorEmit,
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import type { Config } from '../config.js';

/** The module: `backend.add(import('@openchoreo-catalog/catalog-backend-module-openchoreo'))`. */
declare const catalogModuleOpenChoreo: BackendFeature;
export default catalogModuleOpenChoreo;

/** The `openchoreo` section of app-config that this module reads (documented key by key in config.d.ts). */
export type OpenChoreoConfig = NonNullable<Config['openchoreo']>;

/** A relation the component derives for an entity, as entity refs. */
export interface OpenChoreoRelation {
  source: string;
  type: string;
  target: string;
}

/** A scope that failed in a run: its entities are kept from the previous run. */
export interface OpenChoreoStaleScope {
  scope: string;
  reason: string;
}

/** What one sync run of the component returns. */
export interface OpenChoreoRunReport {
  entities: { kind: string; namespace: string; name: string; scope: string; json: string }[];
  /** How many entities, without reading them (default: `entities.length`). */
  count?: number;
  /** SHA-256 (hex) of the entities as the component wrote them, in order; without it the provider hashes `entities[].json`. */
  digest?: string;
  stale: OpenChoreoStaleScope[];
  /** Resources skipped alone: where (`<namespace>/<kind>/<name>`) and why. */
  skipped: { location: string; message: string }[];
  stats: { requests: number; pages: number; bytesReceived: bigint };
}

/** The component (in its worker) as the provider and the processor call it. */
export interface OpenChoreoComponent {
  run(timeoutMs: number): Promise<OpenChoreoRunReport>;
  /** A run over named scopes (`ns/<namespace>/*`, `cluster/*`) and the scope patterns it speaks for. */
  runScopes(scopes: string[], timeoutMs: number): Promise<{ report: OpenChoreoRunReport; covered: string[] }>;
  /** The scopes an OpenChoreo change event can affect; rejects with the reason for one it refuses. */
  scopesOfEvent(eventJson: string): Promise<string[]>;
  relations(entityJsons: string[]): Promise<OpenChoreoRelation[][]>;
  /** The sync scope of each entity, `null` for one the component did not make. */
  scopeOf(entityJsons: string[]): Promise<(string | null)[]>;
}

export interface OpenChoreoEntityProviderOptions {
  component: OpenChoreoComponent;
  logger: LoggerService;
  taskRunner: SchedulerServiceTaskRunner;
  catalog: CatalogService;
  auth: AuthService;
  /** `openchoreo.schedule.timeout` in seconds. */
  timeoutSeconds: number;
  /**
   * What full runs applied, shared by every replica (the module keeps it in the catalog's database). Without
   * one every run is applied, since one process cannot know what another replica applied.
   */
  ledger?: OpenChoreoLedger;
  /** With a ledger: seconds runs may go unapplied or applied as deltas before one is applied in full (`openchoreo.sync.reapplyAfter`). Default 3600. */
  reapplyAfterSeconds?: number;
}

/** What the last full run applied, and a generation every mutation moves on (src/ledger.mjs). */
export interface OpenChoreoLedger {
  /** `scopes`: scope → digest of that run's entities there; null when it kept stale scopes. */
  read(): Promise<{ digest: string | null; generation: number; appliedAt: number | null; scopes: Record<string, string> | null }>;
  /** Before a full run applies: the next generation, or null when another mutation moved the ledger since `generation` was read. */
  claim(generation: number): Promise<number | null>;
  /** After a full run applied: records its digests unless another mutation moved the ledger since the claim. */
  recordApplied(digest: string, generation: number, appliedAt: number, scopes: Record<string, string> | null): Promise<boolean>;
  /** Before and after any other mutation. */
  invalidate(): Promise<void>;
}

/**
 * Runs one sync per scheduled run and applies it as a full mutation, keeping stale scopes' entities; with a
 * ledger, a run that makes what the catalog was last given is not applied, and one that changed a few scopes
 * applies those as a delta, until `reapplyAfterSeconds` passed since the last full mutation.
 */
export declare class OpenChoreoEntityProvider implements EntityProvider {
  constructor(options: OpenChoreoEntityProviderOptions);
  getProviderName(): string;
  connect(connection: EntityProviderConnection): Promise<void>;
  /** One full run; logs why it changed nothing, and with `rethrow` (the scheduler's call) fails the task too. */
  refresh(options?: { rethrow?: boolean }): Promise<void>;
  /** An OpenChoreo change event (`{kind, name, namespace, action}`): re-fetches the scopes it can affect, coalesced. */
  onEvent(payload: unknown): Promise<void>;
  /** A delta of this provider: shown at once, owned by the next full sync (kept if OpenChoreo has it, else removed). */
  insertImmediately(entity: Entity): Promise<void>;
  removeImmediately(entityRef: string): Promise<void>;
}

/**
 * Immediate insertion for OpenChoreo's scaffolder actions (service id `openchoreo.immediate-catalog`, as
 * in the module this package replaces). Entities go in as deltas of the sync's own provider.
 */
export interface ImmediateCatalogService {
  insertEntity(entity: Entity): Promise<void>;
  removeEntity(entityRef: string): Promise<void>;
}
export declare const immediateCatalogServiceRef: ServiceRef<ImmediateCatalogService, 'plugin'>;
export declare const immediateCatalogServiceFactory: ServiceFactory<ImmediateCatalogService, 'plugin'>;

/**
 * User-set annotations on OpenChoreo entities (service id `openchoreo.annotation-store`), kept in the
 * catalog database's `entity_custom_annotations` table and merged into the entities on every processing
 * cycle. Refs are compared as the catalog writes them (kind and namespace case-insensitive).
 */
export interface AnnotationStore {
  getAnnotations(entityRef: string): Promise<Record<string, string>>;
  /** Upserts each key; `null` deletes it. Refuses the whole call, writing nothing, on a bad key or value. */
  setAnnotations(entityRef: string, annotations: Record<string, string | null>): Promise<void>;
  deleteAllAnnotations(entityRef: string): Promise<void>;
}
export declare const annotationStoreRef: ServiceRef<AnnotationStore, 'plugin'>;
export declare const annotationStoreFactory: ServiceFactory<AnnotationStore, 'plugin'>;

/** Merges the annotation store's annotations into entities labelled `openchoreo.io/managed: "true"`. */
export declare class CustomAnnotationProcessor implements CatalogProcessor {
  constructor(store: Pick<AnnotationStore, 'getAnnotations'>);
  getProcessorName(): string;
  preProcessEntity(entity: Entity): Promise<Entity>;
}

/**
 * The immediate-insertion provider of the module this package replaces. Given the sync provider it
 * forwards to it; without, it applies deltas on its own connection.
 */
export declare class ScaffolderEntityProvider implements EntityProvider {
  constructor(logger: LoggerService, mainProviderName?: string, syncProvider?: OpenChoreoEntityProvider);
  getProviderName(): string;
  connect(connection: EntityProviderConnection): Promise<void>;
  insertEntity(entity: Entity): Promise<void>;
  removeEntity(entityRef: string): Promise<void>;
}

export declare const RELATION_DEPLOYS_TO: 'deploysTo';
export declare const RELATION_DEPLOYED_BY: 'deployedBy';

/** Accepts the custom kinds and emits the relations the component computes for our entities. */
export declare class OpenChoreoEntityProcessor implements CatalogProcessor {
  constructor(component: Pick<OpenChoreoComponent, 'relations'>);
  getProcessorName(): string;
  validateEntityKind(entity: Entity): Promise<boolean>;
  postProcessEntity(entity: Entity, location: LocationSpec, emit: CatalogProcessorEmit): Promise<Entity>;
}

/** The kinds (apiVersion `backstage.io/v1alpha1`) this module adds to the catalog. */
export declare const CUSTOM_KINDS: ReadonlySet<string>;

/**
 * The `translate…ToEntity` functions of the module this package replaces, with its signatures. Each
 * turns the model back into the OpenChoreo resource it describes and has the component translate it,
 * so the entity is the one the next sync makes, with the caller's location, owner and lists applied.
 * They throw an Error naming the function and what was wrong (a missing name, an invalid namespace).
 */
export interface EntityTranslationConfig {
  /** `provider:<name>` or `<name>`; both give `provider:<name>` in the location annotations. */
  locationKey: string;
}
export interface ProjectEntityTranslationConfig extends EntityTranslationConfig {
  defaultOwner: string;
}
export interface NamespaceEntityTranslationConfig extends EntityTranslationConfig {
  defaultOwner: string;
}
export interface ResourceEntityTranslationConfig extends EntityTranslationConfig {
  defaultOwner: string;
}
export interface ComponentEntityTranslationConfig extends EntityTranslationConfig {
  defaultOwner: string;
  /** When given, its tags replace the ones the mapping derives from the component type. */
  componentTypeUtils?: { generateTags(componentType: string): string[] };
}

/** What every model has. */
export interface TranslatableModel {
  name: string;
  displayName?: string;
  description?: string;
  uid?: string;
  createdAt?: string;
  deletionTimestamp?: string;
}
export type TypeRef = string | { kind?: string; name: string };
export interface ComponentModel extends TranslatableModel {
  /** `workloadType/name`, e.g. `deployment/service`. */
  type?: string;
  componentType?: { kind?: string; name?: string };
  status?: string;
  autoDeploy?: boolean;
  componentWorkflow?: { name: string; kind?: string; parameters?: Record<string, unknown> };
  [field: string]: unknown;
}
export interface ProjectModel extends TranslatableModel {
  namespaceName?: string;
  deploymentPipelineRef?: string;
  projectTypeName?: string;
  projectTypeKind?: 'ProjectType' | 'ClusterProjectType';
}
export interface GatewayListener {
  name?: string;
  namespace?: string;
  http?: { host?: string; port?: number };
  https?: { host?: string; port?: number };
}
export interface EnvironmentModel extends TranslatableModel {
  isProduction?: boolean;
  dataPlaneRef?: { kind?: string; name?: string };
  dnsPrefix?: string;
  gateway?: { ingress?: { external?: GatewayListener; internal?: GatewayListener } };
  status?: string;
}
export interface NotificationChannelModel extends TranslatableModel {
  environment: string;
  isEnvDefault?: boolean;
  type: 'email' | 'webhook';
  emailConfig?: Record<string, unknown>;
  webhookConfig?: Record<string, unknown>;
}
export interface ComponentTypeModel extends TranslatableModel {
  workloadType?: string;
  allowedWorkflows?: TypeRef[];
  allowedTraits?: TypeRef[];
}
export interface WorkflowModel extends TranslatableModel {
  /** The repository parameter mapping, as `extractWorkflowParameters` gives it. */
  parameters?: string;
  type?: string;
  workflowPlaneRef?: { kind?: string; name?: string };
  ttlAfterCompletion?: string;
}
export interface ResourceTypeModel extends TranslatableModel {
  retainPolicy?: string;
}
export interface ResourceModel extends TranslatableModel {
  projectName: string;
  typeName: string;
  typeKind: 'ResourceType' | 'ClusterResourceType';
  parameters?: Record<string, unknown>;
  status?: string;
}
export interface NamespaceModel extends TranslatableModel {
  status?: string;
}
export interface DeploymentPipelineModel extends TranslatableModel {
  status?: string;
  promotionPaths?: {
    sourceEnvironment: string;
    targetEnvironments: { name: string; requiresApproval?: boolean; isManualApprovalRequired?: boolean }[];
  }[];
}

export declare function translateComponentToEntity(
  component: ComponentModel,
  namespaceName: string,
  projectName: string,
  config: ComponentEntityTranslationConfig,
  providesApis?: string[],
  consumesApis?: string[],
  dependsOn?: string[],
): Entity;
export declare function translateProjectToEntity(project: ProjectModel, namespaceName: string, config: ProjectEntityTranslationConfig): Entity;
export declare function translateEnvironmentToEntity(environment: EnvironmentModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateNotificationChannelToEntity(channel: NotificationChannelModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateComponentTypeToEntity(ct: ComponentTypeModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateClusterComponentTypeToEntity(ct: ComponentTypeModel, config: EntityTranslationConfig): Entity;
export declare function translateWorkflowToEntity(wf: WorkflowModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateClusterWorkflowToEntity(wf: WorkflowModel, config: EntityTranslationConfig): Entity;
export declare function translateTraitToEntity(trait: TranslatableModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateClusterTraitToEntity(trait: TranslatableModel, config: EntityTranslationConfig): Entity;
export declare function translateResourceTypeToEntity(rt: ResourceTypeModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateClusterResourceTypeToEntity(crt: ResourceTypeModel, config: EntityTranslationConfig): Entity;
export declare function translateProjectTypeToEntity(pt: TranslatableModel, namespaceName: string, config: EntityTranslationConfig): Entity;
export declare function translateClusterProjectTypeToEntity(cpt: TranslatableModel, config: EntityTranslationConfig): Entity;
export declare function translateResourceToEntity(resource: ResourceModel, namespaceName: string, config: ResourceEntityTranslationConfig): Entity;
export declare function translateNamespaceToDomainEntity(namespace: NamespaceModel, config: NamespaceEntityTranslationConfig): Entity;
export declare function translateDeploymentPipelineToEntity(pipeline: DeploymentPipelineModel, namespaceName: string, config: EntityTranslationConfig): Entity;
/** A workflow spec's repository parameter mapping (`repoUrl: parameters.repository.url`, a line each), or `undefined`. */
export declare function extractWorkflowParameters(spec: unknown): string | undefined;
