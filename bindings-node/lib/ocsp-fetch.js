'use strict';
// Fetches OCSP responses before verifyAsync / checkAsync decide, when the policy says
// `revocation.ocsp.fetch` (docs/decision.md#ocsp). The core lists the requests no
// current response answers (each certificate's authorityInfoAccess responder and
// CertID); each is POSTed with Node's fetch, and the answers go back to the core, which
// checks them when a path uses them and keeps each until its nextUpdate (at most 10,000
// statuses). Verifications of one certificate running at the same time share one
// request. A request that fails (no answer within the timeout, an error status, a body
// the core refuses) leaves the status unknown, which `unknown_status` decides; the sync
// verify never fetches and uses what earlier fetches left.

const { download } = require('./download');

/** How long a responder may take, ms. */
const OCSP_TIMEOUT_MS = 5000;
/** Largest response accepted. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Requests in flight, by responder and request: concurrent verifications share them. */
const inFlight = new Map();

/** POSTs one query; resolves to the response bytes, or null when the request failed. */
function post(query) {
  const key = `${query.url} ${query.request.toString('base64')}`;
  let pending = inFlight.get(key);
  if (pending === undefined) {
    pending = download(query.url, {
      timeoutMs: OCSP_TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
      body: query.request,
      contentType: 'application/ocsp-request',
    })
      .catch(() => null)
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

/** Fetches the responses `chain` lacks at `at` into the native verifier; never throws. */
async function fetchOcsp(native, chain, at) {
  const queries = native.ocspQueries(chain, at);
  if (queries.length === 0) return;
  const responses = (await Promise.all(queries.map(post))).filter((response) => response !== null);
  // A response the core refuses as malformed is as good as none: the status stays unknown.
  if (responses.length > 0) native.addOcsp(responses);
}

module.exports = { fetchOcsp, OCSP_TIMEOUT_MS };
