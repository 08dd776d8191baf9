/**
 * What a service says of its own limits in an answer's headers: X's `x-rate-limit-*` (and
 * the `x-ratelimit-*` spelling of GitHub and others: reset in epoch seconds), Discogs'
 * `x-discogs-ratelimit-*` (no reset), the IETF draft's `RateLimit-Limit`/`-Remaining`/`-Reset` (reset in seconds from now) and its later
 * structured `RateLimit: "policy";r=…;t=…` with `RateLimit-Policy: "policy";q=…;w=…`, and
 * `Retry-After` on a 429 or 503. Pure: headers in, facts out.
 */
import { firstHeader } from './headers';

/** `msg.rateLimit`: the service's own figures; `reset` as an ISO 8601 time. */
export interface RateLimitReport {
  limit?: number;
  remaining?: number;
  reset?: string;
}

type Headers = Record<string, string | string[] | undefined>;

function whole(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

/** One parameter (`r=12`) of a structured-field item, as a number. */
function parameter(item: string, name: string): number | undefined {
  const match = new RegExp(`;\\s*${name}=(\\d+)`).exec(item);
  return match ? Number(match[1]) : undefined;
}

/** The service's figures, when the answer carries any; `now` is epoch ms. */
export function rateLimitReport(headers: Headers, now: number): RateLimitReport | undefined {
  for (const prefix of ['x-rate-limit-', 'x-ratelimit-']) {
    const remaining = whole(firstHeader(headers, `${prefix}remaining`));
    if (remaining === undefined) continue;
    const reset = whole(firstHeader(headers, `${prefix}reset`));
    return report(whole(firstHeader(headers, `${prefix}limit`)), remaining, reset === undefined ? undefined : reset * 1000);
  }
  // Discogs: its limit and what is left of its moving 60 s window, no reset.
  const discogsRemaining = whole(firstHeader(headers, 'x-discogs-ratelimit-remaining'));
  if (discogsRemaining !== undefined) return report(whole(firstHeader(headers, 'x-discogs-ratelimit')), discogsRemaining, undefined);
  const remaining = whole(firstHeader(headers, 'ratelimit-remaining'));
  if (remaining !== undefined) {
    const reset = whole(firstHeader(headers, 'ratelimit-reset'));
    return report(whole(firstHeader(headers, 'ratelimit-limit')), remaining, reset === undefined ? undefined : now + reset * 1000);
  }
  const structured = firstHeader(headers, 'ratelimit');
  const left = structured === undefined ? undefined : parameter(structured, 'r');
  if (structured !== undefined && left !== undefined) {
    const reset = parameter(structured, 't');
    const policy = firstHeader(headers, 'ratelimit-policy');
    return report(policy === undefined ? undefined : parameter(policy, 'q'), left, reset === undefined ? undefined : now + reset * 1000);
  }
  return undefined;
}

function report(limit: number | undefined, remaining: number, resetMs: number | undefined): RateLimitReport {
  return {
    ...(limit !== undefined ? { limit } : {}),
    remaining,
    ...(resetMs !== undefined ? { reset: new Date(resetMs).toISOString() } : {}),
  };
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Until when (epoch ms) the service asks every request to wait, and why, or undefined: a
 * `Retry-After` on a 429 or 503, or a spent window (remaining 0) with its reset.
 */
export function pauseOrdered(
  status: number,
  headers: Headers,
  now: number,
  figures: RateLimitReport | undefined = rateLimitReport(headers, now),
): { until: number; reason: string } | undefined {
  const retryAfter = status === 429 || status === 503 ? parseRetryAfter(firstHeader(headers, 'retry-after'), now) : undefined;
  if (retryAfter !== undefined) return { until: now + retryAfter, reason: `${status} with Retry-After ${Math.ceil(retryAfter / 1000)} s` };
  if (figures?.remaining === 0 && figures.reset !== undefined) {
    const until = Date.parse(figures.reset);
    if (until > now) return { until, reason: `rate window spent until ${figures.reset}` };
  }
  return undefined;
}
