'use strict';
// Shared test data: the cross-language vectors (pinned to a fixed instant) and the demo PKI
// (valid now, for real TLS handshakes).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const VECTORS = path.join(ROOT, 'tests', 'vectors');

/** tests/vectors/cases.json, parsed. */
function cases() {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, 'cases.json'), 'utf8')).cases;
}

/** The first case with this name. */
function vector(name) {
  const found = cases().find((c) => c.name === name);
  if (!found) throw new Error(`no vector named ${name} in tests/vectors/cases.json`);
  return found;
}

/** A file of tests/vectors/pki, as text. */
function pki(file) {
  return fs.readFileSync(path.join(VECTORS, 'pki', file), 'utf8');
}

let demoDir;

/**
 * The demo PKI (valid now): CERTGATE_DEMO_DIR when set (make passes the one it generated),
 * otherwise generated once per test process into a temporary directory, removed on exit.
 * Files: ca.pem, intermediate.pem, crl.pem, policy.json, server.{pem,key} and
 * {allowed,revoked,wrong-spiffe,expired,untrusted}.{pem,key} (leaf + intermediate).
 */
function demo() {
  if (demoDir) return demoDir;
  if (process.env.CERTGATE_DEMO_DIR) {
    demoDir = process.env.CERTGATE_DEMO_DIR;
  } else {
    demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-demo-'));
    process.on('exit', () => fs.rmSync(demoDir, { recursive: true, force: true }));
    execFileSync(
      process.env.CARGO || 'cargo',
      ['run', '-q', '--release', '-p', 'certgate-vectors', '--', 'demo', demoDir],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }
    );
  }
  return demoDir;
}

/** A file of the demo PKI, as text. */
function demoFile(file) {
  return fs.readFileSync(path.join(demo(), file), 'utf8');
}

module.exports = { ROOT, VECTORS, cases, demo, demoFile, pki, vector };
