/**
 * Errors handed to `done(err)`. Node-RED puts `err.toString()` into the Catch node's
 * `msg.error.message`; without this it would read "Error: 401 …" or "ExtraHorizonError: 401 …".
 * `redact` removes the service's secrets a response may have echoed into the message.
 */
export function flowError(error: unknown, prefix = '', redact: (text: string) => string = (text) => text): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const flow = new Error(redact(prefix + source.message));
  // The stack repeats the message: it is logged when no Catch node takes the error.
  flow.stack = `${flow.message}\n${(flow.stack ?? '').split('\n').slice(1).join('\n')}`;
  const code = 'code' in source ? source.code : undefined;
  flow.toString = () => flow.message;
  return typeof code === 'string' ? Object.assign(flow, { code }) : flow;
}
