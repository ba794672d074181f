// Wiring for the new backend system.
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint, catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { PROVIDER_NAME, readOpenChoreoConfig } from './config.mjs';
import { DatabaseLedger, migrateLedgerTable } from './ledger.mjs';
import { CustomAnnotationProcessor } from './custom-annotations.mjs';
import { OpenChoreoEntityProcessor, isOurs } from './processor.mjs';
import { OpenChoreoEntityProvider } from './provider.mjs';
import { UrlTemplateReader } from './templates.mjs';
import { DatabaseAnnotationStore, annotationStoreRef, migrateAnnotationTable } from './services/annotation-store.mjs';
import { ATTACH } from './services/attach.mjs';
import { immediateCatalogServiceRef } from './services/immediate-catalog.mjs';
import { ComponentWorker, GuestError } from './wasm/component.mjs';

const EVENTS_FREQUENCY_SECONDS = 300;
const EVENT_KINDS = ['Namespace', 'Project', 'Component', 'Workload', 'Environment', 'DataPlane', 'WorkflowPlane', 'ObservabilityPlane',
  'DeploymentPipeline', 'ComponentType', 'Trait', 'Workflow', 'ResourceType', 'ProjectType', 'Resource',
  'ObservabilityAlertsNotificationChannel', 'ClusterComponentType', 'ClusterTrait', 'ClusterWorkflow', 'ClusterDataPlane',
  'ClusterObservabilityPlane', 'ClusterWorkflowPlane', 'ClusterResourceType', 'ClusterProjectType'];
export const EVENT_TOPICS = ['openchoreo', ...EVENT_KINDS.map((k) => `openchoreo.${k.toLowerCase()}`)];

export const catalogModuleOpenChoreo = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'openchoreo',
  register(env) {
    env.registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        lifecycle: coreServices.lifecycle,
        events: eventsServiceRef,
        database: coreServices.database,
        urlReader: coreServices.urlReader,
        immediateCatalog: immediateCatalogServiceRef,
        annotationStore: annotationStoreRef,
      },
      async init({ catalogProcessing, catalog, config, logger, scheduler, auth, lifecycle, events, database, urlReader, immediateCatalog, annotationStore }) {
        const read = readOpenChoreoConfig(config);
        // Validate in the component first: a config error stops the backend with the key named.
        const probe = new ComponentWorker({ logger });
        let settings;
        try {
          settings = await probe.configure(read.guestJson);
        } catch (e) {
          throw new Error(`Invalid openchoreo configuration: ${e instanceof GuestError ? e.message : e}`);
        } finally {
          await probe.terminate();
        }
        const credentials = settings.authEnabled ? { ...read.credentials, timeoutMs: read.http.requestTimeoutMs } : undefined;
        const http = { baseUrl: settings.baseUrl, settings: read.http, credentials };
        const templates = new UrlTemplateReader(urlReader, { timeoutMs: read.http.requestTimeoutMs });
        const component = new ComponentWorker({ logger, http, templates });
        await component.configure(read.guestJson);
        await component.scopeOf([]); // warm-up: the first call compiles and grows memory
        lifecycle.addShutdownHook(() => component.terminate());

        // With events the full sync is a safety net: every 300 s unless openchoreo.schedule.frequency says otherwise.
        const frequencySeconds = read.events.enabled && !read.frequencySet ? EVENTS_FREQUENCY_SECONDS : settings.frequencySeconds;
        const taskRunner = scheduler.createScheduledTaskRunner({
          frequency: { seconds: frequencySeconds },
          timeout: { seconds: settings.timeoutSeconds },
        });
        // The catalog plugin's own database holds the users' annotations, for every plugin of this
        // backend, and the ledger of what full runs applied, for every replica.
        const knex = await database.getClient();
        await migrateLedgerTable(knex, PROVIDER_NAME);
        const provider = new OpenChoreoEntityProvider({
          component, logger, taskRunner, catalog, auth, timeoutSeconds: settings.timeoutSeconds,
          ledger: new DatabaseLedger(knex, PROVIDER_NAME), reapplyAfterSeconds: read.reapplyAfterSeconds,
        });
        catalogProcessing.addEntityProvider(provider);
        if (read.events.enabled) {
          // `openchoreo` is what OpenChoreo's control plane POSTs to (events.http.topics); the per-kind
          // topics are where upstream's router re-publishes them. Either way the payload is the same.
          await events.subscribe({ id: 'openchoreo-catalog-module', topics: EVENT_TOPICS, onEvent: (e) => provider.onEvent(e.eventPayload) });
        }
        await migrateAnnotationTable(knex);
        const store = new DatabaseAnnotationStore(knex);
        annotationStore[ATTACH]?.(store);
        immediateCatalog[ATTACH]?.(provider);
        catalogProcessing.addProcessor(new CustomAnnotationProcessor(store));
        catalogProcessing.addProcessor(new OpenChoreoEntityProcessor(component));
        catalogProcessing.setOnProcessingErrorHandler(({ unprocessedEntity, errors }) => {
          if (!isOurs(unprocessedEntity)) return;
          const reasons = errors.map((e) => e.message).join('; ');
          logger.warn(`The catalog rejected OpenChoreo entity ${stringifyEntityRef(unprocessedEntity)}: ${reasons}`);
        });
      },
    });
  },
});
