/**
 * The config node's properties, once for the editor and the runtime: as a flow stores them,
 * their defaults (the editor's `defaults`), the dialog's form as the admin routes receive it,
 * and what the runtime makes of them (unknown values replaced by the defaults).
 */
import type { PresetLimits, PresetSettings } from '../../lib/presets';
import type { AuthScheme } from '../../lib/service';
import { nonNegativeNumber, positiveNumber } from '../../lib/numbers';
import type { LimitSettings } from '../../lib/service-limits';
import {
  DEFAULT_MAX_QUEUED,
  DEFAULT_MAX_RESPONSE_MB,
  DEFAULT_MAX_WAIT_S,
  DEFAULT_RATE_PERIOD_S,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  PLACEMENTS,
  SIGNATURE_METHODS,
  type CredentialName,
  type Placement,
  type SignatureMethod,
} from '../../lib/constants';
import type { PropertyDefinitions } from '../shared/node.properties';

/** The service's fields as the dialog holds them: those a preset fills (as typed), the preset, Custom's probe and the TLS node. */
export type ServiceFields = { [K in keyof PresetSettings]: PresetSettings[K] extends boolean ? boolean : string } & {
  /** Service preset id (src/lib/presets.ts); `custom` when none. */
  preset: string;
  /** Custom's Test connection probe, relative to the base URL. */
  probePath: string;
  /** Id of a core `tls-config` node; "" or "_ADD_" for none. */
  tls: string;
};

/** As a flow stores them; the runtime also takes numbers as text. */
export type ConfigNodeProperties = ServiceFields & {
  name: string;
  retries: number | string;
  requestTimeout: number | string;
  maxResponseMB: number | string;
} & Record<keyof PresetLimits | 'maxQueued', number | string>;

export const CONFIG_DEFAULTS = {
  name: { value: '' },
  preset: { value: 'custom' },
  baseUrl: {
    value: '',
    // An http(s) URL, or a `${NAME}` Node-RED fills in at deploy.
    validate: (value) => !value || (typeof value === 'string' && (/^https?:\/\/[^\s/]+/i.test(value) || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value))),
  },
  scheme: { value: 'oauth1' },
  placement: { value: 'header' },
  signatureMethod: { value: 'HMAC-SHA1' },
  realm: { value: '' },
  bodyHash: { value: false },
  probePath: { value: '' },
  requestTokenUrl: { value: '' },
  authorizeUrl: { value: '' },
  accessTokenUrl: { value: '' },
  tls: { value: '', type: 'tls-config', required: false },
  retries: { value: DEFAULT_RETRIES },
  requestTimeout: { value: DEFAULT_TIMEOUT_MS },
  extraOrigins: { value: '' },
  maxResponseMB: { value: DEFAULT_MAX_RESPONSE_MB },
  maxConcurrent: { value: '0' },
  rateLimit: { value: '0' },
  ratePeriod: { value: String(DEFAULT_RATE_PERIOD_S) },
  maxWait: { value: String(DEFAULT_MAX_WAIT_S) },
  maxQueued: { value: DEFAULT_MAX_QUEUED },
} satisfies PropertyDefinitions<ConfigNodeProperties>;

/** The dialog as it posts itself to the admin routes: a password left unchanged is `__PWRD__`. */
export type ServiceForm = ServiceFields & { credentials: Partial<Record<CredentialName, string>> };

/** The form as an admin route receives it: any field may be missing or hold anything. */
export type PostedServiceForm = { [K in Exclude<keyof ServiceForm, 'credentials'>]?: unknown } & {
  credentials?: Partial<Record<CredentialName, unknown>>;
};

export const AUTH_SCHEMES: readonly AuthScheme[] = ['oauth1', 'oauth2'];

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.find((candidate) => candidate === value) ?? fallback;
}

/** Scheme, placement and signature method from the node's properties, unknown values replaced by the defaults. */
export function signingSettings(source: { scheme?: string; placement?: string; signatureMethod?: string }): {
  scheme: AuthScheme;
  placement: Placement;
  signatureMethod: SignatureMethod;
} {
  return {
    scheme: oneOf(source.scheme, AUTH_SCHEMES, 'oauth1'),
    placement: oneOf(source.placement, PLACEMENTS, 'header'),
    signatureMethod: oneOf(source.signatureMethod, SIGNATURE_METHODS, 'HMAC-SHA1'),
  };
}

/** Realm and body hash from the node's properties: an empty realm means none, `bodyHash` is on only when true. */
export function realmAndBodyHash(source: { realm?: unknown; bodyHash?: unknown }): { realm: string | undefined; bodyHash: boolean } {
  const realm = typeof source.realm === 'string' ? source.realm.trim() : '';
  return { realm: realm || undefined, bodyHash: source.bodyHash === true || source.bodyHash === 'true' };
}

/** The preset, Custom's probe and the 3-legged URLs, as typed (trimmed). */
export function threeLeggedAndPreset(
  config: Partial<Record<'preset' | 'probePath' | 'requestTokenUrl' | 'authorizeUrl' | 'accessTokenUrl', unknown>>,
): Record<'preset' | 'probePath' | 'requestTokenUrl' | 'authorizeUrl' | 'accessTokenUrl', string> {
  const trimmed = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
  return {
    preset: trimmed(config.preset) || 'custom',
    probePath: trimmed(config.probePath),
    requestTokenUrl: trimmed(config.requestTokenUrl),
    authorizeUrl: trimmed(config.authorizeUrl),
    accessTokenUrl: trimmed(config.accessTokenUrl),
  };
}

/** The service's limits from the node's properties: 0 means none; missing or unusable values take the defaults. */
export function limitSettings(config: Partial<Record<'maxConcurrent' | 'rateLimit' | 'ratePeriod' | 'maxWait' | 'maxQueued', unknown>>): LimitSettings {
  return {
    maxConcurrent: Math.floor(nonNegativeNumber(config.maxConcurrent) ?? 0),
    rateLimit: Math.floor(nonNegativeNumber(config.rateLimit) ?? 0),
    ratePeriodMs: (positiveNumber(config.ratePeriod) ?? DEFAULT_RATE_PERIOD_S) * 1000,
    maxWaitMs: (positiveNumber(config.maxWait) ?? DEFAULT_MAX_WAIT_S) * 1000,
    maxQueued: Math.floor(nonNegativeNumber(config.maxQueued) ?? DEFAULT_MAX_QUEUED),
  };
}
