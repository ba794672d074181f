// OAuth2 client-credentials tokens : form body, expiry from the JWT exp claim or
// expires_in, reused until 60 s before expiry, one request in flight. Secrets and tokens stay here.

const SKEW_MS = 60_000;

export class TokenCache {
  constructor({ clientId, clientSecret, tokenUrl, scope, timeoutMs = 30_000 }) {
    this.creds = { clientId, clientSecret, tokenUrl, scope };
    this.timeoutMs = timeoutMs;
    this.cached = undefined;
    this.inFlight = undefined;
  }

  /** The current token, fetching one when missing or within 60 s of expiry. */
  async bearer(force) {
    if (force) this.cached = undefined;
    if (this.cached && Date.now() + SKEW_MS < this.cached.expiresAt) return this.cached.token;
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    this.cached = await this.inFlight;
    return this.cached.token;
  }

  async fetchToken() {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.creds.clientId, client_secret: this.creds.clientSecret });
    if (this.creds.scope) form.set('scope', this.creds.scope.split(/\s+/).filter(Boolean).join(' '));
    let res;
    try {
      res = await fetch(this.creds.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw tokenError('unreachable', `${this.creds.tokenUrl}: ${e.cause?.message ?? e.message}`);
    }
    const text = await res.text();
    if (!res.ok) throw tokenError('rejected', `${res.status} ${res.statusText} - ${text.trim().slice(0, 300)}`);
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw tokenError('invalid-response', `not JSON: ${e.message}`);
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw tokenError('invalid-response', 'no access_token in the response');
    const exp = jwtExp(body.access_token);
    const expiresAt = exp !== undefined ? exp * 1000 : Date.now() + (Number(body.expires_in) > 0 ? Number(body.expires_in) * 1000 : SKEW_MS + 1000);
    return { token: body.access_token, expiresAt };
  }
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
