/**
 * Errors handed to `done(err)`. Node-RED puts `err.toString()` into the Catch node's
 * `msg.error.message`; without this it would read "Error: 401 …" or "ExtraHorizonError: 401 …".
 */
export function flowError(error: unknown, prefix = ''): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const flow = new Error(prefix + source.message);
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') (flow as Error & { code: string }).code = code;
  flow.toString = () => flow.message;
  return flow;
}
