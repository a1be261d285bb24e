import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.ts';
import { ROLES } from './tokens.ts';
import { usernameSchema } from './username.ts';

/** Request and response shapes of the accounts endpoints; the same schemas validate and document. */

// Control and format characters, and lone UTF-16 surrogates (Cs), which no text we store or mail may hold.
const NO_CONTROL = /^[^\p{Cc}\p{Cf}\p{Cs}]*$/u;
const name = z.string().trim().min(1).max(30).regex(NO_CONTROL, 'Must not contain control characters');

/** The one username rule (username.ts): trimmed, `[A-Za-z0-9_.-]{3,15}`, lower-cased. */
export const username = usernameSchema;
export const email = z.email().max(50);
/** A new password: any characters, but well-formed Unicode (a lone surrogate would hash as U+FFFD). */
export const password = z
  .string()
  .min(PASSWORD_MIN)
  .max(PASSWORD_MAX)
  .refine((p) => p.isWellFormed(), 'Must not contain lone UTF-16 surrogates');
/** Opaque secrets we make: 32 random bytes, base64url. */
export const secretToken = z
  .string()
  .min(20)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'Malformed token');
export const uuid = z.uuid();
export const presence = z.enum(['ONLINE', 'OFFLINE']);
export const role = z.enum(ROLES);
const iso = z.iso.datetime();

/** The caller fields the seed lists: optional, and when given they must be the caller's own. */
export const callerFields = { userId: uuid.optional(), tenantId: uuid.optional() };

const settingValue = z.union([z.string().max(200), z.number(), z.boolean(), z.null()]);
export const settingsInput = z
  .record(
    z
      .string()
      .min(1)
      .max(50)
      .regex(/^[A-Za-z0-9_.-]+$/, 'Setting names use letters, digits, _ . -'),
    settingValue,
  )
  .refine((s) => Object.keys(s).length <= 50, 'At most 50 settings');
export const settings = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const signUpBody = z.strictObject({
  firstName: name,
  lastName: name,
  email,
  username,
  password,
  invitation: secretToken.optional(),
});
export const signUpResponse = z.object({ id: uuid, accountStatus: z.literal('C') });

export const confirmBody = z.strictObject({ token: secretToken });
export const confirmResponse = z.object({ id: uuid, accountStatus: z.literal('A') });

export const loginBody = z.strictObject({
  username,
  // Any string: passwords stored before well-formedness was required must still verify.
  password: z.string().min(1).max(PASSWORD_MAX),
});
export const loginResponse = z.object({
  userId: uuid,
  tenantId: uuid,
  token: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
});

/** RFC 6749 §4.1.3/§6: unknown parameters are ignored, as the RFC requires. */
export const tokenBody = z.object({
  grant_type: z.string().min(1).max(64).describe('Must be "refresh_token"'),
  refresh_token: z.string().min(1).max(512).optional(),
  scope: z.string().max(1000).optional(),
  client_id: z.string().max(200).optional(),
});
export const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
});
export const oauthError = z.object({
  error: z.enum(['invalid_request', 'invalid_grant', 'unsupported_grant_type']),
  error_description: z.string(),
});

export const logoutBody = z.strictObject({ ...callerFields, username: username.optional() });
export const success = z.object({ success: z.literal(true) });

export const jwks = z.object({
  keys: z.array(
    z.object({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string(),
      y: z.string(),
      kid: z.string(),
      alg: z.literal('ES256'),
      use: z.literal('sig'),
    }),
  ),
});

export const profile = z.object({
  userId: uuid,
  tenantId: uuid,
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  picture: z.string().nullable(),
  status: presence,
  role,
  settings,
});
export const profileBody = z.strictObject({
  ...callerFields,
  firstName: name.optional(),
  lastName: name.optional(),
  settings: settingsInput
    .optional()
    .describe('Merged into the stored settings; a null value removes a setting'),
});
export const passwordBody = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: password,
});

export const findUserQuery = z
  .strictObject({ userId: uuid.optional(), username: username.optional() })
  .refine((q) => (q.userId === undefined) !== (q.username === undefined), {
    message: 'Give exactly one of userId or username',
    path: ['userId'],
  });
export const publicUser = z.object({
  userId: uuid,
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().optional().describe('Only for the user themself and the tenant owner or admins'),
  picture: z.string().nullable(),
  status: presence,
});

export const statusBody = z.strictObject({ ...callerFields, status: presence });

export const pictureBody = z.strictObject({
  ...callerFields,
  image: z
    .string()
    .min(1)
    .describe('The image as base64 or a base64 data URL; JPEG, PNG or WebP, at most 2 MiB decoded'),
});
export const pictureResponse = z.object({ success: z.literal(true), picture: z.url() });
export const pictureParams = z.strictObject({
  userId: uuid,
  pictureId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'Malformed picture id'),
});

export const tenantResponse = z.object({
  tenantId: uuid,
  name: z.string(),
  subscription: z.object({
    plan: z.string(),
    status: z.string(),
    expiresAt: iso.nullable(),
    autoRenew: z.boolean(),
  }),
});
export const inviteBody = z.strictObject({ email, role: z.enum(['member', 'admin']).default('member') });
export const inviteResponse = z.object({ invitationId: uuid });
export const membersResponse = z.object({
  members: z.array(
    z.object({
      userId: uuid,
      username: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      email: z.string(),
      role,
      status: presence,
      accountStatus: z.enum(['A', 'D']),
      joinedAt: iso,
    }),
  ),
});

export { problemBodySchema as problem, errorResponse as err } from '../../http/problem.ts';
