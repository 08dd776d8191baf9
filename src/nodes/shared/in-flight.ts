/**
 * A request a node has begun, ended once by `succeed`, `fail` or `abort`: each end sets the
 * status, calls `done` and releases what the request held (its place in the in-flight
 * count, the config's client, a close that waits for it), so none of them can be forgotten.
 */
import type { NodeMessage } from 'node-red';
import { isServiceError } from '../../lib/errors';
import { flowError } from './flow-error';
import type { RequestStatus } from './request-status';

export type Done = (error?: Error) => void;

/** Where a request's outcome goes: the message it answers, and Node-RED's send and done. */
export interface Delivery<Msg extends NodeMessage = NodeMessage> {
  msg: Msg;
  send: (msg: Msg) => void;
  done: Done;
}

export interface FailOptions {
  /** Text put before the error's own at Catch: `GET users/v1/me: `. */
  prefix?: string;
  /** The text at Catch instead of the error's own; the status and the message's fields stay the error's. */
  text?: string;
  /** What the failure's body becomes on `msg.payload` (run workflow redacts the job it carries). */
  payload?: (body: unknown) => unknown;
  /**
   * The core http request node's way: `node.error(text, msg)`, then `done()`, so the log
   * line is the text itself and Complete nodes fire too.
   */
  asCoreNode?: boolean;
}

/** What a begun request needs of its node's shell. */
export interface FlightHost {
  readonly status: RequestStatus;
  /** Redacts and escapes a text before anyone sees it. */
  readonly clean: (text: string) => string;
  /** The status ring's short text of a failure. */
  statusTextOf(error: unknown): string;
  /** `node.error(text, msg)`. */
  errorFor(text: string, msg: NodeMessage): void;
}

/** What the shell keeps for a request under way, until it ends. */
export interface RequestHold {
  /** Aborted when the node closes, unless the request must finish first. */
  readonly signal: AbortSignal;
  /** A request that had to finish on close (a job start) may be aborted from now on. */
  abortOnClose(): void;
  release(): void;
}

export class InFlight<Msg extends NodeMessage = NodeMessage> {
  private ended = false;

  constructor(
    private readonly host: FlightHost,
    private readonly delivery: Delivery<Msg>,
    private readonly hold: RequestHold,
  ) {}

  get msg(): Msg {
    return this.delivery.msg;
  }

  get signal(): AbortSignal {
    return this.hold.signal;
  }

  /** A request begun to finish on close (a job start) may be aborted from now on (its wait). */
  abortOnClose(): void {
    this.hold.abortOnClose();
  }

  /** Done: the status shows `statusText`, the message goes on. */
  succeed(statusText: string): void {
    if (!this.end()) return;
    this.host.status.succeeded(statusText);
    this.delivery.send(this.delivery.msg);
    this.delivery.done();
  }

  /**
   * Failed: the status shows why in short, Catch gets the whole (redacted) text, and a library
   * error puts its status code, body and signing on the message. A request aborted because the
   * node closed just ends: nobody is left to tell.
   */
  fail(error: unknown, options: FailOptions = {}): void {
    if (this.signal.aborted) return this.abort();
    if (!this.end()) return;
    const { msg, done } = this.delivery;
    this.host.status.failed(this.host.statusTextOf(error));
    if (isServiceError(error)) {
      const fields: Record<string, unknown> = {};
      if (error.statusCode !== undefined) fields.statusCode = error.statusCode;
      if (error.body !== undefined) fields.payload = options.payload ? options.payload(error.body) : error.body;
      if (error.signing) fields.signing = error.signing;
      Object.assign(msg, fields);
    }
    const shown = flowError(options.text ?? error, options.prefix, this.host.clean);
    if (!options.asCoreNode) return done(shown);
    this.host.errorFor(shown.message, msg);
    done();
  }

  /** Ended without an outcome to show (the node closed): the message is not sent, and no error. */
  abort(): void {
    if (!this.end()) return;
    this.host.status.ended();
    this.delivery.done();
  }

  /** True the first time: a request ends once. */
  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.hold.release();
    return true;
  }
}
