import { z } from 'zod';

/**
 * The one rule for usernames, used wherever a username comes in (sign-up, login, `GET /v1/user?username=`,
 * logout's optional `username`) and nowhere redefined.
 *
 * A username is 3–15 characters of `[a-z0-9_.-]` (shared/api-contract.md). Usernames are case-insensitive:
 * input is trimmed (surrounding whitespace only), checked against `[A-Za-z0-9_.-]` and then lower-cased, so
 * `" Alice "` and `alice` are one username and the store only ever holds the lower-case form. Only ASCII
 * letters are case-folded: the check runs before lower-casing, so a look-alike that Unicode would fold into
 * ASCII (the Kelvin sign `K`, U+212A, becomes `k`) is refused rather than silently matched. Anything else
 * (a lone surrogate, NUL, an emoji, a 10 KB string, a number) is a 400 naming the field.
 */
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 15;
const CHARACTERS = /^[A-Za-z0-9_.-]+$/;
export const USERNAME_MESSAGE = `${USERNAME_MIN} to ${USERNAME_MAX} characters: letters, digits, _ . and -`;

export const usernameSchema = z
  .string()
  .trim()
  // One issue per username (the first check it fails), and no pattern matching over a 10 KB string.
  .min(USERNAME_MIN, { message: USERNAME_MESSAGE, abort: true })
  .max(USERNAME_MAX, { message: USERNAME_MESSAGE, abort: true })
  .regex(CHARACTERS, USERNAME_MESSAGE)
  .toLowerCase()
  .describe(`${USERNAME_MESSAGE}; case-insensitive, stored lower-case`);

/** The canonical (lower-case) username, or undefined when `value` cannot be anyone's username. */
export function canonicalUsername(value: unknown): string | undefined {
  const parsed = usernameSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
