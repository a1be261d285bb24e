import type { Config } from '../../../config/index.ts';
import type { Entitlements, Events, Notify } from '../../capabilities.ts';
import type { Adapters } from '../../adapters/index.ts';
import type { Logger } from '../../lib/log.ts';
import { Authenticator } from './authenticator.ts';
import { ScryptPool } from './hash-pool.ts';
import { KeyRing } from './keyring.ts';
import type { AccountsOptions } from './options.ts';
import { DummyHash } from './passwords.ts';
import { Sessions } from './refresh.ts';
import { AccountsRepo } from './repo.ts';
import { LoginThrottle } from './throttle.ts';
import { AccessTokens } from './tokens.ts';

/** Everything the accounts endpoints share within one running system. */
export interface AccountsService {
  readonly config: Config;
  readonly options: AccountsOptions;
  readonly logger: Logger;
  readonly adapters: Adapters;
  readonly repo: AccountsRepo;
  readonly keys: KeyRing;
  readonly tokens: AccessTokens;
  readonly authenticator: Authenticator;
  readonly sessions: Sessions;
  readonly throttle: LoginThrottle;
  /** Password hashing threads of this system; pass `hashPool.derive` to hashPassword and verifyPassword. */
  readonly hashPool: ScryptPool;
  readonly dummyHash: DummyHash;
  /** Asks for notifications, when a notifications module runs (read when used). */
  readonly notify: () => Notify | undefined;
  /** What each tenant's plan buys, when a billing module runs (read when used). */
  readonly entitlements: () => Entitlements | undefined;
  /** Records domain facts (a tenant created, a member joined or left), when an events module runs. */
  readonly events: () => Events | undefined;
  /** Ends every session of a user (password change, disabling): tokens issued before now stop working. */
  endSessions(
    userId: string,
    set?: { readonly account_status?: string; readonly password_hash?: string },
  ): Promise<void>;
  /** Disables an account and ends its sessions. */
  disableUser(userId: string): Promise<void>;
  close(): Promise<void>;
}

export function createAccountsService(options: {
  readonly config: Config;
  readonly logger: Logger;
  readonly adapters: Adapters;
  readonly accounts: AccountsOptions;
  readonly notify: () => Notify | undefined;
  readonly entitlements: () => Entitlements | undefined;
  readonly events: () => Events | undefined;
}): AccountsService {
  const { config, adapters, accounts: o } = options;
  const logger = options.logger.child({ module: 'accounts' });
  const store = adapters.store;
  const repo = new AccountsRepo(store);
  const keys = new KeyRing({
    store,
    logger,
    maxAgeSeconds: o.keyMaxAgeSeconds,
    // Nodes may sign with a just-retired key until they re-read the ring: count that delay twice.
    retiredTrustSeconds: o.accessTokenTtlSeconds + o.clockToleranceSeconds + (2 * o.keyRingRefreshMs) / 1000,
    refreshMs: o.keyRingRefreshMs,
  });
  const tokens = new AccessTokens({
    keys,
    issuer: config.publicUrl,
    audience: o.audience,
    ttlSeconds: o.accessTokenTtlSeconds,
    clockToleranceSeconds: o.clockToleranceSeconds,
  });
  const authenticator = new Authenticator({
    tokens,
    store,
    bus: adapters.bus,
    logger,
    cacheSize: o.verifiedCacheSize,
    revocationRecheckMs: o.revocationRecheckMs,
    userStateCacheMs: o.userStateCacheMs,
  });
  const sessions = new Sessions({
    store,
    repo,
    tokens,
    authenticator,
    logger,
    familyTtlSeconds: o.refreshFamilyTtlSeconds,
    graceSeconds: o.refreshGraceSeconds,
  });
  const throttle = new LoginThrottle({
    cache: adapters.cache,
    perAccount: o.throttlePerAccount,
    perAddress: o.throttlePerAddress,
    signUpPerAddress: o.throttleSignUpPerAddress,
  });

  const hashPool = new ScryptPool({ threads: o.hashingThreads, maxQueue: o.hashingQueue, logger });
  const dummyHash = new DummyHash(o.hashing, hashPool.derive);
  dummyHash.warm().catch((error: unknown) => logger.warn({ err: error }, 'dummy password hash not made yet'));
  authenticator.start();

  const endSessions: AccountsService['endSessions'] = async (userId, set = {}) => {
    const cutoff = Math.floor(Date.now() / 1000) + 1;
    await repo.updateUser(userId, { ...set, sessions_valid_after: cutoff });
    await authenticator.forgetUser(userId);
  };

  return {
    config,
    options: o,
    logger,
    adapters,
    repo,
    keys,
    tokens,
    authenticator,
    sessions,
    throttle,
    hashPool,
    dummyHash,
    notify: options.notify,
    entitlements: options.entitlements,
    events: options.events,
    endSessions,
    disableUser: async (userId) => {
      await endSessions(userId, { account_status: 'D' });
      const user = await repo.user(userId);
      await options.events()?.emit(
        user
          ? [
              {
                domain: 'accounts',
                type: 'member.left',
                version: 1,
                tenantId: user.tenantId,
                // When the account was disabled, as the accounts' history (backfills) dates it too.
                at: user.updated,
                data: { userId },
              },
            ]
          : [],
      );
    },
    close: async () => {
      await Promise.all([authenticator.close(), hashPool.close()]);
    },
  };
}
