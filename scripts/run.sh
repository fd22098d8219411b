#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves auditstream on
# http://127.0.0.1:3000. Configure the model with AUDITSTREAM_* variables (README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
exec cargo leptos serve --release
