# openchoreo-catalog: everyday entry points. `just` lists the recipes.

cargo := env_var_or_default("CARGO", "cargo")
npm := env_var_or_default("NPM", "npm")
node_pkg := "packages/catalog-backend-module-openchoreo"

@_default:
    just --list

# Build the guest component (wasm32-wasip2) and the host CLI
[group('build')]
build:
    {{cargo}} build -p openchoreo-catalog-host

# Transpile the component for Node with jco (into the Node package's dist/)
[group('build')]
transpile: build
    cd {{node_pkg}} && {{npm}} run build

# The npm package as users get it: component, jco output, types (writes the tarball into the package folder)
[group('build')]
pack:
    cd {{node_pkg}} && {{npm}} pack

# The transform component as a release artefact: dist/openchoreo-catalog-transform-<version>.wasm (metadata embedded), its WIT and SHA-256
[group('build')]
dist out="dist":
    {{cargo}} run -p openchoreo-catalog-host -- dist --out {{out}}

# "Preview your catalog": the transform component in a browser page (docs/preview), served on 127.0.0.1:PORT
[group('run')]
preview port="8080":
    cd {{node_pkg}} && node scripts/preview.mjs --serve {{port}}

# Sync the built-in sample OpenChoreo API once and show the result
[group('run')]
demo:
    {{cargo}} run -p openchoreo-catalog-host -- demo

# Every test: Rust (guest, harness, integration) then the Backstage module
[group('test')]
test: test-rust test-node

# Rust tests: mapping rules, crawl, golden output, faults, CLI
[group('test')]
test-rust:
    {{cargo}} test --workspace

# Node tests: the component in a real Backstage catalog backend via jco
[group('test')]
test-node:
    {{npm}} test --prefix {{node_pkg}}

# Benchmarks: whole syncs at 1k/10k/100k components and translation throughput; writes docs/benchmarks.md
[group('test')]
bench:
    {{cargo}} build --release -p openchoreo-catalog-host
    -cd {{node_pkg}} && {{npm}} run build
    {{cargo}} bench -p integration-tests --bench sync

# From an OpenChoreo change event to the CLI's output at 10k components, and a burst's cost; writes docs/benchmarks-events.md
[group('test')]
bench-events:
    {{cargo}} build --release -p openchoreo-catalog-host
    {{cargo}} bench -p integration-tests --bench events

# cargo-fuzz targets (stable toolchain, no sanitizer) for SECONDS each, corpus seeded from the samples
[group('test')]
fuzz seconds="60":
    bash fuzz/run.sh {{seconds}}

# Accept the current golden output after reviewing the diff
[group('test')]
bless:
    BLESS=1 {{cargo}} test -p integration-tests --test golden

# Formatting and lints
[group('check')]
lint:
    {{cargo}} fmt --all --check
    {{cargo}} clippy --workspace --all-targets -- -D warnings

# What CI runs
[group('check')]
ci:
    bash .ci/run
