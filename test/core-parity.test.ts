/**
 * Node-RED's own spec of the core http request node, run against oauth1-request: adapted
 * anew on every run by scripts/adapt-core-spec.js from the upstream copy in
 * test/core-parity/upstream (type and config node changed, assertions as upstream wrote
 * them), so the adapter, not a committed copy, is what the run checks.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeAdapted } = require('../scripts/adapt-core-spec.js') as { writeAdapted(): string };

/** The proxy variables the spec sets; it leaves `https_proxy` behind, which would send later tests to its closed proxy. */
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY'];

describe("Node-RED's spec of the core http request node, adapted", () => {
  const saved = new Map<string, string | undefined>();
  before(() => {
    for (const name of PROXY_VARIABLES) saved.set(name, process.env[name]);
  });
  after(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(writeAdapted());
});
