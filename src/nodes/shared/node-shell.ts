/**
 * What every request node does around its own work, in one place (as the error handler of
 * node-red-contrib-home-assistant-websocket): the config lookup and the problem shown at
 * deploy, the requests in flight, `msg.requestTimeout`, and an error turned into a status
 * text and a Catch error. Every text leaves through the config's redactor, so no secret of
 * the service reaches a status, an error or a log line. A node file is then wiring.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { isAlteryxError } from '../../lib/alteryx';
import { isRequestError, printable, type HttpClient } from '../../lib/client';
import type { SigningDiagnosis } from '../../lib/diagnosis';
import { ExtraHorizonError } from '../../lib/extrahorizon';
import { createRedactor } from '../../lib/redact';
import { positiveNumber } from '../../lib/response';
import { getConfigNode, type OAuth1ConfigNode } from './config';
import { flowError } from './flow-error';
import { RequestStatus } from './request-status';

export type Done = (error?: Error) => void;
export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;

/** `msg.signing` a library error carries after a refused signature (Extra Horizon's, Alteryx's). */
function signingOf(error: unknown): SigningDiagnosis | undefined {
  if (error instanceof ExtraHorizonError) return error.signing;
  if (isAlteryxError(error)) return error.details.signing;
  return undefined;
}

export type Substitutions = Record<string, string | number>;

/** The namespace of the config node's catalog, which holds the texts every node shares. */
const SHARED_NAMESPACE = `${packageName()}/oauth1-config`;

function packageName(): string {
  const file = path.join(__dirname, '..', '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string }).name;
}

/** The status key for a failure of each Alteryx error code (the others show `bad response`). */
const ALTERYX_STATUS: Record<string, string> = {
  EJOB: 'error',
  ECANCELLED: 'cancelled',
  EUNSUPPORTED: 'notSupported',
  ETIMEOUT: 'timeout',
  EFORMAT: 'formatNotOffered',
  EINPUT: 'invalidInput',
  ELIMIT: 'outputsTooLarge',
};

/** A request under way, aborted when the node closes unless it must finish (a job start). */
export interface Tracked {
  readonly signal: AbortSignal;
  end(): void;
}

export interface ShellOptions {
  /** The node's type: its catalog's top key. */
  type: string;
  /** The message when no config node is selected. */
  noServiceKey?: string;
  /** A problem of this node known at deploy besides the config's own (get me without a token). */
  problemOf?: (server: OAuth1ConfigNode) => { text: string; statusKey?: string } | undefined;
}

export class NodeShell {
  readonly server: OAuth1ConfigNode | undefined;
  /** Why no request can be sent, known at deploy. */
  readonly problem: string | undefined;
  readonly status: RequestStatus;
  /** The config's redactor: secrets, tokens and signatures become `…`. */
  readonly redact: (text: string) => string;
  /** What every text goes through before anyone sees it: redacted, control characters escaped. */
  readonly clean: (text: string) => string;
  /** Set when the node begins to close: what finishes afterwards is handed over, not emitted. */
  closing = false;
  private readonly controllers = new Set<AbortController>();
  private readonly catalogTexts = new Map<string, string>();
  private readonly finishing = new Set<Promise<unknown>>();

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    serverId: string,
    private readonly options: ShellOptions,
  ) {
    this.server = getConfigNode(RED, serverId);
    const redact = this.server?.redact ?? createRedactor([]);
    this.redact = redact;
    this.clean = (text) => printable(redact(text));
    this.status = new RequestStatus(node, this.clean);
    const problem = this.deployProblem();
    this.problem = problem?.text;
    if (problem) {
      this.status.problem(problem.status);
      if (this.server) this.warn(problem.text);
    }
  }

  /** A text of this node's catalog. */
  text(key: string, substitutions?: Substitutions): string {
    return this.translated(`${this.options.type}.${key}`, substitutions);
  }

  /** A text every node shares, from the config node's catalog. */
  shared(key: string, substitutions?: Substitutions): string {
    return this.translated(`${SHARED_NAMESPACE}:oauth1-config.${key}`, substitutions);
  }

  /** Texts without substitutions are looked up once: the status of every message asks for one, and i18next is slow. */
  private translated(key: string, substitutions: Substitutions | undefined): string {
    if (substitutions) return this.RED._(key, substitutions);
    let text = this.catalogTexts.get(key);
    if (text === undefined) {
      text = this.RED._(key);
      this.catalogTexts.set(key, text);
    }
    return text;
  }

  warn(text: string): void {
    this.node.warn(this.clean(text));
  }

  log(text: string): void {
    this.node.log(this.clean(text));
  }

  /** `msg.requestTimeout` in ms, or undefined (the config's timeout); anything but a positive number is ignored with a warning. */
  requestTimeout(value: unknown): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const number = positiveNumber(value);
    if (number !== undefined) return number;
    this.warn(this.shared('runtime.requestTimeoutInvalid'));
    return undefined;
  }

  /** Starts tracking a request; with `finishOnClose`, closing the node waits for it instead of aborting it. */
  begin(options: { finishOnClose?: boolean } = {}): Tracked {
    const controller = new AbortController();
    this.controllers.add(controller);
    const release = this.server?.hold() ?? ((): void => undefined);
    let settle = (): void => undefined;
    if (options.finishOnClose) {
      const settled = new Promise<void>((resolve) => (settle = resolve));
      this.finishing.add(settled);
      void settled.then(() => this.finishing.delete(settled));
    }
    return {
      signal: controller.signal,
      end: () => {
        this.controllers.delete(controller);
        release();
        settle();
      },
    };
  }

  /**
   * Listens for messages with an async handler. Node-RED ignores what a listener returns, so a
   * rejected promise would be an unhandled rejection, which ends the process: whatever escapes
   * the handler goes to `done` (a Catch node) instead.
   */
  onInput(handler: (msg: NodeMessageInFlow, send: Send, done: Done) => Promise<unknown>): void {
    this.node.on('input', (msg, send, done) => {
      handler(msg, send, done).catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
    });
  }

  /**
   * Registers the node's close: aborts what may be aborted, waits for what must finish,
   * then runs `handOver` (run workflow passes its jobs on) and clears the status.
   */
  onClose(handOver?: (removed: boolean) => Promise<void> | void): void {
    this.node.on('close', (removed: boolean, done: () => void) => {
      this.closing = true;
      for (const controller of this.controllers) controller.abort();
      this.controllers.clear();
      void Promise.all([...this.finishing])
        .then(() => handOver?.(removed))
        .catch((error: unknown) => this.warn(String(error)))
        .finally(() => {
          this.status.clear();
          done();
        });
    });
  }

  /** The config's client, or undefined after a Catch error when the node cannot send (the status already says why). */
  client(done: Done): HttpClient | undefined {
    if (!this.server) {
      this.refuse(done, undefined, this.problem ?? this.shared('runtime.noService'));
      return undefined;
    }
    try {
      return this.server.client();
    } catch (error) {
      this.refuse(done, undefined, (error as Error).message);
      return undefined;
    }
  }

  /** Input the node refuses: a short status (unless it already shows the problem) and a Catch error, nothing sent. */
  refuse(done: Done, statusText: string | undefined, message: string): void {
    if (statusText !== undefined) this.status.problem(statusText);
    done(flowError(message, '', this.clean));
  }

  /**
   * A failed request: the status shows why in short, Catch gets the whole (redacted) text.
   * A request aborted because the node closed just ends: nobody is left to tell.
   */
  fail(done: Done, error: unknown, prefix = '', tracked?: Tracked, msg?: object): void {
    if (tracked?.signal.aborted) {
      this.status.ended();
      done();
      return;
    }
    done(this.failure(error, prefix, msg));
  }

  /**
   * A failure told the core http request node's way: `node.error(text, msg)` for Catch, then
   * `done()`, so the log line is the text itself and Complete nodes fire too.
   */
  report(done: Done, error: unknown, msg: NodeMessage, tracked?: Tracked): void {
    if (tracked?.signal.aborted) {
      this.fail(done, error, '', tracked);
      return;
    }
    this.node.error(this.failure(error).message, msg);
    done();
  }

  /**
   * The status update and the Catch error of a failure, for callers that report it with
   * node.error. A refused signature also puts what was signed on `msg.signing`.
   */
  failure(error: unknown, prefix = '', msg?: object): Error {
    this.status.failed(this.failureText(error));
    const signing = signingOf(error);
    if (msg && signing) Object.assign(msg, { signing });
    return flowError(error, prefix, this.clean);
  }

  /** The status ring's short text for a failure, in one place for every node. */
  failureText(error: unknown): string {
    if (isRequestError(error)) return error.code === 'ETIMEDOUT' ? this.shared('status.timeout') : (error.systemCode ?? error.code);
    if (error instanceof ExtraHorizonError) return String(error.statusCode);
    if (isAlteryxError(error)) {
      if (error.code === 'EHTTP') return String(error.details.statusCode ?? this.shared('status.error'));
      return this.shared(`status.${ALTERYX_STATUS[error.code] ?? 'badResponse'}`);
    }
    return this.shared('status.error');
  }

  private deployProblem(): { text: string; status: string } | undefined {
    if (!this.server) {
      return {
        text: this.options.noServiceKey ? this.text(this.options.noServiceKey) : this.shared('runtime.noService'),
        status: this.shared('status.noService'),
      };
    }
    if (this.server.problem) return { text: this.server.problem, status: this.server.problem };
    const problem = this.options.problemOf?.(this.server);
    return problem && { text: problem.text, status: problem.statusKey ? this.text(problem.statusKey) : problem.text };
  }
}
