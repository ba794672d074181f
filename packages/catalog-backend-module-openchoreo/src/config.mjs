// Reads the `openchoreo` section. The component validates it (one place, same messages as the CLI);
// here we only split off what stays in the host: the client secret and the host tuning values.

export const PROVIDER_NAME = 'OpenChoreoEntityProvider';
export const LOCATION_KEY = `provider:${PROVIDER_NAME}`;
export const REDACTED = '[redacted]';

/** Upper bounds of the host tuning keys (the same as the CLI's, host-harness/src/app_config.rs). */
const MAX_CONCURRENCY = 256;
const MAX_REQUEST_TIMEOUT_SECONDS = 86_400;
/** `openchoreo.sync.reapplyAfter` (Backstage only): past a week is a typo, not a setting. */
const MAX_REAPPLY_AFTER_SECONDS = 604_800;

const str = (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** A whole number up to `max`, above 0 unless `zero`: no config value can overflow a timer or open absurd numbers of sockets. */
function wholeNumber(value, key, fallback, max, { zero = false } = {}) {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (!Number.isInteger(n) || n < (zero ? 0 : 1)) {
    throw new Error(`openchoreo.sync.${key} must be a ${zero ? 'whole number (0 or more)' : 'positive whole number'}, got ${JSON.stringify(value)}`);
  }
  if (n > max) throw new Error(`openchoreo.sync.${key} must be at most ${max}, got ${n}`);
  return n;
}

/** @param {import('@backstage/config').Config} config */
export function readOpenChoreoConfig(config) {
  const section = config.getOptionalConfig('openchoreo')?.get() ?? null;
  const auth = section?.auth ?? {};
  const credentials =
    str(auth.clientId) && str(auth.clientSecret) && str(auth.tokenUrl)
      ? { clientId: str(auth.clientId), clientSecret: str(auth.clientSecret), tokenUrl: str(auth.tokenUrl), scope: str(auth.scope) }
      : undefined;
  const guestSection = section === null ? null : structuredClone(section);
  if (guestSection?.auth && str(guestSection.auth.clientSecret)) guestSection.auth.clientSecret = REDACTED;
  const sync = section?.sync ?? {};
  const enabled = section?.events?.enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw new Error(`openchoreo.events.enabled must be true or false, got ${JSON.stringify(enabled)}`);
  }
  return {
    guestJson: JSON.stringify(guestSection),
    credentials,
    events: { enabled: enabled ?? true },
    /** Whether openchoreo.schedule.frequency is set: without it, events make the default 300 s. */
    frequencySet: section?.schedule?.frequency !== undefined && section?.schedule?.frequency !== null,
    http: {
      concurrency: wholeNumber(sync.concurrency, 'concurrency', 8, MAX_CONCURRENCY),
      requestTimeoutMs: wholeNumber(sync.requestTimeout, 'requestTimeout', 30, MAX_REQUEST_TIMEOUT_SECONDS) * 1000,
    },
    /** Seconds an unchanged full run may go unapplied (0: every run applies). */
    reapplyAfterSeconds: wholeNumber(sync.reapplyAfter, 'reapplyAfter', 3600, MAX_REAPPLY_AFTER_SECONDS, { zero: true }),
  };
}
