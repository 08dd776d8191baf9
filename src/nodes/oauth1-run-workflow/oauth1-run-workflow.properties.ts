/**
 * The run workflow node's properties, once for the editor and the runtime: as a flow stores
 * them, their defaults (the editor's `defaults`) and what the runtime makes of them.
 */
import { outputLimits, type OutputLimits } from '../../lib/job-bounds';
import { positiveNumber } from '../../lib/numbers';
import { DEFAULT_OUTPUT_LIMITS, JOB_ACTIONS, MEGABYTE, PRIORITIES, type JobAction, type Priority } from '../../lib/constants';
import { isOneOf, isPositive, isPositiveOrUnset, SERVER_PROPERTY, type PropertyDefinitions } from '../shared/node.properties';

/** As a flow stores them: a node from before a property existed lacks it, and a value may be text. */
export interface RunWorkflowNodeProperties {
  name: string;
  server: string;
  /** `run` (the default), `status`, `cancel` or `outputs`; `msg.action` overrides it. */
  action: string | undefined;
  workflowId: string;
  /** Shown in the label only; the editor fills it when a workflow is picked from the list. */
  workflowName: string;
  priority: string;
  wait: boolean | string;
  pollInterval: number | string;
  timeout: number | string;
  outputFormat: string;
  /** Cancel the job on the server when the timeout passes; on unless set false (flows from before it existed). */
  cancelOnTimeout: boolean | string | undefined;
  /** Bounds of one job's downloads; a hostile server could otherwise list outputs until memory runs out. */
  maxOutputs: number | string | undefined;
  maxOutputsMB: number | string | undefined;
}

export const isJobAction = isOneOf(JOB_ACTIONS);
const isPriority = isOneOf(PRIORITIES);

export const RUN_WORKFLOW_DEFAULTS = {
  name: { value: '' },
  server: SERVER_PROPERTY,
  // A node from before the action existed has none: it runs, as it always did.
  action: { value: 'run', validate: (value) => value === undefined || value === '' || isJobAction(value) },
  workflowId: { value: '' },
  workflowName: { value: '' },
  priority: { value: '0', validate: isPriority },
  wait: { value: true },
  pollInterval: { value: 5, validate: isPositive },
  timeout: { value: 300, validate: isPositive },
  outputFormat: { value: '' },
  cancelOnTimeout: { value: true },
  maxOutputs: { value: DEFAULT_OUTPUT_LIMITS.maxOutputs, validate: isPositiveOrUnset },
  maxOutputsMB: { value: DEFAULT_OUTPUT_LIMITS.maxOutputBytes / MEGABYTE, validate: isPositiveOrUnset },
} satisfies PropertyDefinitions<RunWorkflowNodeProperties>;

/** The properties as the runtime uses them: unknown values replaced by the defaults, durations in ms. */
export interface RunProperties {
  action: JobAction;
  workflowId: string;
  priority: Priority;
  wait: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  outputFormat: string;
  cancelOnTimeout: boolean;
  outputLimits: OutputLimits;
}

export function runPropertiesOf(config: Partial<RunWorkflowNodeProperties>): RunProperties {
  const seconds = (value: unknown, fallback: number): number => (positiveNumber(value) ?? fallback) * 1000;
  return {
    action: isJobAction(config.action) ? config.action : 'run',
    workflowId: (config.workflowId ?? '').trim(),
    priority: isPriority(config.priority) ? config.priority : '0',
    wait: config.wait === true || config.wait === 'true',
    pollIntervalMs: seconds(config.pollInterval, RUN_WORKFLOW_DEFAULTS.pollInterval.value),
    timeoutMs: seconds(config.timeout, RUN_WORKFLOW_DEFAULTS.timeout.value),
    outputFormat: (config.outputFormat ?? '').trim(),
    cancelOnTimeout: config.cancelOnTimeout !== false && config.cancelOnTimeout !== 'false',
    outputLimits: outputLimits({ maxOutputs: positiveNumber(config.maxOutputs), maxOutputBytes: (positiveNumber(config.maxOutputsMB) ?? 0) * MEGABYTE }),
  };
}
