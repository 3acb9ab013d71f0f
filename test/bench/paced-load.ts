import { connect, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface PacedPlan {
  url: string;
  /** Requests a second, evenly spaced. */
  rate: number;
  /** Keep-alive connections the requests share; a request due while all are busy waits for one. */
  connections: number;
  total: number;
  timeoutMs: number;
  /** Headers and body of request number i. */
  request(i: number): { headers: Record<string, string>; body: string };
}

export interface PacedResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  durationSeconds: number;
  /** Milliseconds from when each request was due (not when a connection was free) to its answer. */
  p50: number;
  p99: number;
  max: number;
  /** For an open-loop run: the highest latency among the requests due in each second. */
  worstPerSecond?: number[];
  /** For an open-loop run: p99 of the requests due after the first second. */
  p99AfterFirstSecond?: number;
}

/**
 * An open-loop load: request i is due at start + i / rate whatever happened to the ones before, so
 * a slow answer does not slow the load down, and latency counts from the due time, so time spent
 * waiting for a free connection is counted too. (A closed loop, where each connection sends its
 * next request when the last is answered, measures queueing by construction: with c connections
 * the mean latency is c divided by the throughput.)
 */
export async function pacedLoad(plan: PacedPlan): Promise<PacedResult> {
  const target = new URL(plan.url);
  const latencies = new Float64Array(plan.total);
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let answered = 0;
  const interval = 1000 / plan.rate;
  const idle: Connection[] = [];
  const waiting: number[] = [];
  let start = 0;
  let finished: () => void = () => undefined;

  const dueOf = (i: number): number => start + i * interval;
  const answer = (i: number, status: number): void => {
    latencies[i] = performance.now() - dueOf(i);
    if (status >= 200 && status < 300) {
      ok++;
    } else if (status > 0) {
      non2xx++;
    } else {
      errors++;
    }
    if (++answered === plan.total) {
      finished();
    }
  };
  const dispatch = (connection: Connection): void => {
    const i = waiting.shift();
    if (i === undefined) {
      idle.push(connection);
      return;
    }
    const { headers, body } = plan.request(i);
    connection.send(i, rawRequest(target, headers, body));
  };

  const connections = await Promise.all(
    Array.from({ length: plan.connections }, () =>
      Connection.open(target, plan.timeoutMs, (i, status, connection) => {
        answer(i, status);
        dispatch(connection);
      }),
    ),
  );
  idle.push(...connections);
  start = performance.now();
  await new Promise<void>((done) => {
    finished = done;
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < plan.total && dueOf(next) <= now) {
        waiting.push(next++);
        const connection = idle.pop();
        if (connection) {
          dispatch(connection);
        }
      }
      if (next < plan.total) {
        setTimeout(tick, Math.max(0, dueOf(next) - performance.now()));
      }
    };
    tick();
  });
  const durationSeconds = (performance.now() - start) / 1000;
  for (const connection of connections) {
    connection.close();
  }
  const sorted = sortedCopy(latencies);
  const afterFirst = sortedCopy(latencies.subarray(Math.min(plan.total, Math.ceil(plan.rate))));
  const worstPerSecond: number[] = [];
  latencies.forEach((latency, i) => {
    const second = Math.floor((i * interval) / 1000);
    worstPerSecond[second] = Math.max(worstPerSecond[second] ?? 0, Math.round(latency));
  });
  return {
    sent: plan.total,
    ok,
    non2xx,
    errors,
    durationSeconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: Math.round(sorted[sorted.length - 1]),
    worstPerSecond,
    p99AfterFirstSecond: afterFirst.length ? percentile(afterFirst, 0.99) : undefined,
  };
}

const sortedCopy = (values: Float64Array): number[] => Array.from(values).sort((a, b) => a - b);

/** The q-quantile of ascending values, rounded to a millisecond. */
function percentile(sorted: number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
}

function rawRequest(target: URL, headers: Record<string, string>, body: string): Buffer {
  const head = [`POST ${target.pathname} HTTP/1.1`, `host: ${target.host}`, `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) {
    head.push(`${name}: ${value}`);
  }
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * One keep-alive HTTP/1.1 connection, one request at a time, reading just the status and the
 * body's length: the load generator shares the machine with what it measures, so it is kept to
 * a fraction of the CPU a general-purpose client would use.
 */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private current = -1;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    private readonly onAnswer: (i: number, status: number, connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => this.fail());
    socket.on('close', () => this.fail());
  }

  static open(
    target: URL,
    timeoutMs: number,
    onAnswer: (i: number, status: number, connection: Connection) => void,
  ): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname, () => resolve(new Connection(socket, timeoutMs, onAnswer)));
      socket.once('error', reject);
    });
  }

  send(i: number, request: Buffer): void {
    this.current = i;
    this.timer = setTimeout(() => this.fail(), this.timeoutMs);
    this.socket.write(request);
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      return;
    }
    const head = this.buffer.subarray(0, headEnd).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < headEnd + 4 + length) {
      return;
    }
    this.buffer = this.buffer.subarray(headEnd + 4 + length);
    this.complete(Number(head.slice(9, 12)));
  }

  private fail(): void {
    if (this.current >= 0) {
      this.complete(0);
    }
  }

  private complete(status: number): void {
    clearTimeout(this.timer);
    const i = this.current;
    this.current = -1;
    this.onAnswer(i, status, this);
  }
}
