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

/** A chain item or `cert` of a case: a string is text, an array of numbers is bytes. */
function caseItem(value) {
  return Array.isArray(value) ? Uint8Array.from(value) : value;
}

/** A case's chain, each item as caseItem() gives it. */
function caseChain(c) {
  return c.chain.map(caseItem);
}

/** Where a `{"dir": ...}` reference reads, by the key it stands under (as core's loader). */
const DIR_EXTENSIONS = {
  certificates: ['.pem', '.crt', '.cer', '.p7b', '.p7c'],
  anchors: ['.pem', '.crt', '.cer', '.p7b', '.p7c', '.json'],
  crls: ['.pem', '.crl'],
};

/**
 * A policy file of the vectors with its file references replaced by the files' bytes:
 * how the WASM build (which reads no files) is handed a `policy_file` case. A reference
 * to a file that does not exist stays a reference, which the core then refuses.
 */
function resolvedPolicyFile(file) {
  const policyPath = path.join(VECTORS, file);
  const base = path.dirname(policyPath);
  const policy = JSON.parse(fs.readFileSync(policyPath, 'utf8'));
  const read = (name) => Uint8Array.from(fs.readFileSync(path.join(base, name)));
  const resolve = (sources, kind) =>
    [sources].flat().flatMap((source) => {
      if (source?.file) return fs.existsSync(path.join(base, source.file)) ? [read(source.file)] : [source];
      if (source?.dir) {
        return fs
          .readdirSync(path.join(base, source.dir))
          .filter((name) => !name.startsWith('.') && DIR_EXTENSIONS[kind].includes(path.extname(name).toLowerCase()))
          .sort()
          .map((name) => read(path.join(source.dir, name)));
      }
      return [source];
    });
  if (policy.trust.anchors) policy.trust.anchors = resolve(policy.trust.anchors, 'anchors');
  if (policy.trust.intermediates) policy.trust.intermediates = resolve(policy.trust.intermediates, 'certificates');
  for (const [domain, bundle] of Object.entries(policy.trust.spiffe_bundles ?? {})) {
    if (bundle?.endpoint) continue;
    policy.trust.spiffe_bundles[domain] = resolve(bundle, 'anchors');
  }
  if (policy.revocation?.crls) policy.revocation.crls = resolve(policy.revocation.crls, 'crls');
  return policy;
}

/**
 * A case's verifier: from `policy`, or from `policy_file` through Verifier.fromFile where
 * the build has it (native), else resolved by resolvedPolicyFile (WASM).
 */
function caseVerifier(certgate, c) {
  if (!c.policy_file) return new certgate.Verifier(c.policy);
  if (typeof certgate.Verifier.fromFile === 'function') {
    return certgate.Verifier.fromFile(path.join(VECTORS, c.policy_file));
  }
  return new certgate.Verifier(resolvedPolicyFile(c.policy_file));
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

module.exports = {
  ROOT,
  VECTORS,
  caseChain,
  caseItem,
  caseVerifier,
  cases,
  demo,
  demoFile,
  pki,
  resolvedPolicyFile,
  vector,
};
