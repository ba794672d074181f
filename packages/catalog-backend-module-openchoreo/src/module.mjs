// Wiring for the new backend system.
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint, catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readOpenChoreoConfig } from './config.mjs';
import { HttpHost } from './http.mjs';
import { OpenChoreoEntityProcessor, isOurs } from './processor.mjs';
import { OpenChoreoEntityProvider } from './provider.mjs';
import { TokenCache } from './tokens.mjs';
import { ComponentWorker, GuestError } from './wasm/component.mjs';

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
      },
      async init({ catalogProcessing, catalog, config, logger, scheduler, auth, lifecycle }) {
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
        const tokens = settings.authEnabled ? new TokenCache({ ...read.credentials, timeoutMs: read.http.requestTimeoutMs }) : undefined;
        const http = new HttpHost({ baseUrl: settings.baseUrl, tokens, settings: read.http });
        const component = new ComponentWorker({ logger, http, tokens });
        await component.configure(read.guestJson);
        await component.scopeOf([]); // warm-up: the first call compiles and grows memory
        lifecycle.addShutdownHook(() => component.terminate());

        const taskRunner = scheduler.createScheduledTaskRunner({
          frequency: { seconds: settings.frequencySeconds },
          timeout: { seconds: settings.timeoutSeconds },
        });
        catalogProcessing.addEntityProvider(
          new OpenChoreoEntityProvider({ component, logger, taskRunner, catalog, auth, timeoutSeconds: settings.timeoutSeconds }),
        );
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
