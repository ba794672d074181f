// The component's `template-reader` import in Backstage: hand-authored Templates are read through the
// backend's UrlReaderService, so `backend.reading.allow` and the `integrations` config decide what may be
// read (and with which credentials), as for every other URL Backstage reads. Each read has a timeout and
// a size cap; a URL the reader refuses is reported as not allowed, with its message (which names
// `backend.reading.allow`).

/** The largest template read (the component refuses larger texts too). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

const err = (tag, val) => ({ tag: 'err', val: { tag, val } });

export class UrlTemplateReader {
  /** @param {{ readUrl: Function }} urlReader  @param {{ timeoutMs?: number }} [options] */
  constructor(urlReader, { timeoutMs = 30_000 } = {}) {
    this.urlReader = urlReader;
    this.timeoutMs = timeoutMs;
  }

  /** One WIT `result<string, read-error>` per URL, in order. */
  readBatch(urls) {
    return Promise.all(urls.map((url) => this.read(url)));
  }

  async read(url) {
    let response;
    try {
      response = await this.urlReader.readUrl(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      // A redirect out of what is allowed is refused by the reader with a plain Error naming the key.
      if (e?.name === 'NotAllowedError' || /not allowed by backend\.reading\.allow/.test(e?.message ?? '')) return err('not-allowed', e.message);
      return err('failed', e?.name === 'TimeoutError' || e?.name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : `${e?.message ?? e}`);
    }
    let bytes;
    try {
      bytes = await response.buffer();
    } catch (e) {
      return err('failed', `reading the body: ${e?.message ?? e}`);
    }
    if (bytes.length > MAX_TEMPLATE_BYTES) return err('failed', `larger than ${MAX_TEMPLATE_BYTES} bytes`);
    try {
      return { tag: 'ok', val: decoder.decode(bytes) };
    } catch {
      return err('failed', 'the body is not UTF-8 text');
    }
  }
}
