'use strict';
// certgate: mutual-TLS policy enforcement for Node.js, decided by one Rust core.

const { CODES, CertgateError, Verifier, inspect } = require('./lib/verifier');
const { enforce, serverOptions } = require('./lib/server');
const { clientOptions } = require('./lib/client');
const { BundleRefresher } = require('./lib/refresh');
const { CrlRefresher } = require('./lib/crl-refresh');
const { prometheusText } = require('./lib/portable');
const { protect } = require('./lib/request');

module.exports = {
  BundleRefresher,
  CODES,
  CertgateError,
  CrlRefresher,
  Verifier,
  clientOptions,
  enforce,
  inspect,
  prometheusText,
  protect,
  serverOptions,
};
module.exports.default = module.exports;
