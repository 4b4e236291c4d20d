// Runs in the browser: imports the --target web build, verifies the cases served at
// /cases.json and leaves what happened in window.certgateReport for the test to read.
import init, { CODES, CertgateError, Verifier } from '/pkg/web/index.js';

const report = { results: {} };
try {
  await init();
  const cases = await (await fetch('/cases.json')).json();
  for (const c of cases) {
    const verifier = new Verifier(c.policy);
    const result = {};
    try {
      result.identity = verifier.verify(c.chain, { at: new Date(c.at * 1000) });
    } catch (error) {
      result.error = {
        isCertgateError: error instanceof CertgateError,
        isError: error instanceof Error,
        name: error.name,
        code: error.code,
        certIndex: error.certIndex,
        message: error.message,
      };
    }
    result.check = verifier.check(c.chain, { at: c.at });
    report.results[c.name] = result;
  }
  report.codes = [...CODES];
  report.userAgent = navigator.userAgent;
} catch (error) {
  report.failure = String(error?.stack ?? error);
}
window.certgateReport = report;
document.getElementById('status').textContent = 'done';
