/** Reading HTTP headers as Node gives them. A leaf module: the response and the diagnosis of a refusal both read headers. */

/** A header's first value: Node gives repeated headers (Set-Cookie) as arrays. */
export function firstHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
