#!/usr/bin/env node
// make dist-node: the npm packages of the Node addon, laid out the napi-rs way, packed
// into DIST (argument 1):
// - one package per platform of package.json's napi.targets, carrying only the addon
//   (npm/<platform>/package.json as `napi create-npm-dirs` writes it, plus the .node
//   that `npm run build` put in lib/);
// - the main package (the JS, the types and the napi-rs loader lib/native.js, no
//   addon), whose optionalDependencies name each platform package at this version, as
//   `napi pre-publish` adds them; npm installs the one matching the user's os/cpu/libc.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = path.resolve(__dirname, '..');
const dist = path.resolve(process.argv[2] ?? path.join(here, '..', 'target', 'dist'));
const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const pack = (dir) => JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dist], dir))[0].filename;
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

fs.mkdirSync(dist, { recursive: true });
const npmDir = path.join(here, 'npm');
fs.rmSync(npmDir, { recursive: true, force: true });
run(path.join(here, 'node_modules', '.bin', 'napi'), ['create-npm-dirs', '--npm-dir', 'npm'], here);

const main = readJson(path.join(here, 'package.json'));
const optionalDependencies = {};
for (const platform of fs.readdirSync(npmDir).sort()) {
  const dir = path.join(npmDir, platform);
  const manifest = readJson(path.join(dir, 'package.json'));
  const addon = path.join(here, 'lib', manifest.main);
  if (!fs.existsSync(addon)) {
    throw new Error(`${manifest.main} is not built (run \`make node-build\` on a ${platform} machine)`);
  }
  fs.copyFileSync(addon, path.join(dir, manifest.main));
  optionalDependencies[manifest.name] = manifest.version;
  console.log(`${pack(dir)}: ${manifest.main}`);
}

// The main package: exactly the files `npm pack` takes from bindings-node, with the
// optionalDependencies added and what only building it needs removed.
const stage = path.join(npmDir, '.main');
const files = JSON.parse(run('npm', ['pack', '--dry-run', '--json'], here))[0].files.map((file) => file.path);
for (const file of files) {
  fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
  fs.copyFileSync(path.join(here, file), path.join(stage, file));
}
const { scripts, devDependencies, ...published } = main;
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify({ ...published, optionalDependencies }, null, 2)}\n`);
console.log(`${pack(stage)}: ${files.length} files, optionalDependencies ${Object.keys(optionalDependencies).join(', ')}`);
