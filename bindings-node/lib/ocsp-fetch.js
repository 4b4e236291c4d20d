'use strict';
// Fetches OCSP responses for verifyAsync / checkAsync, when the policy says
// `revocation.ocsp.fetch` (docs/decision.md#ocsp). A verification that lacked an OCSP
// answer a fetch could give comes back from the core with the requests to make instead
// (each certificate's authorityInfoAccess responder and CertID); each is POSTed with
// Node's fetch, the answers go to the core, which checks them when a path uses them and
// keeps each until its nextUpdate (at most 10,000 statuses), and the verification runs
// again. Verifications of one certificate running at the same time share one
// request. A request that fails (no answer within the timeout, an error status, a body
// the core refuses) leaves the status unknown, which `unknown_status` decides; the sync
// verify never fetches and uses what earlier fetches left.

const { download } = require('./download');

/** How long a responder may take, ms. */
const OCSP_TIMEOUT_MS = 5000;
/** Largest response accepted. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Requests in flight, per native verifier, by responder and request: concurrent
 * verifications share one, and it ends only once its answer is in the verifier, so a
 * verification that starts meanwhile finds either the request or its answer.
 */
const inFlight = new WeakMap();

/** POSTs one query and adds the answer to `native`; resolves when done, never rejects. */
function fetchInto(native, query) {
  let pending = inFlight.get(native);
  if (pending === undefined) inFlight.set(native, (pending = new Map()));
  const request = Buffer.from(query.request);
  const key = `${query.url} ${request.toString('base64')}`;
  let shared = pending.get(key);
  if (shared === undefined) {
    shared = download(query.url, {
      timeoutMs: OCSP_TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
      body: request,
      contentType: 'application/ocsp-request',
    })
      // A response the core refuses as malformed is as good as none: the status stays unknown.
      .then((response) => native.addOcsp([response]))
      .catch(() => null)
      .finally(() => pending.delete(key));
    pending.set(key, shared);
  }
  return shared;
}

/** Fetches the planned `queries` (`[{url, request}]`) into the native verifier; never throws. */
async function fetchOcsp(native, queries) {
  await Promise.all(queries.map((query) => fetchInto(native, query)));
}

module.exports = { fetchOcsp, OCSP_TIMEOUT_MS };
