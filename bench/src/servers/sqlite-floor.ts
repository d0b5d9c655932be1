// Floor 2: a bare Node http server that inserts each body into a better-sqlite3 WAL table
// (synchronous=NORMAL, one insert per request) before answering 202.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const db = new Database(join(mkdtempSync(join(tmpdir(), 'hookflow-floor-')), 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(
  'CREATE TABLE events (id INTEGER PRIMARY KEY, body BLOB NOT NULL, received_at INTEGER NOT NULL)',
);
const insert = db.prepare('INSERT INTO events (body, received_at) VALUES (?, ?)');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { lastInsertRowid } = insert.run(Buffer.concat(chunks), Date.now());
    res.writeHead(202, { 'content-type': 'application/json' }).end(`{"id":${lastInsertRowid}}`);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
