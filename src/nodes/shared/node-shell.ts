/**
 * What every request node does around its own work, in one place (as the error handler of
 * node-red-contrib-home-assistant-websocket): the config lookup and the problem shown at
 * deploy, the requests in flight (each begun here and ended by ./in-flight.ts), the one
 * reader of `msg.requestTimeout`, and a refusal turned into a status text and a Catch error.
 * It knows no service: a library error carries its own status text and fields. Every text
 * leaves through the config's redactor, so no secret of the service reaches a status, an
 * error or a log line. A node file is then wiring.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { HttpClient } from '../../lib/client';
import { printable } from '../../lib/text';
import { isServiceError } from '../../lib/errors';
import { createRedactor } from '../../lib/redact';
import type { LimitState } from '../../lib/service-limits';
import { getConfigNode, type OAuth1ConfigNode } from './config';
import { flowError } from './flow-error';
import { InFlight, type Delivery, type Done, type FlightHost, type RequestHold } from './in-flight';
import { RequestStatus } from './request-status';

export type { Delivery, Done, InFlight } from './in-flight';
export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;

export type Substitutions = Record<string, string | number>;

/** The namespace of the config node's catalog, which holds the texts every node shares. */
const SHARED_NAMESPACE = `${packageName()}/oauth1-config`;

function packageName(): string {
  const file = path.join(__dirname, '..', '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string }).name;
}

/** The warnings of a `msg.requestTimeout` that is not a positive number of milliseconds. */
export interface TimeoutWarnings {
  notANumber: string;
  notPositive: string;
}

export interface ShellOptions {
  /** The node's type: its catalog's top key. */
  type: string;
  /** The message when no config node is selected. */
  noServiceKey?: string;
  /** A problem of this node known at deploy besides the config's own (get me without a token). */
  problemOf?: (server: OAuth1ConfigNode) => { text: string; statusKey?: string } | undefined;
  /** The request node's warnings are the core http request node's own; the others share one. */
  timeoutWarnings?: TimeoutWarnings;
}

export class NodeShell implements FlightHost {
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
    this.showLimits();
  }

  /** The service's limits on the status ring while messages wait for them (every node of the service shows it). */
  private showLimits(): void {
    const limits = this.server?.limits;
    if (!limits) return;
    let shown: string | undefined;
    const stop = limits.onChange((state) => {
      const text = limitText(state, (key, substitutions) => this.shared(key, substitutions));
      if (text === shown) return;
      shown = text;
      this.status.limited(text, this.shared('status.requesting'));
    });
    this.node.on('close', stop);
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

  /**
   * `msg.requestTimeout` in ms as the core http request node reads it, or undefined (the
   * config's timeout): one reader for every node. Anything else set there is ignored with a
   * warning; stricter than the core node on one point: `true` is no number of milliseconds.
   */
  requestTimeout(value: unknown): number | undefined {
    if (value === undefined) return undefined;
    const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
    const warnings = this.options.timeoutWarnings ?? {
      notANumber: this.shared('runtime.requestTimeoutInvalid'),
      notPositive: this.shared('runtime.requestTimeoutInvalid'),
    };
    if (Number.isNaN(number)) this.warn(warnings.notANumber);
    else if (number < 1) this.warn(warnings.notPositive);
    else return number;
    return undefined;
  }

  /**
   * Begins a request for `delivery`: the status shows `startText` (and how many are under
   * way), and the returned request ends it. With `finishOnClose` (a job start), closing the
   * node waits for it instead of aborting it, until its `abortOnClose`.
   */
  begin<Msg extends NodeMessage>(delivery: Delivery<Msg>, startText: string, options: { finishOnClose?: boolean } = {}): InFlight<Msg> {
    this.status.started(startText);
    return new InFlight(this, delivery, this.hold(options.finishOnClose === true));
  }

  private hold(finishOnClose: boolean): RequestHold {
    const controller = new AbortController();
    const releaseClient = this.server?.hold() ?? ((): void => undefined);
    let settle = (): void => undefined;
    const abortOnClose = (): void => {
      settle();
      if (this.closing) controller.abort();
      else this.controllers.add(controller);
    };
    if (finishOnClose) {
      const settled = new Promise<void>((resolve) => (settle = resolve));
      this.finishing.add(settled);
      void settled.then(() => this.finishing.delete(settled));
    } else abortOnClose();
    return {
      signal: controller.signal,
      abortOnClose,
      release: () => {
        this.controllers.delete(controller);
        releaseClient();
        settle();
      },
    };
  }

  /** `node.error(text, msg)`: Catch and the log, for a failure told the core node's way. */
  errorFor(text: string, msg: NodeMessage): void {
    this.node.error(text, msg);
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
      this.refuse(done, this.problem ?? this.shared('runtime.noService'));
      return undefined;
    }
    try {
      return this.server.client();
    } catch (error) {
      this.refuse(done, (error as Error).message);
      return undefined;
    }
  }

  /**
   * Input the node refuses before any request begins: a short status (a refusal of the
   * library says its own; none when the status already shows the problem) and a Catch
   * error with the reason's text, nothing sent.
   */
  refuse(done: Done, reason: string | Error, statusText?: string): void {
    const shown = statusText ?? (reason instanceof Error ? this.statusTextOf(reason) : undefined);
    if (shown !== undefined) this.status.problem(shown);
    done(flowError(typeof reason === 'string' ? reason : reason.message, '', this.clean));
  }

  /** The status ring's short text of a failure, in one place for every node: a library error names its own. */
  statusTextOf(error: unknown): string {
    if (!isServiceError(error)) return this.shared('status.error');
    return 'key' in error.status ? this.shared(`status.${error.status.key}`) : error.status.words;
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

/** `paused till 10:15:00 (37)` or `waiting: 37 queued`, or undefined when nothing waits. */
function limitText(state: LimitState, text: (key: string, substitutions?: Substitutions) => string): string | undefined {
  if (state.pausedUntil !== undefined) return text('status.paused', { time: new Date(state.pausedUntil).toTimeString().slice(0, 8), queued: state.queued });
  return state.queued > 0 ? text('status.queued', { queued: state.queued }) : undefined;
}
