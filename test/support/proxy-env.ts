/** The proxy variables of the environment, set for one test and put back afterwards. */

/** Every variable a proxy choice reads, in both cases. */
export const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY'];

/** The proxy variables as they are now; call the result to put them back. */
export function saveProxyEnvironment(): () => void {
  const saved = PROXY_VARIABLES.map((name) => [name, process.env[name]] as const);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Runs with these proxy variables only, restoring the environment afterwards. */
export async function withProxyEnvironment<T>(values: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const restore = saveProxyEnvironment();
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  try {
    return await run();
  } finally {
    restore();
  }
}
