// Serves an in-memory PGlite (PostgreSQL 18 in WebAssembly, pgvector included) over TCP on the loopback interface.
// Usage: node server.mjs [port]   (port 0 or none: the OS picks a free port)
// Prints exactly one line "LISTENING <port>" on stdout once connections are accepted; exits when stdin closes,
// so the server never outlives the test process that started it.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const port = Number.parseInt(process.argv[2] ?? '0', 10);
const db = await PGlite.create({ extensions: { vector } });
await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
// One session behind the socket: a second connection would share it, so at most one client works at a time; the
// second slot only absorbs a reconnect that arrives before the old socket's close has been processed.
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 2 });
await server.start();
const actualPort = Number.parseInt(server.getServerConn().split(':').pop(), 10);
process.stdout.write(`LISTENING ${actualPort}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try { await server.stop(); } finally { await db.close(); process.exit(0); }
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
