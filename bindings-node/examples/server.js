'use strict';
// An https server whose every connection is admitted or refused by certgate.
//
//   node examples/server.js PKI_DIR [PORT]
//
// PKI_DIR holds policy.json (a certgate policy; the files it names are read relative to
// it) and the server's server.pem / server.key; `certgate pki init PKI_DIR` and
// `certgate pki issue PKI_DIR server --server --dns localhost --ip 127.0.0.1` make one.
// The policy is watched: a revocation (`certgate pki revoke`) or any edit applies
// without a restart. Listens on 127.0.0.1 (PORT 0 or absent: any free port) and prints
// `listening https://127.0.0.1:PORT`, then one tab-separated line per connection:
// `admitted|refused  CODE|-  SUBJECT  SPIFFE_ID|-`; reloads are reported on stderr.

const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { Verifier, enforce, inspect, serverOptions } = require('..');

const [dir, port = '0'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node examples/server.js PKI_DIR [PORT]');
  process.exit(2);
}
const read = (file) => fs.readFileSync(path.join(dir, file), 'utf8');

const verifier = Verifier.fromFile(path.join(dir, 'policy.json'), {
  watch: true,
  onReload: (generation) => console.error(`policy reloaded: generation ${generation}`),
  onError: (error) => console.error(`policy not reloaded: ${error.message}`),
});
const log = (...fields) => console.log(fields.map((field) => field ?? '-').join('\t'));

const server = https.createServer(
  serverOptions(verifier, { key: read('server.key'), cert: read('server.pem') }),
  (req, res) => {
    // enforce() ran before this handler could exist: only admitted peers get here.
    const peer = req.socket.certgate;
    res.setHeader('content-type', 'application/json');
    res.end(`${JSON.stringify({ hello: peer.spiffe_id ?? peer.subject, subject: peer.subject, matched_rule: peer.matched_rule })}\n`);
  }
);

enforce(server, verifier, {
  onReject(error, socket) {
    // Who was refused, for the log only (the decision is already made).
    const leaf = socket.getPeerCertificate();
    let who = null;
    try {
      who = leaf?.raw ? inspect(leaf.raw) : null;
    } catch {
      // an unparsable certificate: log it without a name
    }
    log('refused', error.code, who?.subject, who?.spiffe_id);
  },
});
server.on('secureConnection', (socket) => {
  if (socket.certgate) log('admitted', null, socket.certgate.subject, socket.certgate.spiffe_id);
});

server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening https://127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    verifier.close();
    server.close(() => process.exit(0)).closeAllConnections();
  });
}
