'use strict';
// Loads the napi-rs addon built by `napi build --platform` (certgate.<platform>-<arch>[-abi].node).

const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_DIR = path.join(__dirname, '..');

/** The napi-rs platform suffixes this process can load, best first, e.g. `linux-x64-gnu`. */
function platformSuffixes() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const suffixes = [`linux-${arch}-gnu`, `linux-${arch}-musl`];
    const present = suffixes.filter((suffix) => fs.existsSync(addonPath(suffix)));
    if (present.length < 2) return suffixes;
    // Both builds shipped: ask which C library this Node runs on (a report takes a few ms).
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return glibc ? suffixes : suffixes.reverse();
  }
  if (platform === 'win32') return [`win32-${arch}-msvc`];
  return [`${platform}-${arch}`];
}

function addonPath(suffix) {
  return path.join(PACKAGE_DIR, `certgate.${suffix}.node`);
}

function load() {
  const candidates = platformSuffixes().map(addonPath);
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new Error(
      `certgate: no native addon for this platform (looked for ${candidates.join(', ')}). Build it from ` +
        'the certgate repository with `make node-build` (or `npm run build` in bindings-node/; needs Rust).'
    );
  }
  return require(file);
}

module.exports = load();
