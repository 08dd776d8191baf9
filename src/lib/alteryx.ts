/**
 * Alteryx Gallery API v1 (and the same routes under Server 2022.1+ `/webapi/`): workflows,
 * questions, the job lifecycle (start, poll, outputs) and its error shapes.
 *
 * Authentication is the client's business (`createServiceClient`: OAuth 1.0a signing, or
 * an OAuth 2 bearer token); nothing here knows Node-RED.
 */
import { withLikelyCause, type SigningDiagnosis } from './diagnosis';
import { ServiceError, type FailureStatus, type StatusKey } from './errors';
import type { ClientRequest } from './client';
import { megabytes, OutputBudget, outputCountProblem, outputLimits, type OutputLimits } from './job-bounds';
import { formatDuration, pauseUnlessNudged, pollDelayMs, type JobNudges } from './job-polling';
import { percentEncode } from './oauth1';
import { isRequestError } from './request-error';
import { errorBodyForMessage, firstHeader, isSuccess, serviceMessage, stripBom, type ClientResponse } from './response';
import { PRIORITIES, type Priority } from './constants';
import type { AuthScheme } from './service';
import { DeadlineSignal } from './time';

/** The one method of `HttpClient` this file needs; tests hand in a fake. Bodies are checked, not assumed. */
export interface AlteryxTransport {
  request(request: ClientRequest): Promise<ClientResponse>;
}

export interface JobOutput {
  id: string;
  name: string;
  formats: string[];
}

/** Alteryx message levels: 1 info, 2 warning, 3 error. */
export interface JobMessage {
  status: number;
  text: string;
  toolId?: number;
}

export interface AlteryxJob {
  id: string;
  appId?: string;
  createDate?: string;
  status: string;
  disposition?: string;
  priority?: string;
  outputs?: JobOutput[];
  messages?: JobMessage[];
  [property: string]: unknown;
}

export interface Question {
  name: string;
  value: string;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description?: string;
  fileName?: string;
}

/** A question as `v1/workflows/<id>/questions/` describes it. */
export interface WorkflowQuestion {
  name: string;
  questionType?: string;
  description?: string;
  value?: string;
  multiple?: boolean;
  items?: Array<{ key: string; value: string }>;
  [property: string]: unknown;
}

export interface OutputData {
  id: string;
  /** The output as the workflow names it: `Sales.xlsx`, whatever format was downloaded. */
  name: string;
  format: string;
  /** The name of what was downloaded: the service's own (Content-Disposition), else `name` with the format's extension (`Sales.csv`). */
  fileName: string;
  /** Text formats as a string without BOM, binary formats as a Buffer. */
  data: string | Buffer;
}

export { JOB_ACTIONS, PRIORITIES, type JobAction, type Priority } from './constants';

export type AlteryxErrorCode =
  /** The service answered with an error status. */
  | 'EHTTP'
  /** The service answered 2xx with something that is not what the API documents. */
  | 'ERESPONSE'
  /** The job completed with disposition Error. */
  | 'EJOB'
  /** The job was cancelled (by a node, or on the server). */
  | 'ECANCELLED'
  /** The server's API cannot do this (the Gallery API v1 has no cancel); nothing was sent. */
  | 'EUNSUPPORTED'
  | 'ETIMEOUT'
  /** An output does not offer the format asked for. */
  | 'EFORMAT'
  /** The input (workflow id, questions, priority) cannot be sent. */
  | 'EINPUT'
  /** The job's outputs are more, or larger in all, than a job may download. */
  | 'ELIMIT';

/** The status ring's text of each failure; an HTTP failure shows its status code. */
const FAILURE_STATUS: Record<Exclude<AlteryxErrorCode, 'EHTTP'>, StatusKey> = {
  ERESPONSE: 'badResponse',
  EJOB: 'error',
  ECANCELLED: 'cancelled',
  EUNSUPPORTED: 'notSupported',
  ETIMEOUT: 'timeout',
  EFORMAT: 'formatNotOffered',
  EINPUT: 'invalidInput',
  ELIMIT: 'outputsTooLarge',
};

function failureStatus(code: AlteryxErrorCode, statusCode: number | undefined): FailureStatus {
  if (code !== 'EHTTP') return { key: FAILURE_STATUS[code] };
  return statusCode === undefined ? { key: 'error' } : { words: String(statusCode) };
}

/** An Alteryx failure. Its message is safe to show: service messages and ids, never credentials. */
export class AlteryxError extends ServiceError {
  declare readonly code: AlteryxErrorCode;

  constructor(
    message: string,
    code: AlteryxErrorCode,
    readonly details: {
      statusCode?: number;
      /** The parsed error body of an HTTP failure. */
      body?: unknown;
      /** The job as last seen, for job failures and timeouts. */
      job?: AlteryxJob;
      /** A refused signature: what was signed and the likely cause (`msg.signing`). */
      signing?: SigningDiagnosis;
    } = {},
  ) {
    // The job, when there is one, is what a flow wants on `msg.payload` at Catch.
    const { statusCode, job, body, signing } = details;
    super(message, code, failureStatus(code, statusCode), { statusCode, body: job ?? body, signing });
  }
}

export function isAlteryxError(error: unknown): error is AlteryxError {
  return error instanceof AlteryxError;
}

/** Formats whose outputs are text; others are decided by the response's content type. */
const TEXT_FORMATS = new Set(['csv', 'json', 'txt', 'xml', 'html', 'htm', 'tsv', 'md']);
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|csv|[^;]*\+json|[^;]*\+xml)\b)/i;

/** Statuses of a job that is still on its way; anything else unfinished is a surprise, not a reason to loop. */
const IN_PROGRESS_STATUSES = new Set(['queued', 'running', 'initializing']);
const ERROR_LEVEL = 3;

/** An id as one path segment; `.` and `..` are refused because URL parsers resolve them even encoded. */
export function pathSegment(id: string, what: string): string {
  const trimmed = id.trim();
  if (!trimmed) throw new AlteryxError(`no ${what} id`, 'EINPUT');
  if (trimmed === '.' || trimmed === '..') throw new AlteryxError(`invalid ${what} id "${trimmed}"`, 'EINPUT');
  return percentEncode(trimmed);
}

function questionValue(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  // List boxes with several choices take their values as a JSON array in one string.
  if (typeof value === 'object') return JSON.stringify(value);
  throw new AlteryxError(`the answer to question "${name}" is a ${typeof value}, not a value`, 'EINPUT');
}

/**
 * The questions of a job from a message payload: an object `{Country: "BE"}` or an array
 * `[{name, value}]`. Values are sent as the strings Alteryx expects (`2024`, `true`).
 * No payload, a number or a boolean (an inject timestamp, a button) mean no questions.
 */
export function questionsFrom(payload: unknown): Question[] {
  if (payload === undefined || payload === null || payload === '' || typeof payload === 'number' || typeof payload === 'boolean') return [];
  if (typeof payload === 'string' || Buffer.isBuffer(payload) || typeof payload !== 'object') {
    throw new AlteryxError(
      `msg.payload is ${Buffer.isBuffer(payload) ? 'a Buffer' : `a ${typeof payload}`}: send the questions as an object {name: value} or an array [{name, value}]`,
      'EINPUT',
    );
  }
  const questions: Question[] = [];
  if (Array.isArray(payload)) {
    payload.forEach((item: unknown, index) => {
      const name = typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
      if (typeof name !== 'string' || name === '') {
        throw new AlteryxError(`msg.payload[${index}] must be a question {name, value} with a name`, 'EINPUT');
      }
      const value = questionValue((item as { value?: unknown }).value, name);
      questions.push({ name, value: value ?? '' });
    });
    return questions;
  }
  for (const [name, raw] of Object.entries(payload)) {
    const value = questionValue(raw, name);
    if (value !== undefined) questions.push({ name, value });
  }
  return questions;
}

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}

function httpFailure(response: ClientResponse, notFound?: string): AlteryxError {
  const status = response.statusCode;
  const body = Buffer.isBuffer(response.body) ? parseMaybeJson(response.body) : response.body;
  const reason = status === 404 && notFound ? notFound : (serviceMessage(body) ?? 'no message');
  return new AlteryxError(withLikelyCause(`${status} ${reason}`, response.signing), 'EHTTP', {
    statusCode: status,
    body: errorBodyForMessage(body, response.bodyBytes),
    ...(response.signing ? { signing: response.signing } : {}),
  });
}

function parseMaybeJson(data: Buffer): unknown {
  const text = stripBom(data.toString('utf8'));
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isJob(value: unknown): value is AlteryxJob {
  return typeof value === 'object' && value !== null && typeof (value as AlteryxJob).id === 'string' && typeof (value as AlteryxJob).status === 'string';
}

/** The first error message of a job that has text, as `Input Data (3): File not found (tool 3)`. */
export function firstErrorMessage(job: AlteryxJob): string | undefined {
  const messages = (Array.isArray(job.messages) ? job.messages : []).filter((message) => typeof message?.text === 'string' && message.text.trim() !== '');
  const error = messages.find((message) => message.status === ERROR_LEVEL) ?? messages.find((message) => /^\s*error\b/i.test(message.text));
  if (!error) return undefined;
  const text = error.text.replace(/^\s*error\s*:\s*/i, '');
  return typeof error.toolId === 'number' && error.toolId >= 0 ? `${text} (tool ${error.toolId})` : text;
}

/** Why a finished job is a failure, or undefined when it succeeded. */
export function jobFailure(job: AlteryxJob): AlteryxError | undefined {
  const status = job.status.toLowerCase();
  const disposition = (job.disposition ?? '').toLowerCase();
  if (status === 'cancelled' || disposition === 'cancelled') {
    return new AlteryxError(`Alteryx job ${job.id} was cancelled`, 'ECANCELLED', { job });
  }
  if (disposition === 'error' || disposition === 'failed') {
    const detail = firstErrorMessage(job);
    return new AlteryxError(`Alteryx job ${job.id} failed${detail ? `: ${detail}` : ''}`, 'EJOB', { job });
  }
  return undefined;
}

/** The status ring's text for a job in a state for `elapsedMs`: `queued 12 s`, `running 1 m 04 s`. */
export function progressText(job: AlteryxJob, elapsedMs: number): string {
  const status = job.status.toLowerCase();
  if (status === 'queued' || status === 'running') return `${status} ${formatDuration(elapsedMs)}`;
  return status;
}

/** A finished job in one word, for the status ring: its disposition (`success`), else its status. */
export function outcomeText(job: AlteryxJob): string {
  const status = job.status.toLowerCase();
  const disposition = (job.disposition ?? '').toLowerCase();
  return status === 'completed' && disposition && disposition !== 'none' ? disposition : status;
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '');
}

function isTextOutput(format: string, contentType: string | undefined): boolean {
  if (TEXT_FORMATS.has(format.toLowerCase())) return true;
  return TEXT_CONTENT_TYPE.test(contentType ?? '');
}

/** Why a cancel is refused before anything is sent. */
export const NO_CANCEL_IN_GALLERY_V1 =
  'the Alteryx Gallery API v1 (OAuth 1.0a) has no job cancel: cancelling needs Alteryx Server API V3 under /webapi, with the OAuth 2 scheme';

/** What the server answered to a cancel: passed on as it came. */
export interface CancelAnswer {
  statusCode: number;
  body: unknown;
}

export interface AlteryxApiOptions {
  /** The base URL is Alteryx Server's `/webapi` (OAuth 2), which also serves the V3 routes. */
  serverApiV3?: boolean;
}

/**
 * The API of a configured service, the one way it is made: Server API V3 (the cancel) comes
 * with the OAuth 2 scheme, whose base URL is Server's `/webapi`; `timeoutMs` bounds each
 * request of a job (a flow's `msg.requestTimeout`), not the job.
 */
export function alteryxApiFor(transport: AlteryxTransport, service: { scheme?: AuthScheme; timeoutMs?: number }): AlteryxApi {
  const { timeoutMs } = service;
  const bounded: AlteryxTransport =
    timeoutMs === undefined ? transport : { request: (request) => transport.request({ ...request, timeoutMs: request.timeoutMs ?? timeoutMs }) };
  return new AlteryxApi(bounded, { serverApiV3: service.scheme === 'oauth2' });
}

/** The v1 routes (and V3's cancel); `client` is configured with the Gallery or webapi base URL. */
export class AlteryxApi {
  constructor(
    private readonly client: AlteryxTransport,
    private readonly options: AlteryxApiOptions = {},
  ) {}

  /** Whether this server can cancel a job (Server API V3); the Gallery API v1 cannot. */
  get canCancel(): boolean {
    return this.options.serverApiV3 === true;
  }

  /**
   * Cancels a queued or running job: `DELETE v3/jobs/{jobId}` of Alteryx Server API V3 under
   * `/webapi` (help.alteryx.com, Server API V3, "Job Endpoints": cancel a specific job). V3
   * came with Server 2021.4, OAuth 2 only, and some of its endpoints want a Curator (admin) key
   * (community.alteryx.com, "Introducing Alteryx Server v3 API endpoints"); which release added
   * the job cancel we could not confirm, so a server without it answers 404 and that answer is
   * passed on. The Gallery API v1 has no cancel route: refused with `EUNSUPPORTED` before
   * anything is sent. A refusal (a finished job, no permission) is an `EHTTP` error with the
   * server's status code and body.
   */
  async cancelJob(jobId: string, signal?: AbortSignal): Promise<CancelAnswer> {
    const path = `v3/jobs/${pathSegment(jobId, 'job')}`;
    if (!this.canCancel) throw new AlteryxError(NO_CANCEL_IN_GALLERY_V1, 'EUNSUPPORTED');
    const response = await this.client.request({ method: 'DELETE', url: path, headers: { Accept: 'application/json' }, responseType: 'json', signal });
    if (!isSuccess(response)) {
      const failure = httpFailure(response, `unknown job "${jobId}"`);
      throw new AlteryxError(`cancelling Alteryx job ${jobId}: ${failure.message}`, 'EHTTP', failure.details);
    }
    return { statusCode: response.statusCode, body: response.body };
  }

  /** The workflows the key may run (`v1/workflows/subscription/`), by name. */
  async listWorkflows(signal?: AbortSignal): Promise<WorkflowSummary[]> {
    const body = await this.getJson('v1/workflows/subscription/', signal);
    if (!Array.isArray(body)) throw new AlteryxError('the workflow list is not an array', 'ERESPONSE');
    return body
      .filter((item: unknown): item is Record<string, unknown> => typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string')
      .map((item) => {
        const meta = (typeof item.metaInfo === 'object' && item.metaInfo !== null ? item.metaInfo : {}) as Record<string, unknown>;
        const fileName = typeof item.fileName === 'string' ? item.fileName : undefined;
        const name = (typeof meta.name === 'string' && meta.name) || fileName?.replace(/\.[^.]*$/, '') || (item.id as string);
        const summary: WorkflowSummary = { id: item.id as string, name };
        if (typeof meta.description === 'string' && meta.description) summary.description = meta.description;
        if (fileName) summary.fileName = fileName;
        return summary;
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async questions(appId: string, signal?: AbortSignal): Promise<WorkflowQuestion[]> {
    const body = await this.getJson(`v1/workflows/${pathSegment(appId, 'workflow')}/questions/`, signal, `unknown workflow "${appId}"`);
    if (!Array.isArray(body)) throw new AlteryxError(`the questions of workflow "${appId}" are not an array`, 'ERESPONSE');
    return body.filter(
      (item: unknown): item is WorkflowQuestion => typeof item === 'object' && item !== null && 'name' in item && typeof item.name === 'string',
    );
  }

  /** Queues a job. Never retried: a POST that reached the server may have started a job already. */
  async startJob(appId: string, options: { questions?: Question[]; priority?: Priority }, signal?: AbortSignal): Promise<AlteryxJob> {
    const priority = options.priority ?? '0';
    if (!isPriority(priority)) throw new AlteryxError(`priority must be "0", "1", "2" or "3", not "${String(priority)}"`, 'EINPUT');
    const response = await this.client.request({
      method: 'POST',
      url: `v1/workflows/${pathSegment(appId, 'workflow')}/jobs/`,
      headers: { Accept: 'application/json' },
      body: { questions: options.questions ?? [], priority },
      responseType: 'json',
      signal,
    });
    if (!isSuccess(response)) throw httpFailure(response, `unknown workflow "${appId}"`);
    if (!isJob(response.body))
      throw new AlteryxError(`starting workflow "${appId}" did not answer with a job`, 'ERESPONSE', {
        statusCode: response.statusCode,
        body: errorBodyForMessage(response.body, response.bodyBytes),
      });
    return response.body;
  }

  async job(jobId: string, signal?: AbortSignal): Promise<AlteryxJob> {
    const body = await this.getJson(`v1/jobs/${pathSegment(jobId, 'job')}/`, signal, `unknown job "${jobId}"`);
    if (!isJob(body)) throw new AlteryxError(`job "${jobId}": the answer is not a job`, 'ERESPONSE', { body });
    return body;
  }

  /** `maxBytes`: what is left of the job's output budget; a larger body is an ETOOLARGE error. */
  async downloadOutput(jobId: string, output: JobOutput, format: string, signal?: AbortSignal, maxBytes?: number): Promise<OutputData> {
    const response = await this.client.request({
      method: 'GET',
      url: `v1/jobs/${pathSegment(jobId, 'job')}/output/${pathSegment(output.id, 'output')}/?format=${percentEncode(format)}`,
      responseType: 'buffer',
      signal,
      maxResponseBytes: maxBytes,
    });
    if (!isSuccess(response)) {
      const failure = httpFailure(response, `unknown output "${output.name}" of job "${jobId}"`);
      throw new AlteryxError(`Alteryx job ${jobId}: output "${output.name}" as ${format}: ${failure.message}`, 'EHTTP', failure.details);
    }
    const bytes = response.body;
    if (!Buffer.isBuffer(bytes)) throw new AlteryxError(`Alteryx job ${jobId}: output "${output.name}" came back without bytes`, 'ERESPONSE', { body: bytes });
    const data = isTextOutput(format, firstHeader(response.headers, 'content-type')) ? stripBom(bytes.toString('utf8')) : bytes;
    return {
      id: output.id,
      name: output.name,
      format,
      fileName: downloadedFileName(output.name, format, firstHeader(response.headers, 'content-disposition')),
      data,
    };
  }

  private async getJson(url: string, signal: AbortSignal | undefined, notFound?: string): Promise<unknown> {
    const response = await this.client.request({ method: 'GET', url, headers: { Accept: 'application/json' }, responseType: 'json', signal });
    if (!isSuccess(response)) throw httpFailure(response, notFound);
    if (response.jsonError)
      throw new AlteryxError(`GET ${url}: ${response.jsonError}`, 'ERESPONSE', {
        statusCode: response.statusCode,
        body: errorBodyForMessage(response.body, response.bodyBytes),
      });
    return response.body;
  }
}

/**
 * What a downloaded output is called. A workbook output `Sales.xlsx` fetched as Csv is CSV
 * text: naming it by the service's `Content-Disposition`, or by the format, says so.
 * Only a base name: flows write files by it, and the name comes from the server.
 */
export function downloadedFileName(name: string, format: string, contentDisposition: string | undefined): string {
  const given = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(contentDisposition ?? '')?.[1];
  if (given) {
    let decoded = given.trim();
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Not percent-encoded after all: the text as it came.
    }
    const base = baseName(decoded);
    if (base) return base;
  }
  const fallback = format.toLowerCase() === 'raw' ? name : `${name.replace(/\.[^.]*$/, '')}.${format.toLowerCase()}`;
  return baseName(fallback) ?? `output.${format.toLowerCase()}`;
}

/** The last segment of a path (either separator), without control characters; undefined when nothing usable is left. */
function baseName(path: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const base = (path.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base : undefined;
}

/** Each output in the wanted format, checked for all outputs before anything is downloaded. */
export function outputFormats(job: AlteryxJob, format: string): Array<{ output: JobOutput; format: string }> {
  const outputs = Array.isArray(job.outputs) ? job.outputs : [];
  const wanted = format.toLowerCase();
  return outputs.map((output) => {
    const formats = Array.isArray(output.formats) ? output.formats : [];
    // The service's own spelling goes into the URL.
    const offered = formats.find((candidate) => String(candidate).toLowerCase() === wanted);
    if (!offered) {
      throw new AlteryxError(
        `Alteryx job ${job.id}: output "${output.name}" is not available as ${format}; it offers ${formats.length ? formats.join(', ') : 'no formats'}`,
        'EFORMAT',
        { job },
      );
    }
    return { output, format: offered };
  });
}

export interface DownloadBounds {
  limits?: Partial<OutputLimits>;
  /** Epoch ms after which downloading is given up, as the wait for the job is. */
  deadline?: number;
  /** Epoch ms when the job was started: a timeout names the time since. */
  startedAt?: number;
  now?: () => number;
}

/**
 * Every output of a job, within its bounds: the count, the bytes in all and the deadline.
 * All or nothing: a bound exceeded is an error, never a part of the outputs.
 */
export async function downloadOutputs(
  api: AlteryxApi,
  job: AlteryxJob,
  format: string,
  signal?: AbortSignal,
  bounds: DownloadBounds = {},
): Promise<OutputData[]> {
  const wanted = outputFormats(job, format);
  const budget = new OutputBudget(outputLimits(bounds.limits));
  const tooMany = outputCountProblem(wanted.length, budget.limits);
  if (tooMany) throw new AlteryxError(`Alteryx job ${job.id}: ${tooMany}`, 'ELIMIT', { job });
  const deadline = bounds.deadline === undefined ? undefined : new DeadlineSignal(bounds.deadline, signal, bounds.now);
  const outputs: OutputData[] = [];
  try {
    // One after the other: a Gallery worker serves large files, and order follows the job's outputs.
    for (const { output, format: offered } of wanted) {
      let data: OutputData;
      try {
        data = await api.downloadOutput(job.id, output, offered, deadline?.signal ?? signal, budget.remaining);
      } catch (error) {
        if (deadline?.expired && !signal?.aborted) {
          const { startedAt, deadline: at } = bounds;
          const timeout = startedAt === undefined || at === undefined ? '' : ` within ${seconds(at - startedAt)} s`;
          throw new AlteryxError(`Alteryx job ${job.id}: no result${timeout} (downloading output ${outputs.length + 1} of ${wanted.length})`, 'ETIMEOUT', {
            job,
          });
        }
        if (isRequestError(error) && error.code === 'ETOOLARGE') throw overBudget(job, output, budget);
        throw error;
      }
      if (!budget.take(Buffer.byteLength(data.data))) throw overBudget(job, output, budget);
      outputs.push(data);
    }
  } finally {
    deadline?.dispose();
  }
  return outputs;
}

function overBudget(job: AlteryxJob, output: JobOutput, budget: OutputBudget): AlteryxError {
  return new AlteryxError(
    `Alteryx job ${job.id}: output "${output.name}" does not fit in the ${megabytes(budget.limits.maxOutputBytes)} a job's outputs may take in all (max outputs size), ${megabytes(budget.usedBytes)} before it; nothing was sent`,
    'ELIMIT',
    { job },
  );
}

export interface WaitOptions {
  pollIntervalMs: number;
  /** Epoch ms after which waiting is given up; survives a restart, unlike a duration. */
  deadline: number;
  /** Epoch ms when the job was started: progress shows the time since. */
  startedAt: number;
  signal?: AbortSignal;
  onProgress?: (job: AlteryxJob, text: string) => void;
  /** A nudge for this job (a cancel elsewhere in the runtime) makes the wait look again at once. */
  nudges?: JobNudges;
  now?: () => number;
}

/** True for a job that finished well; throws for one that failed, was cancelled or is in a state nobody documents. */
function hasSucceeded(job: AlteryxJob): boolean {
  const status = job.status.toLowerCase();
  if (status === 'completed' || status === 'cancelled') {
    const failure = jobFailure(job);
    if (failure) throw failure;
    return true;
  }
  if (!IN_PROGRESS_STATUSES.has(status)) throw new AlteryxError(`Alteryx job ${job.id}: unexpected status "${job.status}"`, 'ERESPONSE', { job });
  return false;
}

/**
 * Polls `v1/jobs/<id>/` until the job is Completed (or Cancelled), less often as it runs
 * longer (`pollDelayMs`). Resolves with a job that succeeded; rejects with an `AlteryxError`
 * for a failed or cancelled job, an unexpected status or the deadline, and with a
 * `RequestError` (`EABORTED`) when `signal` aborts.
 */
export async function waitForJob(api: AlteryxApi, jobId: string, options: WaitOptions): Promise<AlteryxJob> {
  const now = options.now ?? Date.now;
  const deadline = new DeadlineSignal(options.deadline, options.signal, now);
  const { signal } = deadline;
  let last: AlteryxJob | undefined;
  const timedOut = () =>
    new AlteryxError(
      `Alteryx job ${jobId}: no result within ${seconds(options.deadline - options.startedAt)} s (still ${last?.status ?? 'unknown'})`,
      'ETIMEOUT',
      {
        job: last,
      },
    );
  const givenUp = (error: unknown): unknown => (deadline.expired && !options.signal?.aborted ? timedOut() : error);
  // The time in the current state: a job queued for a minute then running shows `running 0 s`.
  let state = { status: '', since: options.startedAt };
  try {
    for (let poll = 1; ; poll++) {
      try {
        // The first look is never cut short: a job resumed after its deadline may have finished meanwhile.
        last = await api.job(jobId, poll === 1 ? options.signal : signal);
      } catch (error) {
        throw givenUp(error);
      }
      if (hasSucceeded(last)) return last;
      const status = last.status.toLowerCase();
      if (status !== state.status) state = { status, since: poll === 1 ? options.startedAt : now() };
      options.onProgress?.(last, progressText(last, now() - state.since));
      const remaining = options.deadline - now();
      if (remaining <= 0) throw timedOut();
      try {
        await pauseUnlessNudged(Math.min(pollDelayMs(options.pollIntervalMs, now() - options.startedAt), remaining), signal, options.nudges, jobId);
      } catch (error) {
        throw givenUp(error);
      }
    }
  } finally {
    deadline.dispose();
  }
}

export interface JobResult {
  job: AlteryxJob;
  /** Present when an output format was asked for. */
  outputs?: OutputData[];
}

export interface CompleteOptions extends WaitOptions {
  /** `""` or undefined: do not download. */
  outputFormat?: string;
  /** How many outputs, and how many bytes in all, a job may download; the deadline covers the downloads too. */
  outputLimits?: Partial<OutputLimits>;
}

/** Waits for a started job and downloads its outputs: what follows a start, or a restart. */
export async function completeJob(api: AlteryxApi, jobId: string, options: CompleteOptions): Promise<JobResult> {
  const job = await waitForJob(api, jobId, options);
  if (!options.outputFormat) return { job };
  const bounds = { limits: options.outputLimits, deadline: options.deadline, startedAt: options.startedAt, now: options.now };
  return { job, outputs: await downloadOutputs(api, job, options.outputFormat, options.signal, bounds) };
}

export interface RunOptions {
  appId: string;
  questions?: Question[];
  priority?: Priority;
  /** False: resolve with the queued job at once. */
  wait: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  outputFormat?: string;
  signal?: AbortSignal;
  /** Called once the job exists, before any waiting: where a caller records it to resume later. */
  onStarted?: (job: AlteryxJob, wait: { startedAt: number; deadline: number }) => void;
  onProgress?: (job: AlteryxJob, text: string) => void;
  now?: () => number;
}

/** The whole lifecycle: start the job, wait for it when asked, fetch its outputs. */
export async function runWorkflow(api: AlteryxApi, options: RunOptions): Promise<JobResult> {
  const now = options.now ?? Date.now;
  const job = await api.startJob(options.appId, { questions: options.questions, priority: options.priority }, options.signal);
  const startedAt = now();
  const deadline = startedAt + options.timeoutMs;
  options.onStarted?.(job, { startedAt, deadline });
  if (!options.wait) return { job };
  return completeJob(api, job.id, { ...options, startedAt, deadline });
}

/**
 * A timed-out wait whose job is then cancelled on the server (the node's "cancel on timeout"):
 * the timeout error says whether the cancel went through. Alteryx Server's own time limit covers
 * only scheduled jobs, so a manually started job would otherwise run on.
 */
export async function cancelAfterTimeout(api: AlteryxApi, jobId: string, timeout: AlteryxError): Promise<AlteryxError> {
  // The deadline passed while downloading the outputs of a finished job: nothing left to cancel.
  if (timeout.details.job?.status.toLowerCase() === 'completed') return timeout;
  try {
    await api.cancelJob(jobId);
    return new AlteryxError(`${timeout.message}; cancelled on the server`, 'ETIMEOUT', timeout.details);
  } catch (error) {
    return new AlteryxError(`${timeout.message}; cancelling it failed: ${(error as Error).message}`, 'ETIMEOUT', timeout.details);
  }
}

/** A finished job's outputs by its id (the `outputs` action): refused while it is under way or when it failed. */
export async function outputsOfJob(api: AlteryxApi, jobId: string, format: string, signal?: AbortSignal, limits?: Partial<OutputLimits>): Promise<JobResult> {
  const job = await api.job(jobId, signal);
  if (!hasSucceeded(job))
    throw new AlteryxError(`Alteryx job ${jobId} is ${job.status.toLowerCase()}: its outputs come once it has completed`, 'EJOB', { job });
  return { job, outputs: await downloadOutputs(api, job, format, signal, { limits }) };
}
