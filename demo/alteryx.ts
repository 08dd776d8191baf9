/**
 * The Alteryx Gallery API v1 side of the demo: workflows, questions, jobs and outputs.
 * Authentication is the server's business (OAuth 1.0a under `/gallery/api`, OAuth 2 bearer
 * tokens under `/webapi`); this file only answers the v1 routes once a request is let in.
 *
 * Shapes follow the project design ("Service facts"): jobs are `{id, appId, createDate,
 * status, disposition, outputs:[{id, formats, name}], messages:[{status, text, toolId}]}`.
 * Errors are `{message}` as Alteryx (ASP.NET Web API) sends them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { bytesReply, jsonReply, mediaType, type Reply } from './http';

/** Fixed workflow (app) ids, so flows and tests can name them. */
export const DEMO_WORKFLOW_IDS = Object.freeze({
  /** "Sales report": three questions, ends Success with Sales.csv and Sales.xlsx. */
  salesReport: '5bc4a813156ae016dcb442bd',
  /** "Customer import": ends with disposition Error and an error message, no outputs. */
  customerImport: '5bc4a813156ae016dcb4e770',
  /** "Nightly forecast": stays Running for ever, until it is cancelled (timeout and cancel tests). */
  nightlyForecast: '5bc4a813156ae016dcb45710',
});

export interface JobTiming {
  /** How long a new job stays Queued. */
  queuedMs: number;
  /** How long it then stays Running before it is Completed. */
  runningMs: number;
}

export const DEFAULT_JOB_TIMING: JobTiming = { queuedMs: 1500, runningMs: 3000 };

export interface Question {
  name: string;
  questionType: string;
  description: string;
  value: string;
  multiple?: boolean;
  items?: Array<{ key: string; value: string }>;
}

type Outcome = 'success' | 'error' | 'never';

interface WorkflowDefinition {
  id: string;
  name: string;
  description: string;
  fileName: string;
  uploadDate: string;
  outcome: Outcome;
  questions: Question[];
}

const WORKFLOWS: readonly WorkflowDefinition[] = [
  {
    id: DEMO_WORKFLOW_IDS.salesReport,
    name: 'Sales report',
    description: 'Units and revenue per product for one country and year.',
    fileName: 'Sales report.yxwz',
    uploadDate: '2024-03-04T09:15:00.000Z',
    outcome: 'success',
    questions: [
      {
        name: 'Country',
        questionType: 'QuestionListBox',
        description: 'Country to report on',
        value: 'BE',
        multiple: false,
        items: [
          { key: 'BE', value: 'Belgium' },
          { key: 'NL', value: 'Netherlands' },
          { key: 'FR', value: 'France' },
          { key: 'DE', value: 'Germany' },
        ],
      },
      { name: 'Year', questionType: 'QuestionNumericUpDown', description: 'Fiscal year', value: '2024' },
      { name: 'IncludeReturns', questionType: 'QuestionBoolean', description: 'Subtract returned goods', value: 'false' },
    ],
  },
  {
    id: DEMO_WORKFLOW_IDS.customerImport,
    name: 'Customer import',
    description: 'Imports a customer file; in the demo it always fails.',
    fileName: 'Customer import.yxwz',
    uploadDate: '2024-05-21T14:02:00.000Z',
    outcome: 'error',
    questions: [{ name: 'SourceFile', questionType: 'QuestionTextBox', description: 'File to import', value: 'customers.csv' }],
  },
  {
    id: DEMO_WORKFLOW_IDS.nightlyForecast,
    name: 'Nightly forecast',
    description: 'A forecast that in the demo never finishes.',
    fileName: 'Nightly forecast.yxwz',
    uploadDate: '2024-06-30T22:45:00.000Z',
    outcome: 'never',
    questions: [{ name: 'Horizon', questionType: 'QuestionNumericUpDown', description: 'Days to forecast', value: '30' }],
  },
];

type JobStatus = 'Queued' | 'Running' | 'Completed';
type Disposition = 'None' | 'Success' | 'Error' | 'Cancelled';
type OutputFormat = 'Csv' | 'Raw' | 'Json' | 'Xlsx';

export interface JobMessage {
  status: number;
  text: string;
  toolId: number;
}

interface OutputRecord {
  id: string;
  name: string;
  formats: OutputFormat[];
  content: 'table' | 'workbook';
}

interface JobRecord {
  id: string;
  workflow: WorkflowDefinition;
  createDate: string;
  /** performance.now() at creation: progress follows real elapsed time, whatever the demo clock says. */
  startedAt: number;
  priority: string;
  answers: Map<string, string>;
  outputs: OutputRecord[];
  /** performance.now() when it was cancelled (Server API V3 `DELETE v3/jobs/{jobId}`). */
  cancelledAt?: number;
}

export interface JobView {
  id: string;
  appId: string;
  createDate: string;
  status: JobStatus;
  disposition: Disposition;
  priority: string;
  outputs: Array<{ id: string; formats: OutputFormat[]; name: string }>;
  messages: JobMessage[];
}

/** Alteryx message levels: 1 info, 2 warning, 3 error. */
const INFO = 1;
const WARNING = 2;
const ERROR = 3;

/** Jobs beyond this are forgotten, oldest first: the demo may run for days. */
const MAX_JOBS = 1000;

const UTF8_BOM = '\uFEFF';

export type AlteryxRoute = { kind: 'reply'; reply: Reply } | { kind: 'route'; run: (input: RouteInput) => Reply };

export interface RouteInput {
  query: URLSearchParams;
  body: Buffer;
  contentType: string | undefined;
}

export function alteryxError(status: number, message: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { message }, headers);
}

function newId(): string {
  return randomBytes(12).toString('hex');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

interface SalesRow {
  Country: string;
  Year: string;
  IncludeReturns: string;
  Product: string;
  Units: number;
  Revenue: number;
}

function salesRows(answers: Map<string, string>): SalesRow[] {
  const base = { Country: answers.get('Country') ?? '', Year: answers.get('Year') ?? '', IncludeReturns: answers.get('IncludeReturns') ?? '' };
  const returns = base.IncludeReturns.toLowerCase() === 'true' ? 0.9 : 1;
  const cents = (amount: number): number => Math.round(amount * returns * 100) / 100;
  // Non-ASCII and a comma in the data, so a client that mangles UTF-8 or CSV quoting shows it.
  return [
    { ...base, Product: 'Widgets', Units: Math.round(120 * returns), Revenue: cents(1440) },
    { ...base, Product: 'Café tables', Units: Math.round(8 * returns), Revenue: cents(2392) },
    { ...base, Product: 'Gadgets, large', Units: Math.round(75 * returns), Revenue: cents(1312.5) },
  ];
}

function salesCsv(answers: Map<string, string>): string {
  const header = 'Country,Year,IncludeReturns,Product,Units,Revenue';
  const lines = salesRows(answers).map((row) =>
    [row.Country, row.Year, row.IncludeReturns, row.Product, String(row.Units), row.Revenue.toFixed(2)].map(csvField).join(','),
  );
  return `${UTF8_BOM}${[header, ...lines].join('\r\n')}\r\n`;
}

/** Not a valid workbook: a ZIP signature, some text and bytes that are not UTF-8, to catch clients that decode binaries. */
function salesWorkbook(answers: Map<string, string>): Buffer {
  return Buffer.concat([
    Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]),
    Buffer.from(`demo workbook (not a real xlsx) Country=${answers.get('Country') ?? ''}`, 'utf8'),
    Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3]),
  ]);
}

export class AlteryxGallery {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly runCounts = new Map<string, number>();

  constructor(
    private readonly timing: JobTiming,
    /** The demo clock (epoch ms), shifted for clock-skew tests. */
    private readonly now: () => number,
    private readonly onJobStarted: () => void = () => undefined,
  ) {}

  /**
   * Finds the v1 route for `segments` (the decoded path after `v1/`, trailing slash
   * removed). Unknown routes and wrong methods are answered before authentication, so a
   * wrong base URL reads as 404 rather than as a signature problem.
   */
  resolve(method: string, segments: string[]): AlteryxRoute {
    const [first, second, third, fourth, ...rest] = segments;
    const notAllowed = (allow: string): AlteryxRoute => ({
      kind: 'reply',
      reply: alteryxError(405, `The requested resource does not support http method '${method}'.`, { Allow: allow }),
    });
    const only = (allowed: string, run: (input: RouteInput) => Reply): AlteryxRoute => (method === allowed ? { kind: 'route', run } : notAllowed(allowed));

    if (first === 'workflows' && second === 'subscription' && third === undefined) {
      return only('GET', () => this.subscription());
    }
    if (first === 'workflows' && second !== undefined && third === 'questions' && fourth === undefined) {
      return only('GET', () => this.questions(second));
    }
    if (first === 'workflows' && second !== undefined && third === 'jobs' && fourth === undefined) {
      if (method === 'GET') return { kind: 'route', run: () => this.workflowJobs(second) };
      if (method === 'POST') return { kind: 'route', run: (input) => this.startJob(second, input) };
      return notAllowed('GET, POST');
    }
    if (first === 'jobs' && second !== undefined && third === undefined) {
      return only('GET', () => this.job(second));
    }
    if (first === 'jobs' && second !== undefined && third === 'output' && fourth !== undefined && rest.length === 0) {
      return only('GET', (input) => this.output(second, fourth, input.query));
    }
    return { kind: 'reply', reply: alteryxError(404, 'No HTTP resource was found that matches the request URI.') };
  }

  /**
   * The Server API V3 job routes under `/webapi/v3/` (OAuth 2 only): the job list, one job,
   * and cancelling one (`DELETE v3/jobs/{jobId}`, "Job Endpoints" of Server API V3).
   */
  resolveV3(method: string, segments: string[]): AlteryxRoute {
    const [first, second, ...rest] = segments;
    if (first === 'jobs' && second === undefined) {
      return method === 'GET' ? { kind: 'route', run: () => this.jobList() } : this.notAllowed(method, 'GET');
    }
    if (first === 'jobs' && second !== undefined && rest.length === 0) {
      if (method === 'GET') return { kind: 'route', run: () => this.job(second) };
      if (method === 'DELETE') return { kind: 'route', run: () => this.cancel(second) };
      return this.notAllowed(method, 'GET, DELETE');
    }
    return { kind: 'reply', reply: alteryxError(404, 'No HTTP resource was found that matches the request URI.') };
  }

  private notAllowed(method: string, allow: string): AlteryxRoute {
    return { kind: 'reply', reply: alteryxError(405, `The requested resource does not support http method '${method}'.`, { Allow: allow }) };
  }

  /** Every job the demo remembers, newest first, as a list shows them (no messages or outputs). */
  private jobList(): Reply {
    const jobs = [...this.jobs.values()].reverse().map((job) => this.view(job));
    return jsonReply(
      200,
      jobs.map(({ id, appId, createDate, status, disposition, priority }) => ({ id, workflowId: appId, createDate, status, disposition, priority })),
    );
  }

  /** Cancels a queued or running job; a finished one cannot be, and says why. */
  private cancel(jobId: string): Reply {
    const job = this.jobs.get(jobId);
    if (!job) return alteryxError(404, `Unable to find job with id '${jobId}'.`);
    const view = this.view(job);
    if (view.status === 'Completed') {
      return alteryxError(400, `Job '${jobId}' has already finished (${view.disposition}): only a queued or running job can be cancelled.`);
    }
    job.cancelledAt = performance.now();
    return jsonReply(200, this.view(job));
  }

  private workflow(appId: string): WorkflowDefinition | undefined {
    return WORKFLOWS.find((workflow) => workflow.id === appId);
  }

  private unknownWorkflow(appId: string): Reply {
    return alteryxError(404, `Unable to find workflow with id '${appId}'.`);
  }

  private subscription(): Reply {
    return jsonReply(
      200,
      WORKFLOWS.map((workflow) => ({
        id: workflow.id,
        subscriptionId: 'demo-subscription',
        public: false,
        runDisabled: false,
        packageType: 0,
        uploadDate: workflow.uploadDate,
        fileName: workflow.fileName,
        metaInfo: {
          name: workflow.name,
          description: workflow.description,
          author: 'Demo',
          copyright: '',
          url: '',
          urlText: '',
          outputMessage: '',
          noOutputFilesMessage: '',
        },
        isChained: false,
        version: 1,
        runCount: this.runCounts.get(workflow.id) ?? 0,
        workerTag: '',
        isE2: true,
      })),
    );
  }

  private questions(appId: string): Reply {
    const workflow = this.workflow(appId);
    return workflow ? jsonReply(200, workflow.questions) : this.unknownWorkflow(appId);
  }

  private workflowJobs(appId: string): Reply {
    const workflow = this.workflow(appId);
    if (!workflow) return this.unknownWorkflow(appId);
    const jobs = [...this.jobs.values()].filter((job) => job.workflow === workflow).map((job) => this.view(job));
    return jsonReply(
      200,
      jobs.map(({ id, createDate, status, disposition, priority }) => ({ id, createDate, status, disposition, priority })),
    );
  }

  private startJob(appId: string, input: RouteInput): Reply {
    const workflow = this.workflow(appId);
    if (!workflow) return this.unknownWorkflow(appId);

    const text = input.body.toString('utf8').trim();
    let parsed: unknown = {};
    if (text !== '') {
      const type = mediaType(input.contentType);
      if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
        return alteryxError(415, `The request entity's media type '${type}' is not supported for this resource.`);
      }
      try {
        parsed = JSON.parse(text);
      } catch {
        return alteryxError(400, 'The request is invalid: the body is not valid JSON.');
      }
    }
    const request = parseJobRequest(parsed);
    if (typeof request === 'string') return alteryxError(400, `The request is invalid: ${request}`);

    const answers = new Map(workflow.questions.map((question) => [question.name, question.value]));
    for (const { name, value } of request.questions) {
      if (answers.has(name)) answers.set(name, value);
    }
    const job: JobRecord = {
      id: newId(),
      workflow,
      createDate: new Date(this.now()).toISOString(),
      startedAt: performance.now(),
      priority: request.priority,
      answers,
      outputs:
        workflow.outcome === 'success'
          ? [
              { id: newId(), name: 'Sales.csv', formats: ['Csv', 'Raw', 'Json'], content: 'table' },
              { id: newId(), name: 'Sales.xlsx', formats: ['Xlsx', 'Csv', 'Raw'], content: 'workbook' },
            ]
          : [],
    };
    this.jobs.set(job.id, job);
    // Oldest first: a Map iterates in insertion order, and deleting while iterating is safe.
    for (const oldest of this.jobs.keys()) {
      if (this.jobs.size <= MAX_JOBS) break;
      this.jobs.delete(oldest);
    }
    this.runCounts.set(workflow.id, (this.runCounts.get(workflow.id) ?? 0) + 1);
    this.onJobStarted();
    return jsonReply(200, this.view(job));
  }

  private job(jobId: string): Reply {
    const job = this.jobs.get(jobId);
    return job ? jsonReply(200, this.view(job)) : alteryxError(404, `Unable to find job with id '${jobId}'.`);
  }

  private output(jobId: string, outputId: string, query: URLSearchParams): Reply {
    const job = this.jobs.get(jobId);
    if (!job) return alteryxError(404, `Unable to find job with id '${jobId}'.`);
    const view = this.view(job);
    const output = view.status === 'Completed' ? job.outputs.find((candidate) => candidate.id === outputId) : undefined;
    if (!output) return alteryxError(404, `Unable to find output with id '${outputId}' for job '${jobId}'.`);

    const requested = query.get('format');
    if (!requested) return alteryxError(400, `The format query parameter is required; this output offers ${output.formats.join(', ')}.`);
    const format = output.formats.find((candidate) => candidate.toLowerCase() === requested.toLowerCase());
    if (!format) {
      return alteryxError(400, `The format '${requested}' is not available for this output; it offers ${output.formats.join(', ')}.`);
    }

    const stem = output.name.replace(/\.[^.]*$/, '');
    const attachment = (fileName: string): Record<string, string> => ({
      'Content-Disposition': `attachment; filename="${fileName}"`,
    });
    // Gallery converts a workbook output to CSV on request, as it does for table outputs.
    if (output.content === 'workbook' && format !== 'Csv') {
      const fileName = format === 'Raw' ? output.name : `${stem}.xlsx`;
      return bytesReply(200, salesWorkbook(job.answers), 'application/octet-stream', attachment(fileName));
    }
    if (format === 'Json') {
      return jsonReply(200, salesRows(job.answers), attachment(`${stem}.json`));
    }
    return bytesReply(200, Buffer.from(salesCsv(job.answers), 'utf8'), 'text/csv; charset=utf-8', attachment(format === 'Csv' ? `${stem}.csv` : output.name));
  }

  private view(job: JobRecord): JobView {
    if (job.cancelledAt !== undefined) return this.cancelledView(job);
    const elapsed = performance.now() - job.startedAt;
    const { queuedMs, runningMs } = this.timing;
    const outcome = job.workflow.outcome;
    let status: JobStatus;
    if (elapsed < queuedMs) status = 'Queued';
    else if (outcome === 'never' || elapsed < queuedMs + runningMs) status = 'Running';
    else status = 'Completed';

    let disposition: Disposition = 'None';
    let messages: JobMessage[] = [];
    if (status === 'Completed' && outcome === 'success') {
      disposition = 'Success';
      const rows = salesRows(job.answers).length;
      messages = [
        { status: INFO, text: `Input Data (1): ${rows} records were read from "sales.yxdb"`, toolId: 1 },
        { status: INFO, text: `Output Data (5): ${rows} records were written to "Sales.csv"`, toolId: 5 },
        { status: INFO, text: `Output Data (6): ${rows} records were written to "Sales.xlsx"`, toolId: 6 },
      ];
    } else if (status === 'Completed') {
      disposition = 'Error';
      const file = job.answers.get('SourceFile') ?? '';
      messages = [
        { status: WARNING, text: 'Warning: Input Data (3): the file share is slow to answer', toolId: 3 },
        { status: ERROR, text: `Error: Input Data (3): File not found "${file}"`, toolId: 3 },
      ];
    } else if (status === 'Running' && outcome === 'never') {
      messages = [{ status: INFO, text: 'Forecast (2): still fitting the model', toolId: 2 }];
    }

    return {
      id: job.id,
      appId: job.workflow.id,
      createDate: job.createDate,
      status,
      disposition,
      priority: job.priority,
      outputs: status === 'Completed' ? job.outputs.map(({ id, formats, name }) => ({ id, formats: [...formats], name })) : [],
      messages,
    };
  }

  private cancelledView(job: JobRecord): JobView {
    return {
      id: job.id,
      appId: job.workflow.id,
      createDate: job.createDate,
      status: 'Completed',
      disposition: 'Cancelled',
      priority: job.priority,
      outputs: [],
      messages: [{ status: WARNING, text: 'The job was cancelled on request.', toolId: -1 }],
    };
  }
}

interface JobRequest {
  questions: Array<{ name: string; value: string }>;
  priority: string;
}

/** Checks `{questions:[{name,value}], priority:"0".."3"}`; a string is the reason it is not. */
export function parseJobRequest(body: unknown): JobRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object.';
  const { questions = [], priority = '0' } = body as { questions?: unknown; priority?: unknown };
  if (!Array.isArray(questions)) return 'questions must be an array of {name, value}.';
  const listed: readonly unknown[] = questions;
  const parsed: JobRequest['questions'] = [];
  for (const [index, question] of listed.entries()) {
    if (typeof question !== 'object' || question === null || Array.isArray(question)) {
      return `questions[${index}] must be an object {name, value}.`;
    }
    const { name, value } = question as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || name === '') return `questions[${index}].name must be a non-empty string.`;
    // JSON.NET turns numbers and booleans into the string the question expects; so does the demo.
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return `questions[${index}].value must be a string.`;
    }
    parsed.push({ name, value: String(value) });
  }
  const priorityText = typeof priority === 'number' ? String(priority) : priority;
  if (typeof priorityText !== 'string' || !/^[0-3]$/.test(priorityText)) return 'priority must be "0", "1", "2" or "3".';
  return { questions: parsed, priority: priorityText };
}
