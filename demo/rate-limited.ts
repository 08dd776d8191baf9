/**
 * Demo services that count requests in a window and say so, each in its own spelling:
 *
 * - X-like, base URL `<url>/x` (as `https://api.x.com`): `GET 2/users/me`, signed as X wants
 *   (HMAC-SHA1 in the Authorization header, with an access token). Every answer carries
 *   `x-rate-limit-limit`, `x-rate-limit-remaining` and `x-rate-limit-reset` (Unix seconds);
 *   once the window is spent, X's bare 429: no `Retry-After`, only the reset header.
 * - IETF-like, `GET <url>/ietf/items`: any request the demo's verifier accepts, with a token
 *   or without (1-legged). Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and
 *   `RateLimit-Reset` (seconds from now, draft-ietf-httpapi-ratelimit-headers); once the window
 *   is spent, 429 with `Retry-After` in seconds or as an HTTP date.
 */
import { jsonReply, type Reply } from './http';
import { RequestWindow, secondsUntil, type RateWindowOptions, type WindowState } from './limits';
import type { IncomingSignedRequest, OAuth1Verifier } from './verify';

/** X's limit for `GET /2/users/me`: 75 requests per 15-minute window per user (X API rate limits). */
export const X_DEFAULT_WINDOW: Readonly<RateWindowOptions> = Object.freeze({ limit: 75, seconds: 900 });

export interface IetfWindowOptions extends RateWindowOptions {
  /**
   * The wait the first 429 of a window asks for, kept to: the window stays shut that long from
   * then, and later 429s ask for what is left of it. Default: until the window resets.
   */
  retryAfterSeconds?: number;
  /** `Retry-After` as delay-seconds (default) or as an HTTP date (RFC 9110 §10.2.3 allows both). */
  retryAfterAs?: 'seconds' | 'date';
}

/** A minute's window: a spent one asks for up to 60 s, beyond the 30 s some clients would wait. */
export const IETF_DEFAULT_WINDOW: Readonly<IetfWindowOptions> = Object.freeze({ limit: 60, seconds: 60 });

/** The demo user as X's `GET /2/users/me` shows a user. */
export const X_DEMO_USER = Object.freeze({ id: '1700000000000000001', name: 'Demo User', username: 'demo_user' });

const IETF_DEMO_ITEMS = Object.freeze([Object.freeze({ id: 1, name: 'first item' }), Object.freeze({ id: 2, name: 'second item' })]);

export interface RateLimitedInput {
  method: string;
  /** Decoded path segments, the leading one included (`x`, `ietf`). */
  segments: string[];
  signed: IncomingSignedRequest;
}

/** X API v2's error bodies: problem details with `title`, `detail`, `type`, `status`. */
function xProblem(status: number, title: string, detail: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { title, detail, type: 'about:blank', status }, headers);
}

function xHeaders(window: WindowState): Record<string, string> {
  return {
    'x-rate-limit-limit': String(window.limit),
    'x-rate-limit-remaining': String(window.remaining),
    // Rounded up: a client that waits until this second finds the new window open.
    'x-rate-limit-reset': String(Math.ceil(window.resetAtMs / 1000)),
  };
}

function ietfHeaders(window: WindowState, now: number): Record<string, string> {
  return {
    'RateLimit-Limit': String(window.limit),
    'RateLimit-Remaining': String(window.remaining),
    'RateLimit-Reset': String(secondsUntil(window.resetAtMs, now)),
  };
}

function ietfProblem(status: number, title: string, detail: string, headers: Record<string, string>): Reply {
  return jsonReply(status, { type: 'about:blank', title, status, detail }, headers);
}

export class RateLimitedServices {
  readonly xWindow: RequestWindow;
  readonly ietfWindow: RequestWindow;
  private readonly ietfOptions: Readonly<IetfWindowOptions>;

  constructor(
    options: { x?: Partial<RateWindowOptions>; ietf?: Partial<IetfWindowOptions> },
    private readonly now: () => number,
    private readonly onRefusal: () => void,
  ) {
    this.xWindow = new RequestWindow({ ...X_DEFAULT_WINDOW, ...options.x }, now);
    this.ietfOptions = { ...IETF_DEFAULT_WINDOW, ...options.ietf };
    const retryAfter = this.ietfOptions.retryAfterSeconds;
    if (retryAfter !== undefined && !(retryAfter >= 0 && Number.isFinite(retryAfter))) throw new RangeError('retryAfterSeconds is 0 or more');
    this.ietfWindow = new RequestWindow(this.ietfOptions, now);
  }

  /** The reply of an X-like or IETF-like route, or undefined when the path belongs to another demo service. */
  route(input: RateLimitedInput, verifier: OAuth1Verifier): Reply | undefined {
    if (input.segments[0] === 'x') return this.x(input, verifier);
    if (input.segments[0] === 'ietf') return this.ietf(input, verifier);
    return undefined;
  }

  private x(input: RateLimitedInput, verifier: OAuth1Verifier): Reply {
    const path = input.segments.slice(1).join('/');
    if (input.method !== 'GET' || path !== '2/users/me') {
      return xProblem(404, 'Not Found Error', 'Sorry, that page does not exist. (demo: only GET /x/2/users/me)');
    }
    const verdict = verifier.verify(input.signed, { requireToken: true });
    let problem: string | undefined;
    if (!verdict.ok) problem = verdict.message;
    else if (verdict.signatureMethod !== 'HMAC-SHA1') problem = `${verdict.signatureMethod} is refused: X signs with HMAC-SHA1`;
    else if (verdict.placement !== 'header') problem = 'X takes the signature in the Authorization header only';
    // X says no more than "Unauthorized"; the demo adds why, to help.
    if (problem) return xProblem(401, 'Unauthorized', `Unauthorized (demo: ${problem})`, xHeaders(this.xWindow.peek()));
    const window = this.xWindow.take();
    if (!window.allowed) {
      this.onRefusal();
      return xProblem(429, 'Too Many Requests', 'Too Many Requests', xHeaders(window));
    }
    return jsonReply(200, { data: X_DEMO_USER }, xHeaders(window));
  }

  private ietf(input: RateLimitedInput, verifier: OAuth1Verifier): Reply {
    const path = input.segments.slice(1).join('/');
    const now = this.now();
    if (input.method !== 'GET' || path !== 'items') {
      return ietfProblem(404, 'Not Found', `No resource ${input.method} /${input.segments.join('/')} (demo: only GET /ietf/items).`, {});
    }
    const verdict = verifier.verify(input.signed, { requireToken: false });
    if (!verdict.ok) return ietfProblem(401, 'Unauthorized', verdict.message, ietfHeaders(this.ietfWindow.peek(), now));
    const window = this.ietfWindow.take();
    if (window.allowed) {
      return jsonReply(200, { items: IETF_DEMO_ITEMS }, ietfHeaders(window, now));
    }
    this.onRefusal();
    const { retryAfterSeconds, retryAfterAs } = this.ietfOptions;
    // Kept to: a request before the time asked for is refused again, one after it passes.
    if (retryAfterSeconds !== undefined && !this.ietfWindow.isShut) this.ietfWindow.shutUntil(now + retryAfterSeconds * 1000);
    const held = this.ietfWindow.peek();
    const retryAfter =
      retryAfterAs === 'date'
        ? // HTTP dates have whole seconds: rounded up, as a rounded-down date would ask for too short a wait.
          new Date(Math.ceil(held.resetAtMs / 1000) * 1000).toUTCString()
        : String(secondsUntil(held.resetAtMs, now));
    const detail = `The window of ${held.limit} requests is spent; retry after ${secondsUntil(held.resetAtMs, now)} s.`;
    return ietfProblem(429, 'Too Many Requests', detail, { ...ietfHeaders(held, now), 'Retry-After': retryAfter });
  }
}
