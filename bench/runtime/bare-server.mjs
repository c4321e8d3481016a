// @ts-check
// The physical limit of scenario 1: plain node:http answering every request with the exact bytes
// (and content type) that Inkwell answers posts.byId with. Plain JS, no dependencies, so it runs
// unchanged on every Node version under test. Prints `listening <port>` once ready.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const bodyFile = process.env.BARE_BODY_FILE;
if (!bodyFile) throw new Error('BARE_BODY_FILE is required');
const body = readFileSync(bodyFile);
const headers = {
  'content-type': process.env.BARE_CONTENT_TYPE ?? 'application/json',
  'content-length': String(body.length),
};

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
