import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret from configuration, or else one made once and kept under DATA_DIR (mode 0600), so embedded
 * installs need no setup and keep their signed URLs valid across restarts.
 */
export function loadOrCreateSecret(options: {
  configured: string | undefined;
  dataDir: string;
  name: string;
}): Buffer {
  if (options.configured) return Buffer.from(options.configured, 'utf8');
  const dir = path.join(options.dataDir, 'secrets');
  const file = path.join(dir, `${options.name}.key`);
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    writeFileSync(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process won the race to create it: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    }
    throw error;
  }
}
