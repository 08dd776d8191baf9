/**
 * Service presets: what each OAuth 1.0a API that Node-RED users meet needs, in one table.
 * The runtime uses it (the "Test connection" probe) and the editor gets it from the same
 * compiled module, so a preset's facts exist once. A preset only fills defaults: every
 * field stays editable in the dialog.
 */
import type { RefusalCause } from './refusal';
import type { Placement, SignatureMethod } from './constants';

export type PresetId =
  'extrahorizon' | 'alteryx-gallery' | 'alteryx-server' | 'netsuite' | 'x' | 'woocommerce' | 'magento' | 'atlassian' | 'garmin' | 'discogs' | 'custom';

/** Config node properties a preset may fill, by their names in the flow. */
export interface PresetSettings {
  baseUrl: string;
  scheme: 'oauth1' | 'oauth2';
  placement: Placement;
  signatureMethod: SignatureMethod;
  realm: string;
  bodyHash: boolean;
  extraOrigins: string;
  /** Absolute, or relative to the base URL. */
  requestTokenUrl: string;
  authorizeUrl: string;
  accessTokenUrl: string;
}

/** The service's limits where it documents them, as the config node's fields name them: requests in flight, requests per period (seconds), seconds to wait. */
export interface PresetLimits {
  maxConcurrent: number;
  rateLimit: number;
  ratePeriod: number;
  maxWait: number;
}

/**
 * The cheapest signed read that proves the credentials work. `identity` names the fields of
 * the JSON answer that say who is signed in (dotted paths, first found wins); `count` says
 * the answer is a list whose length is the result (Alteryx' workflows).
 */
export interface Probe {
  path: string;
  identity?: string[];
  count?: 'workflow';
}

/** How the token pair is obtained: none (1-legged), pasted from the provider, the 3-legged dance, or a password sign-in. */
export type TokenSource = 'none' | 'provider' | 'three-legged' | 'password';

export interface ServicePreset {
  id: PresetId;
  label: string;
  settings: Partial<PresetSettings>;
  /** Shown as the base URL's placeholder: the shape of the user's own URL. */
  baseUrlExample?: string;
  tokens: TokenSource;
  /** Filled into the limit fields; the help says where each value comes from. */
  limits?: Partial<PresetLimits>;
  probe?: Probe;
  /** The NetSuite account id field: realm and hosts are derived from it. */
  accountId?: boolean;
  /** One paragraph for the dialog: where each value comes from. HTML. */
  help: string;
  /** The provider's own documentation; where we found none, the title says so. */
  docs: Array<{ title: string; url: string }>;
}

const EXTRA_HORIZON_USER = ['first_name', 'email', 'id'];

export const PRESETS: readonly ServicePreset[] = [
  {
    id: 'extrahorizon',
    label: 'Extra Horizon',
    settings: { scheme: 'oauth1', placement: 'header', signatureMethod: 'HMAC-SHA1' },
    baseUrlExample: 'https://api.<your cluster>.extrahorizon.io',
    tokens: 'password',
    probe: { path: 'users/v1/me', identity: EXTRA_HORIZON_USER },
    help:
      'Consumer key and secret identify your OAuth1 application: Extra Horizon sends them after commissioning. ' +
      'The token pair is personal: generate it in the Control Center (Authentication → OAuth Applications → Generate), ' +
      'or sign in with your email and password below. It does not expire.',
    docs: [{ title: 'Extra Horizon: API specifications', url: 'https://docs.extrahorizon.com/extrahorizon/api-reference/api-specs' }],
  },
  {
    id: 'alteryx-gallery',
    label: 'Alteryx Gallery (Server 2021.4 and older)',
    settings: { scheme: 'oauth1', placement: 'query', signatureMethod: 'HMAC-SHA1' },
    baseUrlExample: 'https://<server>/gallery/api',
    tokens: 'none',
    probe: { path: 'v1/workflows/subscription/', count: 'workflow' },
    help:
      'The API key and secret of a Gallery subscription (your profile → Keys) are the consumer key and secret; ' +
      "there is no token (1-legged). The signature goes into the query string, as the Gallery's own examples do. " +
      'Alteryx Server 2022.1 removed these OAuth 1.0a endpoints: use the "Alteryx Server 2022.1+" preset there.',
    docs: [
      {
        title: 'Alteryx Community: run a job with the Server API',
        url: 'https://community.alteryx.com/t5/Alteryx-Server-Discussions/How-to-Run-a-Job-Using-Alteryx-Server-API-and-Python/td-p/314577',
      },
    ],
  },
  {
    id: 'alteryx-server',
    label: 'Alteryx Server 2022.1+ (OAuth 2)',
    settings: { scheme: 'oauth2' },
    baseUrlExample: 'https://<server>/webapi',
    tokens: 'none',
    probe: { path: 'v1/workflows/subscription/', count: 'workflow' },
    help:
      'The API access key and secret from your Server profile are the OAuth 2 client id and secret: they are exchanged at ' +
      '<code>&lt;base URL&gt;/oauth2/token</code> for a bearer token, renewed before it expires.',
    docs: [{ title: 'Alteryx Server: API overview (OAuth 2 under the Web API address)', url: 'https://help.alteryx.com/20231/en/server/api-overview.html' }],
  },
  {
    id: 'netsuite',
    label: 'NetSuite (token-based authentication)',
    settings: { scheme: 'oauth1', placement: 'header', signatureMethod: 'HMAC-SHA256' },
    // The account's concurrency limit on the shared service tier without SuiteCloud Plus ("Concurrency Governance Limits").
    limits: { maxConcurrent: 5 },
    baseUrlExample: 'https://<account id>.suitetalk.api.netsuite.com/services/rest',
    tokens: 'provider',
    accountId: true,
    probe: { path: 'record/v1/metadata-catalog/' },
    help:
      'Type the Account ID (Setup → Company → Company Information, e.g. <code>1234567</code> or <code>1234567_SB1</code> for a sandbox): ' +
      'the realm (<code>1234567_SB1</code>) and the hosts (<code>1234567-sb1</code>) are derived from it. ' +
      'Consumer key and secret come from the integration record (Setup → Integration → Manage Integrations, token-based authentication checked), ' +
      'token id and secret from Setup → Users/Roles → Access Tokens. NetSuite signs with HMAC-SHA256 (SHA-1 ended with 2023.1). ' +
      '<b>At most 5 at a time</b>: the account limit of the shared service tier without SuiteCloud Plus, which web services and RESTlets share; ' +
      'tier 1 allows 15, plus 10 per SuiteCloud Plus license (NetSuite: Concurrency Governance). Set your account’s, less what other integrations use.',
    docs: [
      { title: 'NetSuite: The Authorization Headers', url: 'https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941295.html' },
      {
        title: 'NetSuite: Setting up token-based authentication for a RESTlet integration',
        url: 'https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1530099787.html',
      },
      { title: 'NetSuite: Authentication for REST web services', url: 'https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_1540809676.html' },
      {
        title: 'NetSuite: Concurrency Governance and Session Management',
        url: 'https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_1559222360.html',
      },
    ],
  },
  {
    id: 'x',
    label: 'X (Twitter) API',
    settings: {
      scheme: 'oauth1',
      placement: 'header',
      signatureMethod: 'HMAC-SHA1',
      baseUrl: 'https://api.x.com',
      requestTokenUrl: 'oauth/request_token',
      authorizeUrl: 'oauth/authorize',
      accessTokenUrl: 'oauth/access_token',
    },
    // X's windows are 15 minutes: a message may wait for the next one (its x-rate-limit-reset).
    limits: { maxWait: 900 },
    tokens: 'three-legged',
    probe: { path: '2/users/me', identity: ['data.username', 'data.name'] },
    help:
      'API key and secret are the consumer key and secret of your app in the developer portal. Use "Get token" to sign in as any account, ' +
      "or paste the app owner's access token and secret from the portal. JSON bodies are not signed. " +
      'Each endpoint has its own limit per 15-minute window, which X reports in <code>x-rate-limit-*</code> headers: a spent window ' +
      'holds every message of this service until its reset, so <b>Max wait</b> is 900 s (X: Rate limits).',
    docs: [
      { title: 'X API: OAuth 1.0a', url: 'https://developer.x.com/en/docs/authentication/oauth-1-0a' },
      { title: 'X API: Rate limits', url: 'https://docs.x.com/fundamentals/rate-limits' },
    ],
  },
  {
    id: 'woocommerce',
    label: 'WooCommerce',
    settings: { scheme: 'oauth1', placement: 'query', signatureMethod: 'HMAC-SHA256' },
    baseUrlExample: 'http://shop.example.com/wp-json/wc/v3',
    tokens: 'none',
    probe: { path: 'products?per_page=1' },
    help:
      'Generate keys under WooCommerce → Settings → Advanced → REST API: the consumer key (<code>ck_…</code>) and secret (<code>cs_…</code>); no token. ' +
      'WooCommerce takes OAuth 1.0a signatures over plain http only: over https it wants HTTP Basic authentication with the same keys instead ' +
      '(use the core http request node with Basic authentication there).',
    docs: [
      { title: 'WooCommerce REST API: authentication over HTTP', url: 'https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http' },
      { title: 'WooCommerce developer docs: REST API authentication', url: 'https://developer.woocommerce.com/docs/apis/rest-api/authentication/' },
    ],
  },
  {
    id: 'magento',
    label: 'Magento / Adobe Commerce',
    settings: { scheme: 'oauth1', placement: 'header', signatureMethod: 'HMAC-SHA256' },
    baseUrlExample: 'https://shop.example.com/rest/V1',
    tokens: 'provider',
    probe: { path: 'store/storeConfigs' },
    help:
      'Create an integration under System → Extensions → Integrations and activate it: it shows the consumer key and secret, ' +
      'the access token and the access token secret. Integration tokens sign with HMAC-SHA256.',
    docs: [
      {
        title: 'Adobe Commerce: OAuth-based authentication',
        url: 'https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-oauth/',
      },
    ],
  },
  {
    id: 'atlassian',
    label: 'Jira / Confluence Data Center',
    settings: {
      scheme: 'oauth1',
      placement: 'header',
      signatureMethod: 'RSA-SHA1',
      requestTokenUrl: 'plugins/servlet/oauth/request-token',
      authorizeUrl: 'plugins/servlet/oauth/authorize',
      accessTokenUrl: 'plugins/servlet/oauth/access-token',
    },
    baseUrlExample: 'https://jira.example.com',
    tokens: 'three-legged',
    probe: { path: 'rest/api/2/myself', identity: ['displayName', 'name'] },
    help:
      'Create an application link (incoming authentication) with a consumer key of your choice and the public key of an RSA key pair; ' +
      'paste the PEM private key here (no consumer secret: RSA-SHA1 signs with the key). Then use "Get token" to authorize a user. ' +
      "The probe reads Jira's <code>rest/api/2/myself</code>; for Confluence use Custom with <code>rest/api/user/current</code>.",
    docs: [{ title: 'Jira Data Center: OAuth 1.0a for REST APIs', url: 'https://developer.atlassian.com/server/jira/platform/oauth/' }],
  },
  {
    id: 'garmin',
    label: 'Garmin Health API',
    settings: {
      scheme: 'oauth1',
      placement: 'header',
      signatureMethod: 'HMAC-SHA1',
      baseUrl: 'https://apis.garmin.com',
      extraOrigins: 'https://connectapi.garmin.com',
      requestTokenUrl: 'https://connectapi.garmin.com/oauth-service/oauth/request_token',
      authorizeUrl: 'https://connect.garmin.com/oauthConfirm',
      accessTokenUrl: 'https://connectapi.garmin.com/oauth-service/oauth/access_token',
    },
    tokens: 'three-legged',
    probe: { path: 'wellness-api/rest/user/id', identity: ['userId'] },
    help:
      'Consumer key and secret come with access to the Garmin Connect Developer Program. Use "Get token" to connect a Garmin account. ' +
      'Tokens are obtained at connectapi.garmin.com, which is why it is listed under "Also sign for". ' +
      "Garmin's OAuth specification is shared with program members only: the URLs here are those its public integrations use.",
    docs: [{ title: 'Garmin Health API overview (the OAuth specification itself is not public)', url: 'https://developer.garmin.com/health-api/overview/' }],
  },
  {
    id: 'discogs',
    label: 'Discogs',
    settings: {
      scheme: 'oauth1',
      placement: 'header',
      signatureMethod: 'PLAINTEXT',
      baseUrl: 'https://api.discogs.com',
      requestTokenUrl: 'oauth/request_token',
      authorizeUrl: 'https://www.discogs.com/oauth/authorize',
      accessTokenUrl: 'oauth/access_token',
    },
    // "60 per minute for authenticated requests", counted over a moving 60 s window.
    limits: { rateLimit: 60, ratePeriod: 60 },
    tokens: 'three-legged',
    probe: { path: 'oauth/identity', identity: ['username'] },
    help:
      'Register an application under Settings → Developers for its consumer key and secret, then use "Get token". ' +
      'Discogs signs with PLAINTEXT, which sends the secrets themselves: it is only ever sent over https. ' +
      'Discogs allows <b>60 requests per minute</b> to an authenticated application (Discogs API: Rate Limiting).',
    docs: [
      { title: 'Discogs API: authentication', url: 'https://www.discogs.com/developers/#page:authentication' },
      { title: 'Discogs API: rate limiting', url: 'https://www.discogs.com/developers/#page:home,header:home-rate-limiting' },
    ],
  },
  {
    id: 'custom',
    label: 'Custom',
    settings: {},
    tokens: 'provider',
    help: 'Every setting by hand. Name a probe path (a cheap signed GET, relative to the base URL) for "Test connection".',
    docs: [{ title: 'RFC 5849: The OAuth 1.0 Protocol', url: 'https://www.rfc-editor.org/rfc/rfc5849' }],
  },
];

export const PRESET_IDS = PRESETS.map((preset) => preset.id);

export function findPreset(id: string | undefined): ServicePreset {
  return PRESETS.find((preset) => preset.id === id) ?? (PRESETS.find((preset) => preset.id === 'custom') as ServicePreset);
}

/** How the dialog offers a token pair: "Sign in" (email and password), "Get token" (the 3-legged dance), or neither. */
export interface TokenWays {
  signIn: boolean;
  getToken: boolean;
  /** The catalog key (under `oauth1-config.tokenTip.`) of the dialog's token help. */
  help: 'signIn' | 'getToken' | 'pasteOrGetToken' | 'paste' | 'none';
}

/**
 * The token buttons a preset's dialog shows: Sign in for password presets, Get token for
 * 3-legged presets, for NetSuite (its account id gives the token URLs) and for Custom (any
 * URLs typed in); none for 1-legged services and tokens the provider hands out.
 */
export function tokenWays(preset: Pick<ServicePreset, 'id' | 'tokens' | 'accountId'>): TokenWays {
  if (preset.tokens === 'password') return { signIn: true, getToken: false, help: 'signIn' };
  if (preset.tokens === 'three-legged') return { signIn: false, getToken: true, help: 'getToken' };
  if (preset.tokens === 'none') return { signIn: false, getToken: false, help: 'none' };
  const getToken = preset.id === 'custom' || preset.accountId === true;
  return { signIn: false, getToken, help: getToken ? 'pasteOrGetToken' : 'paste' };
}

/**
 * NetSuite names one account two ways: the realm in upper case with an underscore
 * (`1234567_SB1`), the hosts in lower case with a hyphen (`1234567-sb1`). Either spelling is
 * accepted; undefined when it is no account id.
 */
export function netsuiteAccount(accountId: string): { realm: string; host: string } | undefined {
  const trimmed = accountId.trim();
  if (!/^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$/.test(trimmed)) return undefined;
  return { realm: trimmed.replace(/-/g, '_').toUpperCase(), host: trimmed.replace(/_/g, '-').toLowerCase() };
}

/** The settings the NetSuite preset derives from an account id: REST web services, RESTlets and the 3-legged URLs. */
export function netsuiteSettings(accountId: string): Partial<PresetSettings> | undefined {
  const account = netsuiteAccount(accountId);
  if (!account) return undefined;
  const restlets = `https://${account.host}.restlets.api.netsuite.com`;
  return {
    realm: account.realm,
    baseUrl: `https://${account.host}.suitetalk.api.netsuite.com/services/rest`,
    extraOrigins: restlets,
    requestTokenUrl: `${restlets}/rest/requesttoken`,
    authorizeUrl: `https://${account.host}.app.netsuite.com/app/login/secure/authorizetoken.nl`,
    accessTokenUrl: `${restlets}/rest/accesstoken`,
  };
}

/** Who or what a probe's JSON answer names: the first identity field found, or the list's length. */
export function describeProbeAnswer(probe: Probe, body: unknown): string | undefined {
  if (probe.count) {
    if (!Array.isArray(body)) return undefined;
    return `${body.length} ${probe.count}${body.length === 1 ? '' : 's'}`;
  }
  for (const path of probe.identity ?? []) {
    let value: unknown = body;
    for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if ((typeof value === 'string' && value) || typeof value === 'number') return String(value);
  }
  return undefined;
}

/**
 * What a service's error body says about the signature: a cause, or `not-signing` for an
 * answer that is about something else (a wrong password is a 401 too), or undefined.
 */
export type ServiceReading = RefusalCause | 'not-signing';

/** What one service's refusal looks like: its name and what its 401 body (or its errors) means. */
export interface ServiceRefusal {
  service: string;
  read(body: unknown): ServiceReading | undefined;
}

function isRecord(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body);
}

function record(body: unknown): Record<string, unknown> | undefined {
  return isRecord(body) ? body : undefined;
}

/**
 * Extra Horizon's error codes (its SDK's error list; 111 is the demo's timestamp code). 106
 * AUTHENTICATION_EXCEPTION answers a wrong email or password (or MFA token) on the token
 * routes: a 401 about the password, not the signature.
 */
const EXTRA_HORIZON_CODES: Record<number, ServiceReading> = {
  106: 'not-signing',
  107: 'consumer-key',
  108: 'token',
  109: 'signature',
  110: 'nonce',
  111: 'timestamp',
};
/** X API v1.1 error codes: 32 "Could not authenticate you", 89 "Invalid or expired token", 135 "Timestamp out of bounds". */
const X_CODES: Record<number, RefusalCause> = { 32: 'signature', 89: 'token', 135: 'timestamp' };

/** WooCommerce says what it refused only in its message (class-wc-rest-authentication.php). */
function wooCommerceCause(message: string): RefusalCause {
  if (/timestamp/i.test(message)) return 'timestamp';
  if (/nonce/i.test(message)) return 'nonce';
  if (/consumer key/i.test(message)) return 'consumer-key';
  return 'signature';
}

/** Each service's known "signature refused" answers; any other 401 is read by the diagnosis alone. */
export const SERVICE_REFUSALS: readonly ServiceRefusal[] = [
  {
    service: 'Extra Horizon',
    read: (body) => {
      const code = record(body)?.code;
      return typeof code === 'number' ? EXTRA_HORIZON_CODES[code] : undefined;
    },
  },
  { service: 'Alteryx', read: (body) => (record(body)?.exceptionName === 'UnauthorizedException' ? 'signature' : undefined) },
  {
    service: 'NetSuite',
    read: (body) => {
      const details = record(body)?.['o:errorDetails'];
      const code = Array.isArray(details) ? record(details[0])?.['o:errorCode'] : undefined;
      // NetSuite says only "Invalid login attempt": the realm check of the diagnosis may say more.
      return code === 'INVALID_LOGIN_ATTEMPT' || code === 'INVALID_LOGIN' ? 'signature' : undefined;
    },
  },
  {
    service: 'X',
    read: (body) => {
      const errors = record(body)?.errors;
      const code = Array.isArray(errors) ? record(errors[0])?.code : undefined;
      return typeof code === 'number' ? X_CODES[code] : undefined;
    },
  },
  {
    service: 'WooCommerce',
    read: (body) => {
      const { code, message } = record(body) ?? {};
      return code === 'woocommerce_rest_authentication_error' ? wooCommerceCause(typeof message === 'string' ? message : '') : undefined;
    },
  },
  {
    service: 'Magento',
    read: (body) => {
      // Its message, or a text body: never the whole of a parsed body written out again (it may be huge).
      const texts = typeof body === 'string' ? [body] : Object.values(record(body) ?? {});
      return texts.some((text) => typeof text === 'string' && text.includes('oauth_signature_invalid')) ? 'signature' : undefined;
    },
  },
];

/**
 * The services' own words for "too many requests at once", besides a 429: NetSuite answers a
 * RESTlet beyond the account's concurrency with 400 `SSS_REQUEST_LIMIT_EXCEEDED`, REST web
 * services with 429 `CONCURRENCY_LIMIT_EXCEEDED`, SOAP with an `Exceeded…RequestLimitFault`
 * ("Web Services and RESTlet Concurrency Governance", NetSuite Help Center).
 */
const LIMIT_REFUSALS = /SSS_REQUEST_LIMIT_EXCEEDED|CONCURRENCY_LIMIT_EXCEEDED|Exceeded(?:Concurrent)?RequestLimitFault/;

/** True when an answer is a service's refusal for its limits; only small error bodies are read. */
export function isLimitRefusal(answer: { statusCode: number; data: Buffer }): boolean {
  if (answer.statusCode < 400 || answer.data.length > 65_536) return false;
  return LIMIT_REFUSALS.test(answer.data.toString('utf8'));
}

/** The first service whose refusal this body is, with the cause it names. */
export function readServiceRefusal(body: unknown): { service: string; cause: ServiceReading } | undefined {
  for (const refusal of SERVICE_REFUSALS) {
    const cause = refusal.read(body);
    if (cause) return { service: refusal.service, cause };
  }
  return undefined;
}

/**
 * The realm NetSuite wants when it is not the one signed, or undefined. A NetSuite host
 * names the account (`1234567-sb1.suitetalk…` wants `1234567_SB1`); behind any host, once
 * NetSuite refused the login, a realm in the hosts' spelling (`1234567-sb1`) is the mistake.
 */
export function netsuiteRealmMismatch(url: string, realm: string | undefined, refusedByNetSuite = false): string | undefined {
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // No host to compare with: the realm's own spelling still counts.
  }
  const match = /^([a-z0-9-]+)\.(?:suitetalk|restlets)\.api\.netsuite\.com$/i.exec(host);
  const expected = match ? netsuiteAccount(match[1])?.realm : refusedByNetSuite && realm ? netsuiteAccount(realm)?.realm : undefined;
  return expected !== undefined && expected !== realm ? expected : undefined;
}
