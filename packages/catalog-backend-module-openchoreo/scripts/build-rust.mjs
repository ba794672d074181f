// Builds what the Node side needs from the Rust workspace: the components (host-harness/build.rs) and the
// CLI that serves the fixture API. Through `cargo test --workspace --no-run`, the same build as the
// README's test command: a plain `cargo build -p …` unifies dependency features differently and
// rebuilds wasmtime and everything above it (minutes on a small machine), for nothing.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the build (host-harness/build.rs) writes the sync component and the import-free transform component. */
export const SYNC_COMPONENT = join(REPO, 'target/guest/wasm32-wasip2/release/openchoreo_catalog_guest.wasm');
export const TRANSFORM_COMPONENT = join(REPO, 'target/guest-transform/wasm32-unknown-unknown/release/openchoreo_catalog_transform.component.wasm');

export function buildRust() {
  execFileSync(process.env.CARGO ?? 'cargo', ['test', '--workspace', '--no-run', '--quiet'], { cwd: REPO, stdio: 'inherit' });
}
