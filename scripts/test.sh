#!/usr/bin/env bash
# Runs every test: formatting and lints, Rust unit and integration tests (real TCP),
# then Playwright in Debian's Chromium against the real server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
started=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (server and browser features)"
cargo clippy --all-targets --features ssr -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

step "cargo test --features ssr"
cargo test --features ssr

step "cargo leptos build (server binary and wasm site)"
cargo leptos build

step "Playwright in Chromium"
(cd end2end && npx playwright test)

step "all tests passed"
