#!/bin/bash
# Sets up what compare.py needs to run Slither, outside the repository and idempotently:
# a venv with slither-analyzer from PyPI, solc-js releases from npm side by side (npm aliases
# solc-X.Y.Z), and one launcher `bin/solc-X.Y.Z` per release that runs ./solc.js on it, for
# Slither's `--solc`. Needs python3 (3.8+), node and npm; reaches only PyPI and npm.
#
#   benches/slither/setup.sh          # into $AUDITSTREAM_SLITHER_HOME (~/.cache/auditstream-slither)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DEST=${AUDITSTREAM_SLITHER_HOME:-$HOME/.cache/auditstream-slither}
SLITHER_VERSION=${SLITHER_VERSION:-0.11.6}
SOLC_VERSIONS=${SOLC_VERSIONS:-"0.4.24 0.4.25 0.4.26 0.5.17 0.6.12 0.7.6 0.8.19 0.8.28"}

mkdir -p "$DEST/solcjs" "$DEST/bin"
cd "$DEST"
if ! { [ -x venv/bin/slither ] && venv/bin/slither --version 2>/dev/null | grep -qx "$SLITHER_VERSION"; }; then
  [ -x venv/bin/python ] || nice -n 19 python3 -m venv venv
  nice -n 19 venv/bin/pip install -q "slither-analyzer==$SLITHER_VERSION"
fi

cd solcjs
[ -f package.json ] || echo '{"name":"auditstream-solcjs","private":true}' > package.json
missing=""
for v in $SOLC_VERSIONS; do
  [ -f "node_modules/solc-$v/soljson.js" ] || missing="$missing solc-$v@npm:solc@$v"
done
if [ -n "$missing" ]; then
  nice -n 19 npm install --no-audit --no-fund --loglevel=error $missing
fi

for v in $SOLC_VERSIONS; do
  launcher="$DEST/bin/solc-$v"
  cat > "$launcher" <<EOS
#!/bin/sh
exec node "$HERE/solc.js" "$DEST/solcjs/node_modules/solc-$v" "\$@"
EOS
  chmod +x "$launcher"
  "$launcher" --version | tail -1
done
"$DEST/venv/bin/slither" --version
