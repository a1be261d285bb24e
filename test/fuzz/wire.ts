/**
 * The fuzz suite's HTTP client: node:http rather than fetch, so that what is sent is exactly what was
 * generated (fetch normalises `../` in paths, refuses a body on GET and adds its own content type).
 */
import { Agent, request } from 'node:http';

export interface WireRequest {
  readonly method: string;
  /** Path and query exactly as they go on the request line. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: Buffer;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly text: string;
}

export type WireResult =
  | { readonly ok: true; readonly response: WireResponse; readonly ms: number }
  | { readonly ok: false; readonly error: string; readonly ms: number };

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

export const closeWire = () => agent.destroy();

/** Sends one request; a transport failure (reset, timeout) is a result too, never a throw. */
export function send(base: URL, req: WireRequest, timeoutMs = 15_000): Promise<WireResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: WireResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = typeof v === 'string' ? v : [...v];
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    let outgoing: ReturnType<typeof request>;
    try {
      outgoing = request({
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers,
        agent,
      });
    } catch (error) {
      // The client refused to send it (an invalid header or path): a bug of the generator, not the server.
      throw new Error(`fuzz client refused the request: ${(error as Error).message}`, { cause: error });
    }
    const timer = setTimeout(() => {
      outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    outgoing.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        done({
          ok: true,
          ms: ms(),
          response: { status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') },
        });
      });
      res.on('error', (error) => done({ ok: false, error: `response aborted: ${error.message}`, ms: ms() }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, error: `${error.code ?? 'ERROR'}: ${error.message}`, ms: ms() }),
    );
    outgoing.end(req.body);
  });
}
