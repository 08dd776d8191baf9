/** What request nodes know of the `oauth1-config` node: its type lives here so no node imports another. */
import type { Node, NodeAPI } from 'node-red';
import type { HttpClient } from '../../lib/client';
import type { AuthScheme } from '../../lib/service';
import type { ServiceLimits } from '../../lib/service-limits';
import type { CredentialName, Placement, SignatureMethod } from '../../lib/constants';

/** The config node's credentials (src/lib/constants.ts CREDENTIALS); `privateKey` is the PEM RSA key of RSA-SHA*. */
export type OAuth1ConfigCredentials = Partial<Record<CredentialName, string>>;

export interface OAuth1ConfigNode extends Node<OAuth1ConfigCredentials> {
  baseUrl: string;
  /** Origins besides the base URL's that may receive credentials ("Also sign for"). */
  extraOrigins: string[];
  scheme: AuthScheme;
  placement: Placement;
  signatureMethod: SignatureMethod;
  /** Id of its core `tls-config` node, "" for none: stored secrets go through no other (admin rule 3); with one, request nodes give a scheme-less host https. */
  tls: string;
  /** Service preset id (`custom` when none): decides the Test connection probe. */
  preset: string;
  /** `realm` of the Authorization header, or undefined when empty. */
  realm: string | undefined;
  /** Adds `oauth_body_hash` to non-form bodies. */
  bodyHash: boolean;
  /** Custom's probe path for Test connection. */
  probePath: string;
  /** 3-legged URLs (absolute or relative to the base URL), for the token routes. */
  requestTokenUrl: string;
  authorizeUrl: string;
  accessTokenUrl: string;
  /** Why nothing can be sent (credentials missing, PLAINTEXT over plain http), or undefined. */
  readonly problem: string | undefined;
  /** True when an access token is configured (3-legged). */
  readonly hasToken: boolean;
  /** Replaces every secret, token and signature of this service in a text by `…`: for every text a node shows or logs. */
  redact: (text: string) => string;
  /**
   * Keeps the client open for a request under way until the returned function is called:
   * closing the config node (a full redeploy) then lets a job start finish instead of cutting it.
   */
  hold(): () => void;
  /** The service's limits: one queue for every node and the Test connection of this service. */
  readonly limits: ServiceLimits;
  /** The shared client; throws with {@link problem} when the node is not usable. */
  client(): HttpClient;
}

/** The deployed `oauth1-config` node of this id, or undefined (none, or a node of another type): the one place that narrows `getNode`. */
export function getConfigNode(RED: NodeAPI, id: string): OAuth1ConfigNode | undefined {
  const node = RED.nodes.getNode(id);
  return node?.type === 'oauth1-config' ? (node as OAuth1ConfigNode) : undefined;
}
