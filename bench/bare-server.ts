/**
 * The baseline: a bare node:http server answering a fixed JSON body, the ceiling any endpoint of this
 * process model can reach. Run as a child process by the benchmarks; prints `READY {"url": …}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ready } from './processes.ts';

const body = JSON.stringify({ pocs: [], nextCursor: null });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  ready({ url: `http://127.0.0.1:${port}` }, () => new Promise((resolve) => server.close(() => resolve())));
});
