/** Numbers from settings and messages, which may come as text. A leaf module. */

/** A number above zero, from a number or a numeric string; undefined for anything else. */
export function positiveNumber(value: unknown): number | undefined {
  const number = nonNegativeNumber(value);
  return number === undefined || number === 0 ? undefined : number;
}

/** A number, or the text of one, that is zero or more (a count of retries); undefined otherwise. */
export function nonNegativeNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}
