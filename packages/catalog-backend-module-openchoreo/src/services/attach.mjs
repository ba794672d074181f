// The two services are plugin scoped (their consumers live in other plugins) but backed by what the
// catalog module holds: the provider's catalog connection and the catalog plugin's database. Each
// backend has one hub per service (the factory's root context); the catalog module attaches to it
// through this symbol, which consumers never see.
export const ATTACH = Symbol('openchoreo-catalog attach');

const WAIT_MS = 30_000;

/** A value the catalog module supplies later; `get()` waits for it, up to 30 s, then says what is missing. */
export class Hub {
  constructor(what) {
    this.what = what;
    this.value = undefined;
    this.waiting = [];
  }

  attach(value) {
    this.value = value;
    for (const resolve of this.waiting.splice(0)) resolve(value);
  }

  get() {
    if (this.value !== undefined) return Promise.resolve(this.value);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((r) => r !== done);
        reject(new Error(`${this.what} is not available: the OpenChoreo catalog module (catalog plugin, module openchoreo) did not start within ${WAIT_MS / 1000}s in this backend`));
      }, WAIT_MS);
      timer.unref?.();
      const done = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiting.push(done);
    });
  }
}
