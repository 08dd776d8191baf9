/**
 * What one Alteryx job may bring back: how many outputs and how many bytes in all.
 * The client caps each response; these cap their sum, so a hostile server cannot fill the
 * runtime's memory with many outputs each just under the cap. Nothing here knows Alteryx's
 * routes or Node-RED.
 */
import { DEFAULT_OUTPUT_LIMITS, MEGABYTE } from './constants';

export interface OutputLimits {
  /** A job listing more outputs than this downloads none of them. */
  maxOutputs: number;
  /** The outputs of one job together, in bytes as received (decompressed). */
  maxOutputBytes: number;
}

export { DEFAULT_OUTPUT_LIMITS, MEGABYTE } from './constants';

/** The limits asked for, each a positive number, else its default. */
export function outputLimits(asked: Partial<OutputLimits> = {}): OutputLimits {
  const usable = (value: number | undefined, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
  return {
    maxOutputs: usable(asked.maxOutputs, DEFAULT_OUTPUT_LIMITS.maxOutputs),
    maxOutputBytes: usable(asked.maxOutputBytes, DEFAULT_OUTPUT_LIMITS.maxOutputBytes),
  };
}

/** `200 MB`, `0.5 MB`: the unit the settings use. */
export function megabytes(bytes: number): string {
  return `${Number((bytes / MEGABYTE).toFixed(2))} MB`;
}

/** Why a job with `count` outputs is not downloaded, or undefined. */
export function outputCountProblem(count: number, limits: OutputLimits): string | undefined {
  if (count <= limits.maxOutputs) return undefined;
  return `it lists ${count} outputs, more than the ${limits.maxOutputs} a job may download (max outputs); none was downloaded`;
}

/** The bytes left for a job's outputs; each download may take at most what is left. */
export class OutputBudget {
  private used = 0;

  constructor(readonly limits: OutputLimits) {}

  get remaining(): number {
    return Math.max(0, this.limits.maxOutputBytes - this.used);
  }

  get usedBytes(): number {
    return this.used;
  }

  /** Counts a download; false when it does not fit in what was left. */
  take(bytes: number): boolean {
    if (bytes > this.remaining) return false;
    this.used += bytes;
    return true;
  }
}
