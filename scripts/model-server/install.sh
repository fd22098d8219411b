#!/usr/bin/env bash
# Installs a real OpenAI-compatible model server for the tests (issue 21): llama-cpp-python's
# server and the `gguf` package that writes the tiny test model, into a venv under
# $HOME/.cache/auditstream/ so every clone on this machine shares it. Idempotent: a venv
# whose stamp matches the pins below is reused at once; pip's wheel cache keeps the built
# llama-cpp-python wheel, so even a fresh venv skips the C++ build (18 minutes on 2 idle
# cores, 38 on busy ones; a fresh venv from the cached wheel takes about 35 s).
# Prints the venv's python path on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

LLAMA_CPP_PYTHON_VERSION=0.3.36
GGUF_VERSION=0.19.0
# Only what the Python server needs: none of the vendored llama.cpp's examples, tests,
# tools or C++ server (option names as in its CMakeLists.txt; llama-cpp-python itself
# already turns libcurl off and builds the mtmd library it loads), and portable code
# (no -march=native), so a wheel cached on one machine of this kind runs on another.
# pip's wheel cache is keyed by the sdist, not by these flags: after changing them, clear
# it (pip cache remove llama_cpp_python) or the old wheel is reused.
CMAKE_ARGS_PINNED="-DGGML_NATIVE=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF"

root="${AUDITSTREAM_MODEL_SERVER_HOME:-$HOME/.cache/auditstream/model-server}"
venv="$root/venv-$LLAMA_CPP_PYTHON_VERSION"
python="$venv/bin/python"
stamp="$venv/.auditstream-stamp"
want="llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION gguf==$GGUF_VERSION $CMAKE_ARGS_PINNED $(sha256sum "$here/requirements.lock" | cut -c1-16)"

if [ -x "$python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] \
  && "$python" -c 'import llama_cpp.server, gguf' 2>/dev/null; then
  echo "$python"
  exit 0
fi

mkdir -p "$root"
started=$SECONDS
echo "==> model server: installing llama-cpp-python $LLAMA_CPP_PYTHON_VERSION and gguf $GGUF_VERSION into $venv" >&2
echo "    (the first build of llama.cpp takes 18 to 40 minutes on 2 cores; later installs reuse pip's wheel cache)" >&2
rm -rf "$venv"
python3 -m venv "$venv"
# The lock pins every package, build requirements too (PIP_CONSTRAINT reaches pip's
# isolated build environment; -c does not).
export PIP_CONSTRAINT="$here/requirements.lock"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export CMAKE_ARGS="$CMAKE_ARGS_PINNED"
# The C++ build uses both cores; nice keeps it from starving whatever else runs.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
log="$root/install.log"
echo "    log: $log" >&2
if ! nice -n 10 "$python" -m pip install --verbose \
  "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" "gguf==$GGUF_VERSION" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "model server: pip install failed; the whole log is $log" >&2
  exit 1
fi
"$python" -c 'import llama_cpp.server, gguf'
echo "$want" > "$stamp"
echo "==> model server installed in $((SECONDS - started))s" >&2
echo "$python"
