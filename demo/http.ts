/** What a demo route answers, before the server adds `Date` and `Content-Length`. */
import type { IncomingMessage } from 'node:http';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
  headers?: Record<string, string>;
}

/** A parsed JSON object (arrays included), whose fields are still to be checked one by one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, contentType: JSON_CONTENT_TYPE, body: Buffer.from(JSON.stringify(value), 'utf8'), headers };
}

export function bytesReply(status: number, body: Buffer, contentType: string, headers?: Record<string, string>): Reply {
  return { status, contentType, body, headers };
}

/** Above this the demo answers 413, as real services do well before memory runs out. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** A client that keeps sending past this is cut off rather than drained. */
const MAX_DRAINED_BYTES = 16 * MAX_BODY_BYTES;

export type BodyResult =
  | { kind: 'ok'; body: Buffer }
  /** `closeConnection`: the client was not drained, so the connection cannot be reused. */
  | { kind: 'too_large'; closeConnection: boolean };

/**
 * Reads the body, keeping at most MAX_BODY_BYTES. A larger body is drained (up to a hard
 * cap) instead of cut off at once, so the client gets to read the 413 rather than a reset.
 */
export function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_DRAINED_BYTES) {
      resolve({ kind: 'too_large', closeConnection: true });
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > MAX_DRAINED_BYTES) {
        settled = true;
        req.off('data', onData);
        req.pause();
        resolve({ kind: 'too_large', closeConnection: true });
      } else if (received <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      resolve(received > MAX_BODY_BYTES ? { kind: 'too_large', closeConnection: false } : { kind: 'ok', body: Buffer.concat(chunks) });
    });
    req.on('error', (error) => {
      if (!settled) reject(error);
    });
  });
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
