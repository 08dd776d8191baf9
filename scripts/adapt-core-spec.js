#!/usr/bin/env node
/**
 * Adapts Node-RED's own spec of the core http request node to oauth1-request:
 * the node type and a config node change, the assertions stay as upstream wrote them, so a
 * newer spec can be adapted again:
 *
 *   node scripts/adapt-core-spec.js [path/to/21-httprequest_spec.js]
 *
 * Input: test/core-parity/upstream/21-httprequest_spec.js (Node-RED 4.1.13, unchanged since 4.1.8; Apache-2.0) unless
 * a path is given. Output: test/core-parity/httprequest-spec.adapted.js (not committed), which
 * test/core-parity.test.ts writes anew and runs in `npm test`. Tests of features this node does not offer
 * (basic, digest and bearer authentication: the service signs) and of differences the
 * signature or this package's design requires are skipped by title, each with its reason
 * in SKIPPED below; the README lists them.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const UPSTREAM = path.join(ROOT, 'test', 'core-parity', 'upstream', '21-httprequest_spec.js');
const OUTPUT = path.join(ROOT, 'test', 'core-parity', 'httprequest-spec.adapted.js');

/** Upstream test titles not run, and why. */
const SKIPPED = {
  'should authenticate on server - basic': 'basic authentication: the OAuth1 service signs instead',
  'should authenticate on server - bearer': 'bearer authentication: the OAuth1 service signs instead',
  'should authenticate on server - digest MD5': 'digest authentication: the OAuth1 service signs instead',
  'should authenticate on server - digest MD5 sess': 'digest authentication: the OAuth1 service signs instead',
  'should authenticate on server - digest MD5 qop': 'digest authentication: the OAuth1 service signs instead',
  'should authenticate on server - digest SHA-256': 'digest authentication: the OAuth1 service signs instead',
  'should authenticate on server - digest SHA-512-256': 'digest authentication: the OAuth1 service signs instead',
  // Differences the design requires; README "Differences from the core http request node".
  'should output an error when request timeout occurred':
    'the timeout error names the URL and the time waited instead of the core text "No response from server"',
  'should output an error when request timeout occurred when set via msg.requestTimeout':
    'the timeout error names the URL and the time waited instead of the core text "No response from server"',
  'should encode the url to handle special characters':
    '[ ] | in a query are sent percent-encoded: strict OAuth servers (oauthlib) refuse them raw; they decode to the same values',
  'should use env var http_proxy': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
  'should use env var https_proxy': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
  'should not use env var http*_proxy when no_proxy is set': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
  'should use UI proxy for statically configured URL': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
  'should use UI proxy for HTTP URL passed in via msg': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
  'should use UI proxy for HTTPS URL passed in via msg': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
  'should not use UI proxy if noproxy excludes it': "spies on the core node's own proxyHelper module; the same choice is tested in test/proxy.test.ts",
};

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function adapt(source) {
  let out = source;
  const replace = (pattern, replacement, what) => {
    const next = out.replace(pattern, replacement);
    if (next === out) throw new Error(`adapt-core-spec: nothing to change for ${what}: has the upstream spec changed its shape?`);
    out = next;
  };
  replace(/require\("nr-test-utils"\)\.require\("@node-red\/nodes\/core\/network\/21-httprequest\.js"\)/, 'parity.requestNode', 'the node under test');
  replace(/require\("nr-test-utils"\)\.require\(/g, 'parity.core(', 'the core modules');
  replace(/require\(['"]proxy['"]\)/, 'parity.proxy', 'the proxy server package');
  replace(/(['"])test\/resources\/ssl\/([\w.]+)\1/g, 'parity.ssl("$2")', 'the test certificate');
  replace(/(['"])http request\1/g, "'oauth1-request'", 'the node type');
  replace(
    /(describe\('HTTP Request Node', function\(\) \{\n)/,
    `$1    let restoreHelper;\n    before(function() { restoreHelper = parity.withService(helper, () => [getTestURL(''), getSslTestURL(''), getSslClientTestURL(''), getDifferentTestURL('')]); });\n    after(function() { restoreHelper(); });\n`,
    'the service for every request node',
  );
  for (const [title, reason] of Object.entries(SKIPPED)) {
    replace(
      new RegExp(`\\bit\\((['"])${escapeRegExp(title)}\\1`, 'g'),
      `it.skip(${JSON.stringify(`${title} [not adapted: ${reason}]`)}`,
      `the skipped test "${title}"`,
    );
  }
  const header = [
    "// GENERATED by scripts/adapt-core-spec.js from Node-RED's test/nodes/core/network/21-httprequest_spec.js: do not edit, adapt again.",
    '/* eslint-disable */',
    "const parity = require('./support');",
    '',
  ].join('\n');
  return header + out;
}

/** Writes the adapted spec beside its support file; test/core-parity.test.ts calls this before every run. */
function writeAdapted(input = UPSTREAM) {
  fs.writeFileSync(OUTPUT, adapt(fs.readFileSync(input, 'utf8')));
  return OUTPUT;
}

module.exports = { adapt, writeAdapted, OUTPUT };

if (require.main === module) {
  // A newer upstream spec can be given as the argument: `node scripts/adapt-core-spec.js path/to/21-httprequest_spec.js`.
  const input = process.argv[2] ? path.resolve(process.argv[2]) : UPSTREAM;
  writeAdapted(input);
  console.log(`adapted ${path.relative(ROOT, input)} → ${path.relative(ROOT, OUTPUT)} (${Object.keys(SKIPPED).length} titles skipped)`);
}
