#!/usr/bin/env node
// What the WebAssembly module is made of, by crate: the code of every function is
// attributed to the crate its (demangled) name starts with, read from the module's name
// section. Used by `make wasm-size` on a build that keeps the name section (wasm-bindgen
// without --remove-name-section, wasm-opt with -g, which leaves the code as shipped).
//
//   node scripts/size-by-crate.js FILE.wasm [--top N] [--functions N]
//
// Prints the module's sections, then a Markdown table of the crates (code bytes, share of
// the code section), then the N largest functions with --functions N. Generic code is
// counted where its name says it lives: `core::ptr::drop_in_place`, `Vec`, sorting and
// formatting instantiated for another crate's types count as `core`/`alloc`, a derived
// `Debug` impl as the crate of its type. The data section (string literals, tables) has no
// names and is one line.

'use strict';

const fs = require('node:fs');

function usage() {
  console.error('usage: node scripts/size-by-crate.js FILE.wasm [--top N] [--functions N]');
  process.exit(2);
}

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (!file) usage();
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const TOP = option('--top', 40);
const FUNCTIONS = option('--functions', 0);

const bytes = fs.readFileSync(file);
if (bytes.readUInt32BE(0) !== 0x0061736d) {
  console.error(`${file}: not a WebAssembly module`);
  process.exit(1);
}

let pos = 0;
function leb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return result;
  }
}
function name() {
  const length = leb();
  const text = bytes.toString('utf8', pos, pos + length);
  pos += length;
  return text;
}
function limits() {
  const flags = bytes[pos++];
  leb();
  if (flags & 1) leb();
}

const SECTION = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count', 'tag'];
const sections = [];
const names = new Map();
const bodies = []; // [function index, body bytes]
let importedFunctions = 0;

pos = 8;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const start = pos;
  const end = start + size;
  let label = SECTION[id] ?? `section ${id}`;
  if (id === 0) {
    label = `custom "${name()}"`;
    if (label === 'custom "name"') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          for (let count = leb(); count > 0; count--) {
            const index = leb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  } else if (id === 2) {
    for (let count = leb(); count > 0; count--) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) {
        leb();
        importedFunctions++;
      } else if (kind === 1) {
        pos++;
        limits();
      } else if (kind === 2) {
        limits();
      } else if (kind === 3) {
        pos += 2;
      } else if (kind === 4) {
        pos++;
        leb();
      }
    }
  } else if (id === 10) {
    let index = importedFunctions;
    for (let count = leb(); count > 0; count--) {
      const bodySize = leb();
      bodies.push([index++, bodySize]);
      pos += bodySize;
    }
  }
  sections.push({ label, size: end - start });
  pos = end;
}

/** The crate a demangled function name belongs to. */
function crateOf(raw) {
  // wasm-bindgen demangles v0 names as `core[c5930c85a12de822]::…` and legacy ones
  // with a trailing `::h0123…`; drop both.
  const fn = raw.replace(/\[[0-9a-f]{6,}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
  if (/ (externref|multivalue) shim$|^Ref\(|^__wbg_|^__wbindgen_|^__externref_/.test(fn)) return 'wasm-bindgen glue (generated)';
  if (/^(rawverifier_|inspect$|codes$)/.test(fn)) return 'certgate_wasm';
  if (/^(fiat_|ring_core_|nistz|p256_|p384_|x25519|ge_|fe_|GFp|OPENSSL|LIMBS|limbs_|bn_|ecp_|little_endian|CRYPTO|slide|elem_|add_precomputed|copy_conditional|booth_recode)/.test(fn)) return 'ring (C)';
  if (/^(memset|memcpy|memmove|memcmp|bcmp|__multi3|__[a-z]+ti3|__[a-z]+di3)$/.test(fn)) return 'compiler_builtins';
  if (/^__rustc::|^__rust_|^__rdl_|^__rg_/.test(fn)) return 'alloc';
  if (/^func\[\d+\]$/.test(fn)) return '(unnamed: functions wasm-opt made)';
  if (/^<(str|char|bool|[iuf](8|16|32|64|128|size)|\[.*\])>::/.test(fn)) return 'core';
  // `<Type as Trait>::method`: the type's crate, unless the type is std's (or a generic),
  // then the trait's.
  const impl = /^<+&?(?:mut )?(?:dyn )?[[(]?&?(?:mut )?(?:([A-Za-z_]\w*)::)?[^ ]*? as &?(?:([A-Za-z_]\w*)::)?/.exec(fn);
  if (impl) {
    const std = (c) => c === undefined || c === 'core' || c === 'alloc' || c === 'std';
    if (!std(impl[1])) return impl[1];
    if (!std(impl[2])) return impl[2];
    return impl[1] ?? impl[2] ?? 'core';
  }
  const path = /^<*&?(?:mut )?([A-Za-z_]\w*)::/.exec(fn);
  if (path) return path[1];
  return '(other)';
}

const total = bytes.length;
const code = bodies.reduce((sum, [, size]) => sum + size, 0);
const pct = (n, of) => `${((100 * n) / of).toFixed(1)}%`;
const fmt = (n) => n.toLocaleString('en-US');

console.log(`${file}: ${fmt(total)} bytes, ${bodies.length} functions (${names.size ? 'named' : 'NO name section: build with `make wasm-size`'})`);
console.log('');
console.log('| section | bytes | of file |');
console.log('|---|---:|---:|');
for (const { label, size } of sections.slice().sort((a, b) => b.size - a.size)) {
  if (size >= 1024) console.log(`| ${label} | ${fmt(size)} | ${pct(size, total)} |`);
}

const perCrate = new Map();
const perFunction = [];
for (const [index, size] of bodies) {
  const fn = names.get(index) ?? `func[${index}]`;
  const crate = crateOf(fn);
  const entry = perCrate.get(crate) ?? { bytes: 0, functions: 0 };
  entry.bytes += size;
  entry.functions++;
  perCrate.set(crate, entry);
  perFunction.push([size, crate, fn]);
}
console.log('');
console.log('| crate | code bytes | of code | functions |');
console.log('|---|---:|---:|---:|');
const crates = [...perCrate].sort((a, b) => b[1].bytes - a[1].bytes);
let shown = 0;
for (const [crate, { bytes: size, functions }] of crates.slice(0, TOP)) {
  console.log(`| ${crate} | ${fmt(size)} | ${pct(size, code)} | ${functions} |`);
  shown += size;
}
if (crates.length > TOP) console.log(`| ${crates.length - TOP} more crates | ${fmt(code - shown)} | ${pct(code - shown, code)} | |`);
console.log(`| **code section** | **${fmt(code)}** | | **${bodies.length}** |`);

if (FUNCTIONS > 0) {
  console.log('');
  perFunction.sort((a, b) => b[0] - a[0]);
  for (const [size, crate, fn] of perFunction.slice(0, FUNCTIONS)) console.log(`${String(size).padStart(7)}  ${crate.padEnd(20)} ${fn.slice(0, 160)}`);
}
