// Declarations for every export of the package (both the ES module and the require() entry).
import type { AuthService, BackendFeature, LoggerService, SchedulerServiceTaskRunner } from '@backstage/backend-plugin-api';
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
}

/** Accepts the custom kinds and emits the relations the component computes for our entities. */
export declare class OpenChoreoEntityProcessor implements CatalogProcessor {
  constructor(component: Pick<OpenChoreoComponent, 'relations'>);
  getProcessorName(): string;
  validateEntityKind(entity: Entity): Promise<boolean>;
  postProcessEntity(entity: Entity, location: LocationSpec, emit: CatalogProcessorEmit): Promise<Entity>;
}

/** The kinds (apiVersion `backstage.io/v1alpha1`) this module adds to the catalog. */
export declare const CUSTOM_KINDS: ReadonlySet<string>;
