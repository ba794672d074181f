export interface Config {
  /** Connection to the OpenChoreo Platform API, read by the OpenChoreo catalog module. */
  openchoreo?: {
    /**
     * (Required) OpenChoreo API base URL, e.g. http://openchoreo-api.openchoreo.svc.cluster.local:8080/api/v1.
     * A trailing /api/v1 is optional. The component may reach this origin only.
     */
    baseUrl: string;
    /**
     * (Optional) Group that owns synced entities without a `backstage.io/owner` annotation: `group:default/<value>`.
     * Default: openchoreo-users.
     */
    defaultOwner?: string;
    schedule?: {
      /**
       * (Optional) Seconds between full sync runs, a plain integer (not `{ minutes: 1 }`). Default: 300 while
       * events are enabled (the full sync is then a safety net), 30 without.
       */
      frequency?: number;
      /** (Optional) Seconds after which a run is cancelled and changes nothing, a plain integer. Default: 120. */
      timeout?: number;
    };
    /** OAuth2 client credentials for the sync (used when features.auth.enabled is true). */
    auth?: {
      /** (Required when auth is enabled) OAuth2 client id. */
      clientId?: string;
      /**
       * (Required when auth is enabled) OAuth2 client secret. Stays in the host: the component never sees it.
       * @visibility secret
       */
      clientSecret?: string;
      /** (Required when auth is enabled) Token endpoint of the identity provider. */
      tokenUrl?: string;
      /** (Optional) Space-separated scopes for the token request. */
      scope?: string;
    };
    features?: {
      auth?: {
        /**
         * (Optional) Whether the OpenChoreo API requires a token; must match how the cluster was deployed.
         * Default: true.
         */
        enabled?: boolean;
      };
    };
    /** OpenChoreo's change events, through Backstage's events service (topics `openchoreo` and `openchoreo.<kind>`). */
    events?: {
      /** (Optional) Re-fetch the namespace an event names within seconds. Default: true. */
      enabled?: boolean;
    };
    /** Host tuning of the sync. */
    sync?: {
      /** (Optional) Requests in flight at once, 1 to 256. Default: 8. */
      concurrency?: number;
      /** (Optional) Seconds before one request is abandoned, 1 to 86400. Default: 30. */
      requestTimeout?: number;
      /**
       * (Optional) Seconds full runs go without applying all their entities, 0 to 604800: in between, a
       * run that changed nothing is not applied, and one that changed a few scopes applies those only. 0
       * applies every run in full. An entity deleted by hand in the catalog comes back within this time.
       * Default: 3600.
       */
      reapplyAfter?: number;
    };
  };
}
