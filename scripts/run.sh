#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves auditstream on
# http://127.0.0.1:3000. Configure the model with AUDITSTREAM_* variables (README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# --precompress writes a brotli and a gzip file beside every asset, which the server sends
# to browsers that accept them (src/server/assets.rs). --split puts the reader in a wasm
# file of its own, fetched once the page works (src/ui/reader/load.rs).
cargo leptos build --release --precompress --split
# cargo-leptos' gzip (libflate) is about 16% larger than gzip -9; browsers without brotli
# get the smaller one.
find target/site -name '*.gz' | while read -r gz; do gzip -9 -n -c "${gz%.gz}" >"$gz"; done
export LEPTOS_OUTPUT_NAME=auditstream LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}" LEPTOS_ENV=PROD
exec "${CARGO_TARGET_DIR:-target}/release/auditstream"
