// ESM entry point: the same objects as the CommonJS one.
import certgate from './index.js';

export const { BundleRefresher, CODES, CertgateError, CrlRefresher, Verifier, clientOptions, enforce, inspect, prometheusText, protect, serverOptions } = certgate;
export default certgate;
