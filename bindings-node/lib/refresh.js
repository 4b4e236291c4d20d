'use strict';
// Keeps SPIFFE bundles fresh: polls the bundle endpoints a policy names
// (`trust.spiffe_bundles.<domain>.endpoint`, SPIFFE Federation `https_web` profile) with
// Node's https client and hands each answer to the core, which checks it and swaps the
// domain's authorities atomically. A failed fetch or a bundle the core refuses keeps
// the bundle in force and is retried at the next interval (SPIFFE Federation §6.2).

const { X509Certificate } = require('node:crypto');
const https = require('node:https');
const { nativeOf } = require('./verifier');
const { describe } = require('./convert');

/** Refresh interval without a spiffe_refresh_hint or policy bound (SPIFFE Federation §4.1). */
const DEFAULT_REFRESH_SECONDS = 300;
/** Largest bundle accepted from an endpoint. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

/**
 * Seconds until the next fetch: the bundle's hint (a missing or zero hint means the
 * default), bounded by the policy's refresh_seconds, and never under one second.
 */
function nextRefreshSeconds(hint, refreshSeconds) {
  const hinted = hint > 0 ? hint : DEFAULT_REFRESH_SECONDS;
  return Math.max(1, Math.min(hinted, refreshSeconds ?? Infinity));
}

/**
 * GETs `url` over https and resolves to the body of a 200 answer, refusing anything else
 * (another status, a redirect, a body over `maxBytes`, no answer within `timeoutMs`).
 */
function fetchBytes(url, { ca, timeoutMs, maxBytes }) {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca: ca.length > 0 ? ca : undefined, timeout: timeoutMs }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`${url} answered HTTP ${response.statusCode}, not 200`));
        return;
      }
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size > maxBytes) {
          request.destroy(new Error(`${url} sent more than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${url} did not answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/**
 * Polls every SPIFFE bundle endpoint of a verifier's policy: at once, then every
 * `min(bundle's spiffe_refresh_hint, policy's refresh_seconds)` seconds (300 when
 * neither is set). Timers do not keep the process alive.
 */
class BundleRefresher {
  #verifier;
  #endpoints;
  #options;
  #timers = new Map();
  #hints = new Map();
  #stopped = false;

  /**
   * @param verifier a Verifier whose policy names bundle endpoints
   * @param options { onUpdate?(update), onError?(error, trustDomain), timeoutMs? (10000), start? (true) }
   */
  constructor(verifier, options = {}) {
    this.#endpoints = nativeOf(verifier).bundleEndpoints();
    this.#verifier = verifier;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, not ${describe(options)}`);
    }
    for (const hook of ['onUpdate', 'onError']) {
      if (options[hook] !== undefined && typeof options[hook] !== 'function') {
        throw new TypeError(`options.${hook} must be a function, not ${describe(options[hook])}`);
      }
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`options.timeoutMs must be a positive number, not ${describe(timeoutMs)}`);
    }
    this.#options = { ...options, timeoutMs };
    if (this.#endpoints.length === 0) {
      throw new TypeError("the verifier's policy names no SPIFFE bundle endpoint (trust.spiffe_bundles.<domain>.endpoint)");
    }
    if (options.start !== false) {
      for (const endpoint of this.#endpoints) this.#schedule(endpoint, 0);
    }
  }

  /** The trust domains polled. */
  get trustDomains() {
    return this.#endpoints.map((endpoint) => endpoint.trustDomain);
  }

  /**
   * Fetches now, every endpoint or the one of `trustDomain`; resolves to one result per
   * endpoint: `{ trustDomain, ok: true, authorities, refreshHint, sequence }` or
   * `{ trustDomain, ok: false, error }` (the bundle in force then stays).
   */
  async refresh(trustDomain) {
    const endpoints = this.#endpoints.filter((endpoint) => trustDomain === undefined || endpoint.trustDomain === trustDomain);
    if (endpoints.length === 0) throw new TypeError(`no bundle endpoint for trust domain ${describe(trustDomain)}`);
    return Promise.all(endpoints.map((endpoint) => this.#poll(endpoint)));
  }

  /** Stops polling; a fetch under way still completes. */
  stop() {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async #poll(endpoint) {
    const { trustDomain } = endpoint;
    let result;
    try {
      const body = await fetchBytes(endpoint.url, {
        // Node's `ca` takes PEM, not DER.
        ca: endpoint.serverCaCertificates.map((der) => new X509Certificate(der).toString()),
        timeoutMs: this.#options.timeoutMs,
        maxBytes: MAX_BUNDLE_BYTES,
      });
      const update = this.#verifier.updateSpiffeBundle(trustDomain, body);
      this.#hints.set(trustDomain, update.refreshHint);
      result = { trustDomain, ok: true, ...update };
      this.#options.onUpdate?.(result);
    } catch (error) {
      result = { trustDomain, ok: false, error };
      this.#options.onError?.(error, trustDomain);
    }
    return result;
  }

  #schedule(endpoint, delaySeconds) {
    if (this.#stopped) return;
    const timer = setTimeout(async () => {
      await this.#poll(endpoint);
      this.#schedule(endpoint, nextRefreshSeconds(this.#hints.get(endpoint.trustDomain), endpoint.refreshSeconds));
    }, delaySeconds * 1000);
    timer.unref();
    this.#timers.set(endpoint.trustDomain, timer);
  }
}

module.exports = { BundleRefresher, nextRefreshSeconds };
