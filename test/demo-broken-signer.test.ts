/**
 * Guard for the demo's verifier: it must refuse what a broken signer sends, even when the
 * package itself is the broken one. The package's signing module (src/lib/oauth1) is
 * replaced, for the demo loaded here, by a copy that puts the HTTP method in lower case in
 * the base string (RFC 5849 §3.4.1.1 wants upper case) and, in a second copy, hashes every
 * body with SHA-1. A demo that checked signatures by re-signing with the package would load
 * the broken copy too, agree with it and answer 200: this test fails against such a demo.
 *
 * The package signs through oauth-1.0a, and the requests oauth-1.0a cannot sign as RFC 5849
 * does through its own base string: the edge cases below send each of those once, so that a
 * bug in either path fails here (the real signer's request is then refused).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import * as realOAuth1 from '../src/lib/oauth1';
import type { SignatureMethod, SignedRequest, SigningOptions, SigningOverrides } from '../src/lib/oauth1';

type OAuth1Module = typeof realOAuth1;
type DemoServerModule = typeof import('../demo/server');

const OAUTH1_PATH = require.resolve('../src/lib/oauth1');
const DEMO_DIR = path.resolve(__dirname, '../demo') + path.sep;

/** The signature of `baseString` as the package makes it, with the real module's own pieces. */
function signBaseString(method: SignatureMethod, baseString: string, privateKeyPem: string | undefined, tokenSecret: string): string {
  const privateKey = realOAuth1.usesPrivateKey(method) ? realOAuth1.parsePrivateKey(privateKeyPem, method) : undefined;
  const key = `${realOAuth1.percentEncode(DEMO_CREDENTIALS.consumerSecret)}&${realOAuth1.percentEncode(tokenSecret)}`;
  return realOAuth1.hashFunction(method, privateKey)(baseString, key);
}

/** Puts `signature` in place of the one the real signer wrote, in the header or the query. */
function withSignature(signed: SignedRequest, signature: string): SignedRequest {
  const encoded = realOAuth1.percentEncode(signature);
  const headers = { ...signed.headers };
  if (headers.Authorization) headers.Authorization = headers.Authorization.replace(/oauth_signature="[^"]*"/, `oauth_signature="${encoded}"`);
  return {
    url: signed.url.replace(/([?&]oauth_signature=)[^&]*/, `$1${encoded}`),
    headers,
    oauthParams: { ...signed.oauthParams, oauth_signature: signature },
    record: signed.record,
  };
}

type Breakage = 'lower-case method' | 'SHA-1 body hash';

/** One request to the demo: a JSON body or a form body (whose parameters are signed). */
interface GuardRequest {
  method: string;
  url: string;
  body?: string;
  form?: boolean;
}

/** A request that the package signs off oauth-1.0a's path (or, for the realm, writes its own header for). */
interface EdgeCase {
  name: string;
  signing: Omit<SigningOptions, 'clockOffsetMs'>;
  request: (server: { url: string }) => GuardRequest;
  overrides?: SigningOverrides;
}

const EDGE_CASES: readonly EdgeCase[] = [
  {
    name: 'without oauth_version',
    signing: {},
    request: (server) => ({ method: 'GET', url: `${server.url}/users/v1/me` }),
    overrides: { includeVersion: false },
  },
  {
    name: 'with a __proto__ query parameter',
    signing: { placement: 'query' },
    request: (server) => ({ method: 'GET', url: `${server.url}/users/v1/me?__proto__=guard&select(id)` }),
  },
  {
    name: 'with oauth_* parameters in a form body',
    signing: { signatureMethod: 'HMAC-SHA256', realm: NETSUITE_DEMO_ACCOUNT },
    request: (server) => ({
      method: 'POST',
      url: `${server.url}/netsuite/app/site/hosting/restlet.nl?script=7&deploy=1`,
      body: 'oauth_note=guard&name=demo+user',
      form: true,
    }),
  },
  {
    name: 'with an empty realm',
    signing: { realm: '' },
    request: (server) => ({ method: 'GET', url: `${server.url}/users/v1/me` }),
  },
];

/** A copy of the package's signing module with one bug; everything it does not break is the real thing. */
function brokenOAuth1(breakage: Breakage): OAuth1Module {
  const brokenBaseString: OAuth1Module['signatureBaseString'] = (method, baseUri, parameters) =>
    realOAuth1.signatureBaseString(method, baseUri, parameters).replace(/^[^&]*/, breakage === 'lower-case method' ? method.toLowerCase() : method);

  class BrokenSigner extends realOAuth1.OAuth1Signer {
    constructor(
      private readonly brokenCredentials: realOAuth1.OAuth1Credentials,
      private readonly brokenOptions: Omit<realOAuth1.SigningOptions, 'clockOffsetMs'> = {},
    ) {
      super(brokenCredentials, brokenOptions);
    }

    override sign(...args: Parameters<realOAuth1.OAuth1Signer['sign']>): SignedRequest {
      const [request] = args;
      const signed = super.sign(...args);
      const method: SignatureMethod = this.brokenOptions.signatureMethod ?? 'HMAC-SHA1';
      const oauthParams = { ...signed.oauthParams };
      delete oauthParams.oauth_signature;
      if (breakage === 'SHA-1 body hash' && oauthParams.oauth_body_hash !== undefined) {
        oauthParams.oauth_body_hash = createHash('sha1')
          .update(request.body ?? Buffer.alloc(0))
          .digest('base64');
      }
      const { baseUri, queryPairs } = realOAuth1.normalizeUrl(request.url);
      const formPairs = request.formBody === undefined ? [] : realOAuth1.parseParameters(request.formBody);
      const baseString = brokenBaseString(request.method, baseUri, [...queryPairs, ...formPairs, ...Object.entries(oauthParams)]);
      const tokenSecret = this.brokenCredentials.token ? (this.brokenCredentials.tokenSecret ?? '') : '';
      const resigned = withSignature(signed, signBaseString(method, baseString, this.brokenCredentials.privateKey, tokenSecret));
      if (breakage !== 'SHA-1 body hash' || signed.oauthParams.oauth_body_hash === undefined) return resigned;
      const hash = realOAuth1.percentEncode(oauthParams.oauth_body_hash);
      return {
        url: resigned.url.replace(/([?&]oauth_body_hash=)[^&]*/, `$1${hash}`),
        headers: resigned.headers.Authorization
          ? { Authorization: resigned.headers.Authorization.replace(/oauth_body_hash="[^"]*"/, `oauth_body_hash="${hash}"`) }
          : resigned.headers,
        oauthParams: { ...resigned.oauthParams, oauth_body_hash: oauthParams.oauth_body_hash },
        record: resigned.record,
      };
    }
  }

  const bodyHashDigests = Object.fromEntries(realOAuth1.SIGNATURE_METHODS.map((method) => [method, 'SHA-1'])) as Record<SignatureMethod, string>;
  return {
    ...realOAuth1,
    OAuth1Signer: BrokenSigner,
    signatureBaseString: brokenBaseString,
    ...(breakage === 'SHA-1 body hash' ? { BODY_HASH_DIGESTS: bodyHashDigests } : {}),
  };
}

/** Loads the demo afresh with `oauth1` in place of src/lib/oauth1; `restore` puts the module cache back. */
function loadDemoWith(oauth1: OAuth1Module): { demo: DemoServerModule; restore: () => void } {
  const saved = Object.entries(require.cache).filter(([file]) => file === OAUTH1_PATH || file.startsWith(DEMO_DIR));
  for (const [file] of saved) delete require.cache[file];
  require.cache[OAUTH1_PATH] = { id: OAUTH1_PATH, filename: OAUTH1_PATH, loaded: true, exports: oauth1 } as NodeJS.Module;
  // A fresh load is the point: an import would give the demo already loaded with the real signer.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const demo = require('../demo/server') as DemoServerModule;
  return {
    demo,
    restore: () => {
      for (const file of Object.keys(require.cache)) if (file === OAUTH1_PATH || file.startsWith(DEMO_DIR)) delete require.cache[file];
      for (const [file, module] of saved) require.cache[file] = module;
    },
  };
}

describe('demo verifier against a broken signer (guard: the demo does not check the package with the package)', () => {
  for (const breakage of ['lower-case method', 'SHA-1 body hash'] as const) {
    describe(`a signer with a ${breakage}`, () => {
      const broken = brokenOAuth1(breakage);
      let server: Awaited<ReturnType<DemoServerModule['startDemoServer']>>;
      let restore: () => void;

      before(async () => {
        const loaded = loadDemoWith(broken);
        restore = loaded.restore;
        server = await loaded.demo.startDemoServer();
      });

      after(async () => {
        await server.close();
        restore();
      });

      function send(signer: realOAuth1.OAuth1Signer, request: GuardRequest, overrides?: SigningOverrides): Promise<Response> {
        const { method, url, body, form } = request;
        const bytes = body === undefined ? undefined : Buffer.from(body);
        const signed = signer.sign({ method, url, body: bytes, ...(form ? { formBody: body } : {}) }, undefined, overrides);
        const headers: Record<string, string> = { ...signed.headers };
        if (body !== undefined) headers['Content-Type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
        return fetch(signed.url, { method, headers, body });
      }

      if (breakage === 'lower-case method') {
        // PLAINTEXT signs no base string: a lower-case method cannot change it.
        for (const signatureMethod of realOAuth1.SIGNATURE_METHODS.filter((method) => method !== 'PLAINTEXT')) {
          for (const placement of realOAuth1.PLACEMENTS) {
            it(`refuses ${signatureMethod} in the ${placement} (401), and accepts the real signer's request`, async () => {
              const credentials = { ...DEMO_CREDENTIALS, privateKey: server.rsaPrivateKey };
              const url = `${server.url}/users/v1/me?select(id)`;
              const refused = await send(new broken.OAuth1Signer(credentials, { signatureMethod, placement }), { method: 'GET', url });
              assert.equal(refused.status, 401, await refused.text());
              const accepted = await send(new realOAuth1.OAuth1Signer(credentials, { signatureMethod, placement }), { method: 'GET', url });
              assert.equal(accepted.status, 200, await accepted.text());
            });
          }
        }
        for (const edge of EDGE_CASES) {
          it(`refuses a request ${edge.name} (401), and accepts the real signer's request`, async () => {
            const request = edge.request(server);
            const refused = await send(new broken.OAuth1Signer(DEMO_CREDENTIALS, edge.signing), request, edge.overrides);
            assert.equal(refused.status, 401, await refused.text());
            const accepted = await send(new realOAuth1.OAuth1Signer(DEMO_CREDENTIALS, edge.signing), request, edge.overrides);
            assert.equal(accepted.status, 200, await accepted.text());
          });
        }
      } else {
        for (const signatureMethod of ['HMAC-SHA256', 'HMAC-SHA512', 'RSA-SHA256'] as const) {
          it(`refuses a SHA-1 body hash with ${signatureMethod} (401), and accepts the real signer's request`, async () => {
            const credentials = { ...DEMO_CREDENTIALS, privateKey: server.rsaPrivateKey };
            const url = `${server.baseUrls.bodyHash}/events`;
            const request = { method: 'POST', url, body: '{"event":"ping"}' };
            const refused = await send(new broken.OAuth1Signer(credentials, { signatureMethod, bodyHash: true }), request);
            assert.equal(refused.status, 401, await refused.text());
            const accepted = await send(new realOAuth1.OAuth1Signer(credentials, { signatureMethod, bodyHash: true }), request);
            assert.equal(accepted.status, 200, await accepted.text());
          });
        }
      }
    });
  }
});
