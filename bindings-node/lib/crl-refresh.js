'use strict';
// Keeps CRLs fresh by themselves: downloads every CRL a policy names in
// `revocation.fetch` (its URLs, and with `from_distribution_points` the CRL distribution
// points of its anchors and intermediates) with Node's fetch, and hands the whole set to
// the core through updateCrls, which checks every CRL and swaps the set atomically.
//
// Each URL keeps its last good CRL: a failed download (an error status, a timeout, a
// body the core refuses) keeps it in force, is counted in stats() and reported through
// onError. A URL is fetched again at half the time its CRL has left before nextUpdate (so
// a failed fetch is retried, ever sooner, while that CRL is still good), at most
// `refresh_seconds` later (default one hour), less up to a tenth at random (servers
// started together do not fetch in step), and at least `minRefreshSeconds` later. Until every URL has answered once, the
// policy's own `revocation.crls` stay in force; then the downloaded set replaces them.
// Once a CRL is past its nextUpdate, `expired_crl` decides as for any CRL.

const { describe } = require('./convert');

/** Refresh ceiling when the policy sets no `refresh_seconds`. */
const DEFAULT_REFRESH_SECONDS = 3600;
/** Largest CRL accepted from a URL. */
const MAX_CRL_BYTES = 64 * 1024 * 1024;

/**
 * Seconds until the next download of a CRL whose nextUpdate is `nextUpdate` (unix
 * seconds; null: none, so the ceiling): half the time it has left, at most `ceiling`,
 * less up to a tenth (`jitter` in [0, 1)), at least `minimum`.
 */
function nextFetchSeconds(nextUpdate, now, { ceiling, minimum, jitter }) {
  const delay = nextUpdate === null ? ceiling : Math.min(ceiling, (nextUpdate - now) / 2);
  return Math.max(minimum, delay * (1 - jitter / 10));
}

/** The default onError: a console warning. */
function warnFetchFailure(error, url) {
  console.warn(`certgate: CRL not refreshed from ${url}: ${error.message}`);
}

/** GETs `url` and resolves to the bytes of a 200 answer; anything else rejects. */
async function download(url, { timeoutMs, maxBytes }) {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${url} answered HTTP ${response.status}, not 200`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`${url} sends ${declared} bytes, more than ${maxBytes}`);
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > maxBytes) throw new Error(`${url} sent more than ${maxBytes} bytes`);
  return body;
}

/** Downloads a policy's CRLs and keeps them fresh; see the file's header. */
class CrlRefresher {
  #verifier;
  #urls;
  #options;
  #latest = new Map();
  #timers = new Map();
  #stopped = false;

  /**
   * @param verifier a Verifier whose policy has `revocation.fetch`
   * @param options { onUpdate?({ url, generation }), onError?(error, url) (default: a console warning), timeoutMs? (10000),
   *   minRefreshSeconds? (10), start? (true) }
   */
  constructor(verifier, options = {}) {
    const plan = verifier.crlFetch;
    if (plan === null) throw new TypeError('the verifier\'s policy has no revocation.fetch section');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, not ${describe(options)}`);
    }
    for (const hook of ['onUpdate', 'onError']) {
      if (options[hook] !== undefined && typeof options[hook] !== 'function') {
        throw new TypeError(`options.${hook} must be a function, not ${describe(options[hook])}`);
      }
    }
    for (const [name, fallback] of [['timeoutMs', 10_000], ['minRefreshSeconds', 10]]) {
      const value = options[name] ?? fallback;
      if (!Number.isFinite(value) || value <= 0) {
        throw new TypeError(`options.${name} must be a positive number, not ${describe(value)}`);
      }
    }
    if (plan.urls.length === 0) throw new TypeError('revocation.fetch names no URL that can be downloaded (http or https)');
    this.#verifier = verifier;
    this.#urls = plan.urls;
    this.#options = {
      ...options,
      timeoutMs: options.timeoutMs ?? 10_000,
      minimum: options.minRefreshSeconds ?? 10,
      ceiling: plan.refreshSeconds ?? DEFAULT_REFRESH_SECONDS,
    };
    if (options.start !== false) for (const url of this.#urls) this.#schedule(url, 0);
  }

  /** The URLs downloaded. */
  get urls() {
    return this.#urls.slice();
  }

  /**
   * Downloads now, every URL or `url`; resolves to one result per URL: `{ url, ok: true,
   * generation }` (generation null while other URLs have not answered yet) or
   * `{ url, ok: false, error }` (the CRL in force then stays).
   */
  async refresh(url) {
    const urls = this.#urls.filter((candidate) => url === undefined || candidate === url);
    if (urls.length === 0) throw new TypeError(`${describe(url)} is not one of the URLs downloaded`);
    const results = [];
    for (const one of urls) results.push(await this.#fetch(one));
    return results;
  }

  /** Stops downloading; a download under way still completes. */
  stop() {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async #fetch(url) {
    try {
      const body = await download(url, { timeoutMs: this.#options.timeoutMs, maxBytes: MAX_CRL_BYTES });
      const previous = this.#latest.get(url);
      this.#latest.set(url, body);
      let generation = null;
      if (this.#latest.size === this.#urls.length) {
        try {
          this.#verifier.updateCrls(this.#urls.map((each) => this.#latest.get(each)));
          generation = this.#verifier.generation;
        } catch (error) {
          // The new body is what the core refused: the last good one stays.
          if (previous === undefined) this.#latest.delete(url);
          else this.#latest.set(url, previous);
          throw error;
        }
      }
      const result = { url, ok: true, generation };
      this.#options.onUpdate?.(result);
      return result;
    } catch (error) {
      this.#verifier.recordCrlFetchFailure();
      (this.#options.onError ?? warnFetchFailure)(error, url);
      return { url, ok: false, error };
    }
  }

  /** nextUpdate of the CRL in force that came from `url`, or null. */
  #nextUpdate(url) {
    const source = `crls[${this.#urls.indexOf(url)}]`;
    const crls = this.#verifier.stats().crls.filter((crl) => crl.source === source || crl.source.startsWith(`${source} `));
    const updates = crls.map((crl) => crl.next_update).filter((time) => time !== null);
    return updates.length > 0 ? Math.min(...updates) : null;
  }

  #schedule(url, delaySeconds) {
    if (this.#stopped) return;
    const timer = setTimeout(async () => {
      const result = await this.#fetch(url);
      const delay = result.ok
        ? nextFetchSeconds(this.#nextUpdate(url), Date.now() / 1000, { ...this.#options, jitter: Math.random() })
        : this.#options.minimum;
      this.#schedule(url, delay);
    }, delaySeconds * 1000);
    timer.unref();
    this.#timers.set(url, timer);
  }
}

module.exports = { CrlRefresher, nextFetchSeconds };
