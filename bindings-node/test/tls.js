'use strict';
// Helpers for tests with real TLS servers on 127.0.0.1 and real clients.

const { execFile } = require('node:child_process');
const path = require('node:path');
const { demo, demoFile } = require('./fixtures');

/** The five demo clients and what the demo policy says about each. */
const CLIENTS = {
  allowed: null,
  revoked: 'REVOKED',
  'wrong-spiffe': 'NOT_AUTHORIZED',
  expired: 'EXPIRED',
  untrusted: 'UNKNOWN_ISSUER',
};

/** Paths and contents of the demo PKI. */
function demoPki() {
  const dir = demo();
  return {
    dir,
    file: (name) => path.join(dir, name),
    text: demoFile,
    policy: JSON.parse(demoFile('policy.json')),
    server: { key: demoFile('server.key'), cert: demoFile('server.pem') },
    client: (name) => ({ key: demoFile(`${name}.key`), cert: demoFile(`${name}.pem`) }),
  };
}

/** Starts `server` on 127.0.0.1 with an OS-chosen port; resolves to the port. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** Stops `server`, dropping the connections it still holds. */
function close(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Runs a client program with a hard timeout; resolves to { code, stdout, stderr } (never rejects). */
function run(command, args, { input, timeout = 15000 } = {}) {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Resolves once `predicate(text)` holds for what `stream` has written, within 10 s. */
function waitFor(stream, predicate, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got:\n${text}`)), 10000);
    const onData = (chunk) => {
      text += chunk;
      const found = predicate(text);
      if (found) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(found);
      }
    };
    stream.on('data', onData);
  });
}

module.exports = { CLIENTS, close, demoPki, listen, run, waitFor };
