'use strict';
// An Express app behind a TLS-terminating proxy (nginx, HAProxy, Caddy, Apache, …) that
// forwards the client certificate in a header; the policy's `forwarded` section says
// which format and which proxies to believe (docs/forwarded.md).
//
//   node examples/forwarded-app.js POLICY.json PORT
//
// Listens on 127.0.0.1:PORT. GET / answers the client's identity as JSON; a refused
// request gets 403 {code, message} from certgate/express. Used by tests/proxies and
// `make demo-proxy`.

const http = require('node:http');
const express = require('express');
const { Verifier } = require('certgate');
const certgate = require('certgate/express');

const [policyFile, port] = process.argv.slice(2);
if (!policyFile || !port) {
  console.error('usage: node examples/forwarded-app.js POLICY.json PORT');
  process.exit(2);
}

const verifier = Verifier.fromFile(policyFile);
const app = express();
app.use(certgate(verifier));
app.get('/', (req, res) => {
  res.json({ app: 'node-express', spiffe_id: req.peer.spiffe_id, subject: req.peer.subject, forwarded: req.peer.forwarded });
});

const server = http.createServer(app);
server.listen(Number(port), '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
