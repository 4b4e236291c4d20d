'use strict';
// One HTTP exchange with Node's fetch, for what the bindings download: CRLs (GET) and
// OCSP responses (POST of the request).

/**
 * GETs `url` — or POSTs `body` with `contentType` when a body is given — and resolves to
 * the bytes of a 200 answer; anything else rejects (another status, a body over
 * `maxBytes`, no answer within `timeoutMs`).
 */
async function download(url, { timeoutMs, maxBytes, body, contentType }) {
  const init = { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' };
  if (body !== undefined) Object.assign(init, { method: 'POST', body, headers: { 'content-type': contentType } });
  const response = await fetch(url, init);
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${url} answered HTTP ${response.status}, not 200`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`${url} sends ${declared} bytes, more than ${maxBytes}`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw new Error(`${url} sent more than ${maxBytes} bytes`);
  return bytes;
}

module.exports = { download };
