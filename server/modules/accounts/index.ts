import type { Adapters } from '../../adapters/index.ts';
import type { DojoModule, ModuleContext } from '../../modules.ts';
import { requireAuth } from './auth-middleware.ts';
import { accountEndpoints } from './endpoints/account.ts';
import { sessionEndpoints } from './endpoints/session.ts';
import { tenantEndpoints } from './endpoints/tenant.ts';
import { userEndpoints } from './endpoints/user.ts';
import { resolveOptions, type AccountsOptionsInput } from './options.ts';
import { ACCOUNTS_MIGRATIONS } from './schema.ts';
import { createAccountsService, type AccountsService } from './service.ts';

export interface AccountsModule extends DojoModule {
  /** The service of the system that runs on these adapters (tests use it to rotate keys or disable users). */
  serviceFor(adapters: Adapters): AccountsService | undefined;
}

/**
 * Accounts, sessions and tenants (issue #3). Each system that wires the module gets its own service (key
 * ring, token caches, revocation subscription), made at init and offered to the other modules as
 * `ctx.services.accounts`; close() ends them.
 */
export function createAccountsModule(input: AccountsOptionsInput = {}): AccountsModule {
  const options = resolveOptions(input);
  const mine = new Map<Adapters, AccountsService>();
  const serviceOf = (ctx: ModuleContext): AccountsService => {
    const service = mine.get(ctx.adapters);
    if (!service) throw new Error('the accounts module was not initialised for this system');
    return service;
  };

  return {
    name: 'accounts',
    migrations: ACCOUNTS_MIGRATIONS,
    init: (ctx) => {
      const service = createAccountsService({
        config: ctx.config,
        logger: ctx.logger,
        adapters: ctx.adapters,
        accounts: options,
      });
      mine.set(ctx.adapters, service);
      ctx.services.accounts = service;
    },
    endpoints: (ctx) => {
      const service = serviceOf(ctx);
      const auth = requireAuth(ctx);
      return [
        ...accountEndpoints(service, auth),
        ...sessionEndpoints(service, auth),
        ...userEndpoints(service, auth),
        ...tenantEndpoints(service, auth),
      ];
    },
    serviceFor: (adapters) => mine.get(adapters),
    close: async () => {
      const services = [...mine.values()];
      mine.clear();
      await Promise.allSettled(services.map((s) => s.close()));
    },
  };
}
