#!/usr/bin/env bash
# Runs every test: formatting and lints, Rust unit and integration tests (real TCP),
# then Playwright in Debian's Chromium against the real server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
# --- Real model server (issue 21): tests/real_model.rs starts llama-cpp-python from this
# venv (installed above; this second call only prints its python). Unset, those tests
# skip outside CI and fail under CI.
AUDITSTREAM_TEST_LLAMA_PYTHON="$(scripts/model-server/install.sh | tail -n 1)"
export AUDITSTREAM_TEST_LLAMA_PYTHON
# --- end real model server
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A CI run builds once: incremental state would only cost disk (gigabytes) and time.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi
started=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (server and browser features)"
cargo clippy --all-targets --features ssr -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

step "cargo test --features ssr (with a throwaway PostgreSQL for the history tests)"
# pg_virtualenv creates a temporary cluster on a free port (also as root, where initdb
# alone refuses), runs the command with PG* set, and drops the cluster afterwards.
pg_virtualenv sh -c 'AUDITSTREAM_TEST_DATABASE_URL="postgres://$PGUSER:$PGPASSWORD@127.0.0.1:${PGPORT:-5432}/${PGDATABASE:-postgres}" \
  exec cargo test --features ssr' 2>&1 | tee "$log/cargo"

step "cargo leptos build (server binary and wasm site)"
cargo leptos build --split

step "Playwright in Chromium"
(cd end2end && npx playwright test) 2>&1 | tee "$log/playwright"

# One closing line over both runners (set -o pipefail has already stopped on a failure).
rust=$(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$log/cargo")
browser=$(grep -Eo '^ +[0-9]+ passed' "$log/playwright" | tr -dc '0-9')
step "done"
echo "tests: $(( ${rust% *} + ${browser:-0} )) passed, ${rust#* } failed"
