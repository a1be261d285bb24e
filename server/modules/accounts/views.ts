import type { User } from './repo.ts';
import type { AccountsService } from './service.ts';
import type { AuthContext } from './tokens.ts';

/**
 * A stable link per uploaded picture: the picture id is random and changes with every upload, so clients may
 * cache what it serves forever; the link redirects to a short-lived signed URL of the blob store.
 */
export function pictureUrl(s: AccountsService, user: User): string | null {
  return user.pictureId ? `${s.config.publicUrl}/v1/user/${user.userId}/picture/${user.pictureId}` : null;
}

export function profileView(s: AccountsService, user: User) {
  return {
    userId: user.userId,
    tenantId: user.tenantId,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    picture: pictureUrl(s, user),
    status: user.presence,
    role: user.role,
    settings: user.settings,
  };
}

/** Another user as a member of the same tenant sees them; the email only for themself and owners/admins. */
export function publicUserView(s: AccountsService, user: User, viewer: AuthContext) {
  const showEmail = viewer.userId === user.userId || viewer.role === 'owner' || viewer.role === 'admin';
  return {
    userId: user.userId,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    ...(showEmail ? { email: user.email } : {}),
    picture: pictureUrl(s, user),
    status: user.presence,
  };
}
