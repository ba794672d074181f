// The provider's figures as OpenTelemetry metrics (names `openchoreo_catalog.*`). Without an OpenTelemetry
// SDK in the backend (Backstage's instrumentation setup) they cost nothing: the global meter is a no-op.
import { metrics } from '@opentelemetry/api';

export class ProviderMetrics {
  constructor(meter = metrics.getMeter('@openchoreo-catalog/catalog-backend-module-openchoreo')) {
    this.runs = meter.createCounter('openchoreo_catalog.runs', { description: 'Sync runs, by kind (full, scoped) and outcome (success, failure)' });
    this.duration = meter.createHistogram('openchoreo_catalog.run.duration', { description: 'Duration of sync runs', unit: 's' });
    this.entities = meter.createGauge('openchoreo_catalog.entities', { description: 'Entities the last full run applied' });
    this.stale = meter.createGauge('openchoreo_catalog.stale_scopes', { description: 'Scopes that kept their last-known-good entities in the last run' });
    this.events = meter.createCounter('openchoreo_catalog.events', {
      description: 'OpenChoreo change events, by outcome: received, coalesced (no re-fetch of their own), rejected, applied (re-fetches applied)',
    });
  }

  /** Times `fn` as a run of `kind`, counting its outcome. */
  async run(kind, fn) {
    const started = performance.now();
    try {
      const result = await fn();
      this.runs.add(1, { kind, outcome: 'success' });
      return result;
    } catch (e) {
      this.runs.add(1, { kind, outcome: 'failure' });
      throw e;
    } finally {
      this.duration.record((performance.now() - started) / 1000, { kind });
    }
  }
}
