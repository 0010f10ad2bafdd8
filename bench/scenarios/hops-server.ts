import { createServer } from 'node:http';

/**
 * The far end of the hops scenario's HTTP hop: a plain node:http server in a process of its
 * own that reads a JSON body and answers JSON, the least any internal call or subgraph request
 * does. It tells its parent its port over IPC and stops when the parent goes.
 */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; items: unknown[] };
    const answer = JSON.stringify({ ok: true, id: body.id, items: body.items });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
