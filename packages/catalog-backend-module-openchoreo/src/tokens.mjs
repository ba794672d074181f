// OAuth2 client-credentials tokens: form body, expiry from the JWT exp claim or expires_in (at most a
// day), reused until 60 s before expiry, one request in flight. Secrets and tokens stay here: a failed
// token request is described by its status and the OAuth2 error fields only (never the raw body, which a
// provider may fill with the form it received), and token requests never follow redirects.

const SKEW_MS = 60_000;
/** A token is reused at most this long, whatever the provider claims. */
const MAX_LIFETIME_MS = 24 * 3600 * 1000;

export class TokenCache {
  constructor({ clientId, clientSecret, tokenUrl, scope, timeoutMs = 30_000 }) {
    this.creds = { clientId, clientSecret, tokenUrl, scope };
    this.timeoutMs = timeoutMs;
    this.cached = undefined;
    this.inFlight = undefined;
  }

  /** The current token, fetching one when missing or within 60 s of expiry; a fetch ends by `deadline`. */
  async bearer(force, deadline = Infinity) {
    if (force) this.cached = undefined;
    if (this.cached && Date.now() + SKEW_MS < this.cached.expiresAt) return this.cached.token;
    const left = deadline - Date.now();
    if (left <= 0) throw tokenError('unreachable', 'the run deadline passed before a token could be fetched');
    this.inFlight ??= this.fetchToken(Math.min(this.timeoutMs, left)).finally(() => {
      this.inFlight = undefined;
    });
    this.cached = await this.inFlight;
    return this.cached.token;
  }

  async fetchToken(timeoutMs) {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.creds.clientId, client_secret: this.creds.clientSecret });
    if (this.creds.scope) form.set('scope', this.creds.scope.split(/\s+/).filter(Boolean).join(' '));
    let res;
    try {
      res = await fetch(this.creds.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw tokenError('unreachable', `${this.creds.tokenUrl}: ${e.cause?.message ?? e.message}`);
    }
    let text;
    try {
      text = await res.text();
    } catch (e) {
      throw tokenError('unreachable', `${this.creds.tokenUrl}: reading the response: ${e.message}`);
    }
    if (res.status >= 300 && res.status < 400) {
      throw tokenError('rejected', `${res.status} redirect from ${this.creds.tokenUrl}: token requests do not follow redirects; set openchoreo.auth.tokenUrl to the final URL`);
    }
    if (!res.ok) throw tokenError('rejected', `${res.status} ${res.statusText} - ${oauthError(text, this.creds.clientSecret)}`);
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw tokenError('invalid-response', `not JSON: ${e.message}`);
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw tokenError('invalid-response', 'no access_token in the response');
    const exp = jwtExp(body.access_token);
    const now = Date.now();
    const expiresAt = exp !== undefined ? exp * 1000 : now + (Number(body.expires_in) > 0 ? Number(body.expires_in) * 1000 : SKEW_MS + 1000);
    return { token: body.access_token, expiresAt: Math.min(expiresAt, now + MAX_LIFETIME_MS) };
  }
}

/**
 * The OAuth2 `error` and `error_description` of a failed token response (RFC 6749 §5.2), control
 * characters escaped, each cut to 200 characters and left out if it contains the client secret.
 */
export function oauthError(text, clientSecret) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const field = (key) => {
    const value = body?.[key];
    if (typeof value !== 'string' || (clientSecret && value.includes(clientSecret))) return undefined;
    return JSON.stringify(value.slice(0, 200)).slice(1, -1);
  };
  const parts = [field('error'), field('error_description')].filter((p) => p !== undefined);
  return parts.length ? parts.join(': ') : `no OAuth2 error in the response (${Buffer.byteLength(text)} bytes, not quoted)`;
}

function tokenError(tag, message) {
  return Object.assign(new Error(message), { variant: { tag, val: message } });
}

function jwtExp(token) {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}
