/**
 * What the properties modules share. A `.properties.ts` module is read by the runtime and
 * bundled into the editor: it imports nothing of Node-RED, the DOM or Node, only src/lib's
 * leaf modules and other properties modules.
 */
import { positiveNumber } from '../../lib/numbers';

/** One property of a node's `defaults`, as Node-RED's editor takes it; the runtime falls back on its `value`. */
export interface PropertyDefinition<T> {
  value: T;
  /** The config node type, for a property that names one. */
  type?: string;
  required?: boolean;
  validate?: (value: unknown) => boolean;
}

/** The `defaults` of a node with properties `P`: one definition each. */
export type PropertyDefinitions<P> = { [K in keyof P]-?: PropertyDefinition<P[K]> };

/** What Node-RED's config node select holds while "Add new…" is chosen: no node. */
export const NO_CONFIG_NODE = '_ADD_';

/** A property that names a config node (`server`, `tls`, `proxy`) as that node's id, "" for none. */
export function configNodeId(value: unknown): string {
  const id = typeof value === 'string' ? value.trim() : '';
  return id === NO_CONFIG_NODE ? '' : id;
}

/** The `server` property of every request node: the `oauth1-config` node it sends through. */
export const SERVER_PROPERTY: PropertyDefinition<string> = { value: '', type: 'oauth1-config', required: true };

/** True for one of `values`. */
export function isOneOf<T extends string>(values: readonly T[]): (value: unknown) => value is T {
  return (value): value is T => values.some((allowed) => allowed === value);
}

/** A number above zero, or its text: what a count or a duration property holds. */
export function isPositive(value: unknown): boolean {
  return positiveNumber(value) !== undefined;
}

/** Positive, or not set: a node saved before the property existed lacks it and the runtime takes the default. */
export function isPositiveOrUnset(value: unknown): boolean {
  return value === undefined || value === '' || isPositive(value);
}
