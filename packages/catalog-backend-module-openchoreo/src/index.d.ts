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
}

/** Runs one sync per scheduled run and applies it as a full mutation, keeping stale scopes' entities. */
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
