/** Text from outside made safe to show. A leaf module. */

/** Text from outside (a method, a header name, a URL) made safe for one line of a message or log: no control character, no line separator. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\r' || c === '\n') return c === '\r' ? '\\r' : '\\n';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
