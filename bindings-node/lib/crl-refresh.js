'use strict';
// Keeps CRLs fresh by themselves: downloads every CRL a policy names in
// `revocation.fetch` (its URLs, and with `from_distribution_points` the CRL distribution
// points of its anchors and intermediates) with Node's fetch, and hands the whole set to
// the core through updateCrls, which checks every CRL and swaps the set atomically.
//
// Each URL keeps its last good CRL: a failed download (an error status, a timeout, a
// body the core refuses) keeps it in force, is counted in stats() and reported through
// onError. A URL is fetched again a tenth to a fifth of its CRL's remaining time before
// nextUpdate (the jitter spreads servers started together), at most `refresh_seconds`
// later (default one hour) and at least `minRefreshSeconds` later; a failed download is
// retried after `minRefreshSeconds`. Until every URL has answered once, the policy's own
// `revocation.crls` stay in force; then the downloaded set replaces them.
// Once a CRL is past its nextUpdate, `expired_crl` decides as for any CRL.

const { describe } = require('./convert');
const { download } = require('./download');
const { CertgateError } = require('./portable');

/** Refresh ceiling when the policy sets no `refresh_seconds`. */
const DEFAULT_REFRESH_SECONDS = 3600;
/** How often a started refresher looks for a reload of the policy, ms. */
const RELOAD_CHECK_MS = 1000;
/** Largest CRL accepted from a URL. */
const MAX_CRL_BYTES = 64 * 1024 * 1024;

/**
 * Seconds until the next download of a CRL whose nextUpdate is `nextUpdate` (unix
 * seconds; null: none, so the ceiling): a tenth to a fifth of the time it has left before
 * it (`jitter` in [0, 1) spreads servers started together), within [minimum, ceiling].
 */
function nextFetchSeconds(nextUpdate, now, { ceiling, minimum, jitter }) {
  if (nextUpdate === null) return Math.max(minimum, ceiling);
  const left = nextUpdate - now;
  const early = left - (left / 10) * (1 + jitter);
  return Math.max(minimum, Math.min(ceiling, early));
}

/** The default onError: a console warning. */
function warnFetchFailure(error, url) {
  console.warn(`certgate: CRL not refreshed from ${url}: ${error.message}`);
}

/** Downloads a policy's CRLs and keeps them fresh; see the file's header. */
class CrlRefresher {
  #verifier;
  #urls;
  #options;
  #latest = new Map();
  #timers = new Map();
  #stopped = false;
  #reloads;
  #reloadWatch;

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
    this.#reloads = verifier.stats().reloads;
    if (options.start !== false) {
      for (const url of this.#urls) this.#schedule(url, 0);
      this.#reloadWatch = setInterval(() => this.#followReload(), RELOAD_CHECK_MS);
      this.#reloadWatch.unref();
    }
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
    clearInterval(this.#reloadWatch);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /**
   * After a reload of the policy, which brings its own `revocation.crls`: the downloaded
   * set goes back in force, and the URLs follow the new `revocation.fetch` (new ones are
   * downloaded now; without a fetch section the refresher stops).
   */
  #followReload() {
    const { reloads } = this.#verifier.stats();
    if (reloads === this.#reloads) return;
    this.#reloads = reloads;
    const plan = this.#verifier.crlFetch;
    if (plan === null) return this.stop();
    this.#options.ceiling = plan.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
    const added = plan.urls.filter((url) => !this.#urls.includes(url));
    for (const url of this.#urls.filter((url) => !plan.urls.includes(url))) {
      clearTimeout(this.#timers.get(url));
      this.#timers.delete(url);
      this.#latest.delete(url);
    }
    this.#urls = plan.urls;
    for (const url of added) this.#schedule(url, 0);
    if (this.#latest.size === this.#urls.length) {
      try {
        this.#apply();
      } catch (error) {
        // The new policy refuses a downloaded CRL: its URLs are downloaded again.
        (this.#options.onError ?? warnFetchFailure)(error, this.#urls.join(' '));
        this.#latest.clear();
        for (const url of this.#urls) this.#schedule(url, 0);
      }
    }
    return undefined;
  }

  /** Puts every URL's latest CRL in force; the CRL left out of `url` (a warning), if any. */
  #apply(url) {
    this.#verifier.updateCrls(this.#urls.map((each) => this.#latest.get(each)));
    const source = `crls[${this.#urls.indexOf(url)}]`;
    return this.#verifier.warnings.find((warning) => warning.source === source || warning.source.startsWith(`${source} `));
  }

  async #fetch(url) {
    try {
      const body = await download(url, { timeoutMs: this.#options.timeoutMs, maxBytes: MAX_CRL_BYTES });
      const previous = this.#latest.get(url);
      this.#latest.set(url, body);
      let generation = null;
      if (this.#latest.size === this.#urls.length) {
        let leftOut;
        try {
          leftOut = this.#apply(url);
        } catch (error) {
          // The new body is what the core refused: the last good one stays.
          if (previous === undefined) this.#latest.delete(url);
          else this.#latest.set(url, previous);
          throw error;
        }
        if (leftOut !== undefined) {
          // Well formed but unusable (e.g. not signed by its CA): back to the last good one.
          if (previous === undefined) this.#latest.delete(url);
          else {
            this.#latest.set(url, previous);
            this.#apply(url);
          }
          throw new CertgateError('INVALID_POLICY', `${url}: ${leftOut.message}`);
        }
        generation = this.#verifier.generation;
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
