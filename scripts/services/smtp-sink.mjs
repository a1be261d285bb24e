#!/usr/bin/env node
// A real SMTP server that accepts every message and stores it as a file.
// Used by scripts/services/smtp.sh for tests and local runs:
//   node scripts/services/smtp-sink.mjs
// Env: SMTP_SINK_DIR (required; where <timestamp>-<random>.eml files go),
//      SMTP_SINK_HOST (default 127.0.0.1), SMTP_SINK_PORT (default 2525).
// No TLS (STARTTLS is not offered, so clients never try to upgrade to a
// self-signed certificate), AUTH optional and any credentials accepted.
// Each file is the raw message, preceded by X-Envelope-From / X-Envelope-To
// headers with the SMTP envelope, and appears atomically (written to a
// dot-file, then renamed), so a test polling the directory never reads half
// a message.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

// require() rather than import: honours NODE_PATH as well as node_modules
// above this file (the project's devDependency).
const require = createRequire(import.meta.url);
const { SMTPServer } = require('smtp-server');

const dir = process.env.SMTP_SINK_DIR;
const host = process.env.SMTP_SINK_HOST || '127.0.0.1';
const port = Number(process.env.SMTP_SINK_PORT || 2525);
if (!dir) {
  console.error('smtp-sink: SMTP_SINK_DIR is not set');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const log = (...args) => console.log(new Date().toISOString(), ...args);
const MAX_SIZE = 50 * 1024 * 1024;

const server = new SMTPServer({
  name: 'dojo-smtp-sink',
  banner: 'dojo SMTP sink',
  logger: false,
  secure: false,
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  allowInsecureAuth: true,
  size: MAX_SIZE,
  onAuth(auth, session, callback) {
    callback(null, { user: auth.username || 'anonymous' });
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('error', callback);
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        const err = new Error('Message exceeds the size limit');
        err.responseCode = 552;
        callback(err);
        return;
      }
      try {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        const head = `X-Envelope-From: <${from}>\r\nX-Envelope-To: ${to}\r\n`;
        const name = `${Date.now()}-${randomBytes(6).toString('hex')}.eml`;
        const tmp = join(dir, `.${name}.tmp`);
        writeFileSync(tmp, Buffer.concat([Buffer.from(head), ...chunks]));
        renameSync(tmp, join(dir, name));
        log(`stored ${name} from <${from}> to ${to}`);
        callback(null, `Stored as ${name}`);
      } catch (err) {
        log('could not store message:', err);
        callback(err);
      }
    });
  },
});

server.on('error', (err) => {
  log('smtp-sink error:', err.message);
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES') process.exit(1);
});

server.listen(port, host, () => {
  log(`smtp-sink listening on ${host}:${port}, writing to ${dir}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    log(`${sig}: closing`);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
