#!/usr/bin/env node
// A `solc` command for Slither, answered by a solc-js release from npm: compare.py runs
// Slither with `--solc-standard-json`, so crytic-compile asks only for `--version` and for
// `--standard-json [--allow-paths DIRS]` with the standard-JSON input on stdin. Both are the
// compiler's own interfaces, so this file only routes them.
//
//   node solc.js SOLC_JS_MODULE_DIR --version
//   node solc.js SOLC_JS_MODULE_DIR --standard-json --allow-paths DIR < input.json
'use strict';
const fs = require('fs');
const path = require('path');

const [moduleDir, ...args] = process.argv.slice(2);
if (!moduleDir) {
  process.stderr.write('usage: solc.js SOLC_JS_MODULE_DIR (--version | --standard-json)\n');
  process.exit(2);
}
const solc = require(path.resolve(moduleDir));
const version = typeof solc.version === 'function' ? solc.version() : path.basename(moduleDir);

if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${version}\n`);
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('solc.js: only --version and --standard-json are supported\n');
  process.exit(2);
}

const at = args.indexOf('--allow-paths');
const roots = ['.'].concat(at >= 0 && args[at + 1] ? args[at + 1].split(',') : []);
function findImports(p) {
  for (const r of roots) {
    const file = path.isAbsolute(p) ? p : path.join(r, p);
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
  }
  return { error: `File not found: ${p}` };
}

const input = fs.readFileSync(0, 'utf8');
let output;
if (typeof solc.compileStandardWrapper === 'function') {
  // solc-js before 0.6: a callback as the second argument.
  output = solc.compileStandardWrapper(input, findImports);
} else {
  output = solc.compile(input, { import: findImports });
}
process.stdout.write(output);
process.stdout.write('\n');
