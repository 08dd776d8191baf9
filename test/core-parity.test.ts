/**
 * Node-RED's own spec of the core http request node, run against oauth1-request:
 * test/core-parity/httprequest-spec.adapted.js, made by scripts/adapt-core-spec.js (type and
 * config node changed, assertions as upstream wrote them).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./core-parity/httprequest-spec.adapted.js');
