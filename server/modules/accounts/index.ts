import type { Auth, UserSummary } from '../../capabilities.ts';
import type { DojoModule } from '../../modules.ts';
import { accountEndpoints } from './endpoints/account.ts';
import { accountsHistory } from './history.ts';
import { sessionEndpoints } from './endpoints/session.ts';
import { tenantEndpoints } from './endpoints/tenant.ts';
import { userEndpoints } from './endpoints/user.ts';
import { resolveOptions, type AccountsOptionsInput } from './options.ts';
import { ACCOUNTS_MIGRATIONS } from './schema.ts';
import type { User } from './repo.ts';
import { createAccountsService, type AccountsService } from './service.ts';
import { membersWithUsers } from './tenants.ts';

/** The accounts service seen through the kernel's narrow `auth` capability. */
function summaryOf(user: User): UserSummary {
  return {
    userId: user.userId,
    tenantId: user.tenantId,
    username: user.username,
    displayName: `${user.firstName} ${user.lastName}`.trim() || user.username,
    email: user.email,
    active: user.accountStatus === 'A',
    settings: user.settings,
  };
}

function authOf(service: AccountsService): Auth {
  return {
    verify: (token) => service.authenticator.authenticate(token),
    known: (token) => service.authenticator.known(token),
    onRevoked: (listener) => service.authenticator.onRevoked(listener),
    user: async (tenantId, userId) => {
      const user = await service.repo.user(userId);
      return user && user.tenantId === tenantId ? summaryOf(user) : undefined;
    },
    managers: async (tenantId) =>
      (await membersWithUsers(service, tenantId))
        .filter(({ member, user }) => member.role !== 'member' && user.accountStatus === 'A')
        .map(({ user }) => summaryOf(user)),
  };
}

/**
 * Accounts, sessions and tenants (issue #3). Each system gets its own service (key ring, token caches,
 * revocation subscription); it offers the other modules `auth` (verify a caller, look a user up) and the
 * operators `accountsAdmin`, and checks on a timer whether the signing key is due for rotation.
 */
export function createAccountsModule(input: AccountsOptionsInput = {}): DojoModule {
  const options = resolveOptions(input);
  return {
    name: 'accounts',
    migrations: ACCOUNTS_MIGRATIONS,
    init: (ctx) => {
      const service = createAccountsService({
        config: ctx.config,
        logger: ctx.logger,
        adapters: ctx.adapters,
        accounts: options,
        notify: () => ctx.optional('notify'),
        entitlements: () => ctx.optional('entitlements'),
        events: () => ctx.optional('events'),
      });
      return {
        endpoints: [
          ...accountEndpoints(service),
          ...sessionEndpoints(service),
          ...userEndpoints(service),
          ...tenantEndpoints(service),
        ],
        tasks: [
          {
            name: 'signing-key-check',
            everyMs: options.keyCheckIntervalMs,
            atStart: true,
            run: async () => void (await service.keys.rotateIfDue()),
          },
        ],
        provides: {
          auth: authOf(service),
          accountsAdmin: {
            rotateSigningKey: () => service.keys.rotate(),
            rotateSigningKeyIfDue: () => service.keys.rotateIfDue(),
            disableUser: (userId) => service.disableUser(userId),
          },
        },
        history: () => accountsHistory(ctx.adapters.store),
        close: () => service.close(),
      };
    },
  };
}
