/**
 * `{{mustache}}` in a node's URL, rendered from `msg` with the semantics of the mustache
 * package the core http request node uses, for the variables a URL holds: `{{{name}}}` and
 * `{{& name}}` as they are, `{{name}}` HTML-escaped, dotted names, missing values empty.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '/': '&#x2F;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

export function isTemplate(url: string): boolean {
  return url.includes('{{');
}

function lookup(context: unknown, name: string): unknown {
  if (name === '.') return context;
  let value: unknown = context;
  for (const part of name.split('.')) {
    if (value === null || value === undefined) return undefined;
    // A primitive's properties too (`{{{id.length}}}`), as mustache looks them up.
    value = Reflect.get(Object(value) as object, part);
  }
  return value;
}

function text(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as mustache renders a value: String() of it
  return value === undefined || value === null ? '' : String(value);
}

export function renderUrl(template: string, context: unknown): string {
  return template.replace(
    /\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{\s*(&?)\s*([^}]+?)\s*\}\}/g,
    (_whole, raw: string | undefined, ampersand: string, escaped: string) => {
      if (raw !== undefined) return text(lookup(context, raw));
      const value = text(lookup(context, escaped));
      return ampersand ? value : value.replace(/[&<>"'`=/]/g, (c) => HTML_ESCAPES[c]);
    },
  );
}
