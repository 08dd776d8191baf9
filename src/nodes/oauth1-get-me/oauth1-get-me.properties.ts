/** The get me node's properties, once for the editor and the runtime: the service it asks, and its defaults. */
import { SERVER_PROPERTY, type PropertyDefinitions } from '../shared/node.properties';

export interface GetMeNodeProperties {
  name: string;
  server: string;
}

export const GET_ME_DEFAULTS = {
  name: { value: '' },
  server: SERVER_PROPERTY,
} satisfies PropertyDefinitions<GetMeNodeProperties>;
