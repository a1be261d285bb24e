import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 over `key + '\n' + expires`, base64url; the newline keeps key and expiry apart. */
export function sign(secret: Buffer, key: string, expires: string): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
}

/** Checks a signature from a URL in constant time, and that it has not expired. */
export function verify(
  secret: Buffer,
  key: string,
  expires: string,
  signature: string,
  nowMs: number,
): boolean {
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < nowMs) return false;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(signature)) return false;
  const expected = Buffer.from(sign(secret, key, expires), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `a/b c` → `a/b%20c`: each segment encoded, the slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
