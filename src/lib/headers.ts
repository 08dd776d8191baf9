/**
 * Reading and changing HTTP headers: as Node gives them (lower-case names, repeated ones as
 * arrays), and as a flow sets them (any case). A leaf module.
 */

/** A header's first value: Node gives repeated headers (Set-Cookie) as arrays. */
export function firstHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The names under which `name` is set, in any case: a flow may set both `content-type` and `Content-Type`. */
export function headerNames(headers: Readonly<Record<string, unknown>>, name: string): string[] {
  const wanted = name.toLowerCase();
  return Object.keys(headers).filter((key) => key.toLowerCase() === wanted);
}

/** The value of `name` in any case: the first name that matches. */
export function headerValue<T>(headers: Readonly<Record<string, T>>, name: string): T | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) return headers[key];
  return undefined;
}

/** Removes `name` in every case. */
export function deleteHeader(headers: Record<string, unknown>, name: string): void {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) delete headers[key];
}
