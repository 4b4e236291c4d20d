// ESM entry point: the same objects as the CommonJS one.
import certgate from './index.js';

export const { BundleRefresher, CODES, CertgateError, Verifier, clientOptions, enforce, inspect, protect, serverOptions } = certgate;
export default certgate;
