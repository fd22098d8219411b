#!/usr/bin/env bash
# Installs what auditstream needs, idempotently, using only the package registries
# (no tool downloads its own binaries). `--test` adds what the tests need.
#   wasm32 target, wasm-bindgen CLI, cargo-leptos, npm packages (Playwright, binaryen's
#   wasm-opt); with --test also Debian's chromium, nginx-light, postgresql (a
#   throwaway cluster per test run, for the history tests) and redis-server (a
#   throwaway server per test, for the two-instance resume tests), and Microsoft's SARIF
#   Multitool (npm, into tools/) that tests/sarif.rs validates the SARIF export with.
set -euo pipefail
cd "$(dirname "$0")/.."

LEPTOS_VERSION=0.3.10
# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qF "$WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes)"
  # No --locked: its lockfile pins a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! cargo leptos --version 2>/dev/null | grep -qF "$LEPTOS_VERSION"; then
  step "installing cargo-leptos $LEPTOS_VERSION (about 25 minutes on 2 cores)"
  # --locked keeps crates that build on this rustc; no_downloads makes it use the
  # wasm-bindgen and wasm-opt on PATH instead of fetching its own.
  cargo install cargo-leptos --version "$LEPTOS_VERSION" --locked --features no_downloads --force
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ]; then
  step "installing npm packages (Playwright, binaryen) without browser downloads"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = "--test" ]; then
  if [ ! -x tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool ]; then
    step "installing Microsoft's SARIF Multitool (npm) into tools/"
    (cd tools && npm ci --no-audit --no-fund)
    # npm may skip the package's postinstall chmod; the binary must be executable.
    chmod u+x tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
  fi
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  # pg_virtualenv (postgresql-common) and a server version under /usr/lib/postgresql.
  { command -v pg_virtualenv >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; } \
    || missing+=(postgresql)
  # tests/resume_redis.rs: a throwaway Redis per test, started as a plain process.
  [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    sudo_=""
    [ "$(id -u)" -eq 0 ] || sudo_="sudo"
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${missing[@]}"
  fi
fi

# --- Real model server (issue 21): llama-cpp-python and the gguf package in a venv under
# $HOME/.cache/auditstream/, for tests/real_model.rs. Its own script keeps it idempotent
# (seconds once installed) and prints the venv's python, which scripts/test.sh reads.
if [ "${1:-}" = "--test" ]; then
  step "model server for the real-model tests (scripts/model-server/install.sh)"
  scripts/model-server/install.sh >/dev/null
fi
# --- end real model server
