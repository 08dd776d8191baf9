/**
 * The core http request node's `x-node-red-request-node` marker: it stamps the response
 * headers it puts on `msg.headers` with their hash, and ignores `msg.headers` that come back
 * unchanged (a flow that feeds a response into the next request). The hash is hash-sum 2.0's
 * (MIT, by Nicolás Bevacqua), ported so that a marker set by either node is read by both.
 */

export const MARKER_HEADER = 'x-node-red-request-node';

function fold(hash: number, text: string): number {
  if (text.length === 0) return hash;
  for (let i = 0; i < text.length; i++) {
    hash = (hash << 5) - hash + text.charCodeAt(i);
    hash |= 0;
  }
  return hash < 0 ? hash * -2 : hash;
}

function foldValue(input: number, value: unknown, key: string, seen: unknown[]): number {
  const hash = fold(fold(fold(input, key), Object.prototype.toString.call(value)), typeof value);
  if (value === null) return fold(hash, 'null');
  if (value === undefined) return fold(hash, 'undefined');
  if (typeof value === 'object' || typeof value === 'function') {
    if (seen.includes(value)) return fold(hash, `[Circular]${key}`);
    seen.push(value);
    const objectHash = Object.keys(value)
      .sort()
      .reduce((sum, name) => foldValue(sum, Reflect.get(value, name), name, seen), hash);
    const valueOf: unknown = Reflect.get(value, 'valueOf');
    if (typeof valueOf !== 'function') return objectHash;
    try {
      return fold(objectHash, String(valueOf.call(value)));
    } catch (error) {
      return fold(objectHash, `[valueOf exception]${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- hash-sum folds any other value as String() has it
  return fold(hash, String(value));
}

/** hash-sum 2.0 of a value: eight hex digits. */
export function hashSum(value: unknown): string {
  return foldValue(0, value, '', []).toString(16).padStart(8, '0');
}

/**
 * `msg.headers` as the next request takes them: without the marker, and none at all when
 * they are the previous response's headers unchanged. Mutates `headers` as the core node does.
 */
export function requestHeadersOf(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!headers || !Object.prototype.hasOwnProperty.call(headers, MARKER_HEADER)) return headers;
  const marker = headers[MARKER_HEADER];
  delete headers[MARKER_HEADER];
  return hashSum(headers) === marker ? undefined : headers;
}

/** Response headers with the marker added, as the core node emits them. */
export function markedHeaders<T extends Record<string, unknown>>(headers: T): T {
  return Object.assign(headers, { [MARKER_HEADER]: hashSum(headers) });
}
