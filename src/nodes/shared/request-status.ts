/**
 * The status ring of a request node, in one place: a blue dot while requests are in
 * flight (with their count), a green dot with the last result, a red ring on error.
 * Every text goes through the config's redactor.
 */
import type { Node } from 'node-red';

export class RequestStatus {
  private inFlight = 0;

  constructor(
    private readonly node: Node,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  /** The number of requests under way. */
  get count(): number {
    return this.inFlight;
  }

  started(text: string): void {
    this.inFlight++;
    this.progress(text);
  }

  /** A step of a request under way; the count shows when more than one is. */
  progress(text: string): void {
    this.show('blue', 'dot', this.inFlight > 1 ? `${text} (${this.inFlight})` : text);
  }

  /** A text that already says how many are under way (run workflow's `3 jobs`): no count added. */
  busy(text: string): void {
    this.show('blue', 'dot', text);
  }

  succeeded(text: string): void {
    this.finish();
    this.show('green', 'dot', text);
  }

  failed(text: string): void {
    this.finish();
    this.show('red', 'ring', text);
  }

  /** A request ended without a result to show (aborted on close). */
  ended(): void {
    this.finish();
    if (this.inFlight === 0) this.node.status({});
  }

  /**
   * Requests of this service wait for its limits (`text` says how many, or until when the
   * service paused): a yellow ring; undefined puts back what the requests under way show.
   */
  limited(text: string | undefined, busyText: string): void {
    if (text !== undefined) this.show('yellow', 'ring', text);
    else if (this.inFlight > 0) this.progress(busyText);
  }

  problem(text: string): void {
    this.show('red', 'ring', text);
  }

  clear(): void {
    this.inFlight = 0;
    this.node.status({});
  }

  private show(fill: 'blue' | 'green' | 'red' | 'yellow', shape: 'dot' | 'ring', text: string): void {
    this.node.status({ fill, shape, text: shorten(this.redact(text)) });
  }

  private finish(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

/** Status texts stay short; the full message goes to the debug sidebar through Catch. */
export function shorten(text: string): string {
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}
