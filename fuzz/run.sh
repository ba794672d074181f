#!/usr/bin/env bash
# Runs each cargo-fuzz target for a bounded time on a corpus seeded from the sample installation.
# Stable toolchain: libFuzzer's coverage instrumentation needs no nightly flags, only the sanitizer
# does, so the targets run with `--sanitizer none` (the guest has no unsafe code to sanitize).
# Usage: fuzz/run.sh [SECONDS_PER_TARGET]   (default 60; FUZZ_SECONDS also works)
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-${FUZZ_SECONDS:-60}}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
corpus="target/corpus"
node seed-corpus.mjs "$corpus"
cargo fuzz build --sanitizer none --release
for target in mapping sync_responses token_response config; do
    mkdir -p "artifacts/$target"
    # -rss_limit_mb bounds memory, -max_len keeps inputs the size of a real list page.
    cargo fuzz run --sanitizer none --release "$target" "$corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 2>&1 \
        | tee "target/$target.log" | grep -E "^(#[0-9]+ +(INITED|DONE)|Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+== ERROR|SUMMARY|panicked)" || true
    if grep -qE "^(==[0-9]+== ERROR|SUMMARY: libFuzzer)|panicked at" "target/$target.log"; then
        echo "fuzz target $target found a failure: see fuzz/target/$target.log; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    runs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "target/$target.log" | grep -oE "[0-9]+$" || echo "?")
    echo "fuzz: $target ran $runs inputs in ${seconds}s without a failure"
done
