import { z } from 'zod';
import { NOTIFICATION_TYPES } from '../../capabilities.ts';

export { errorResponse as err } from '../../http/problem.ts';

const uuid = z.uuid();
/** Query booleans as clients send them. */
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const listQuery = z.strictObject({
  userId: uuid.optional().describe("The seed's user_id: when given, it must be the caller's own"),
  limit: z.coerce.number().int().min(1).max(50).default(50),
  offset: z.coerce.number().int().min(0).max(1000).default(0),
  unread: flag.optional().describe('Only unread notifications'),
});

export const notification = z.object({
  notificationId: uuid,
  type: z.enum(NOTIFICATION_TYPES).or(z.string()),
  title: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.string()),
  read: z.boolean(),
  seen: z.boolean(),
  created: z.iso.datetime(),
});

export const listResponse = z.object({
  notifications: z.array(notification),
  unreadCount: z.number().int().min(0).describe('Counted up to 9999'),
});

export const readBody = z.union([
  z.strictObject({ notificationIds: z.array(uuid).min(1).max(100) }),
  z.strictObject({ all: z.literal(true) }),
]);
export const readResponse = z.object({ success: z.literal(true), unreadCount: z.number().int().min(0) });

export const seenBody = z.strictObject({});
export const seenResponse = z.object({ success: z.literal(true) });
