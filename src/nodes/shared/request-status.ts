/**
 * The status ring of a request node, in one place: a blue dot while requests are in
 * flight (with their count), a green dot with the last result, a red ring on error.
 */
import type { Node } from 'node-red';
import { isRequestError } from '../../lib/client';

export class RequestStatus {
  private inFlight = 0;

  constructor(private readonly node: Node) {}

  started(text = 'requesting'): void {
    this.inFlight++;
    this.node.status({ fill: 'blue', shape: 'dot', text: this.inFlight > 1 ? `${text} (${this.inFlight})` : text });
  }

  progress(text: string): void {
    this.node.status({ fill: 'blue', shape: 'dot', text });
  }

  succeeded(text: string): void {
    this.finish();
    this.node.status({ fill: 'green', shape: 'dot', text });
  }

  failed(text: string): void {
    this.finish();
    this.node.status({ fill: 'red', shape: 'ring', text: shorten(text) });
  }

  /** A request ended without a result to show (aborted on close). */
  ended(): void {
    this.finish();
    if (this.inFlight === 0) this.node.status({});
  }

  problem(text: string): void {
    this.node.status({ fill: 'red', shape: 'ring', text: shorten(text) });
  }

  clear(): void {
    this.inFlight = 0;
    this.node.status({});
  }

  private finish(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

/** Status texts stay short; the full message goes to the debug sidebar through Catch. */
function shorten(text: string): string {
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

/** The status text for a request that got no HTTP answer: "timeout", "ECONNREFUSED"… */
export function requestFailureText(error: unknown): string {
  if (isRequestError(error)) return error.code === 'ETIMEDOUT' ? 'timeout' : error.systemCode ?? error.code;
  return 'error';
}

/** The requests a node has under way: closing the node aborts them all at once and clears its status. */
export class InFlight {
  private readonly controllers = new Set<AbortController>();

  constructor(node: Node, status: RequestStatus) {
    node.on('close', (done: () => void) => {
      this.abortAll();
      status.clear();
      done();
    });
  }

  begin(): AbortController {
    const controller = new AbortController();
    this.controllers.add(controller);
    return controller;
  }

  end(controller: AbortController): void {
    this.controllers.delete(controller);
  }

  abortAll(): void {
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }
}
