#!/usr/bin/env bash
# Serves the tiny test model with llama-cpp-python's OpenAI-compatible server on
# 127.0.0.1 (issue 21): the one place that says how the real-model tests, and anyone
# trying auditstream against llama.cpp by hand, start it.
#   scripts/model-server/serve.sh [PORT]     (default: a free port, printed first)
# Environment: AUDITSTREAM_MODEL_SERVER_PYTHON (the venv's python; default: what
# install.sh installs or finds), AUDITSTREAM_MODEL_SERVER_MODEL (a GGUF file; default:
# the tiny model, written next to the venv), AUDITSTREAM_MODEL_SERVER_N_CTX (context,
# default 4096). The server is exec'd, so its pid is this script's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

python="${AUDITSTREAM_MODEL_SERVER_PYTHON:-}"
[ -n "$python" ] || python="$("$here/install.sh" | tail -n 1)"
model="${AUDITSTREAM_MODEL_SERVER_MODEL:-}"
if [ -z "$model" ]; then
  # Keyed by the builder's own hash: a changed builder writes a new file.
  key="$(sha256sum "$here/tiny_model.py" | cut -c1-12)"
  model="$(dirname "$(dirname "$python")")/tiny-$key.gguf"
  if [ ! -s "$model" ]; then
    "$python" "$here/tiny_model.py" "$model.tmp.$$"
    mv -f "$model.tmp.$$" "$model"
  fi
fi
port="${1:-}"
if [ -z "$port" ]; then
  port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "serving on http://127.0.0.1:$port/v1" >&2
fi
# One thread, one request at a time, interrupt_requests on: llama-cpp-python's defaults
# apart from the model, the port and the context.
exec "$python" -m llama_cpp.server \
  --model "$model" \
  --model_alias tiny-llama \
  --host 127.0.0.1 \
  --port "$port" \
  --n_ctx "${AUDITSTREAM_MODEL_SERVER_N_CTX:-4096}" \
  --n_threads 1 \
  --seed 21
