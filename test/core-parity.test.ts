/**
 * Node-RED's own spec of the core http request node, run against oauth1-request: adapted
 * anew on every run by scripts/adapt-core-spec.js from the upstream copy in
 * test/core-parity/upstream (type and config node changed, assertions as upstream wrote
 * them), so the adapter, not a committed copy, is what the run checks.
 */
import { saveProxyEnvironment } from './support/proxy-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeAdapted } = require('../scripts/adapt-core-spec.js') as { writeAdapted(): string };

describe("Node-RED's spec of the core http request node, adapted", () => {
  // The spec sets proxy variables and leaves `https_proxy` behind, which would send later tests to its closed proxy.
  let restoreProxyEnvironment = (): void => undefined;
  before(() => {
    restoreProxyEnvironment = saveProxyEnvironment();
  });
  after(() => restoreProxyEnvironment());
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(writeAdapted());
});
