/**
 * What modules offer each other through the module context, as narrow interfaces: a module depends on a
 * capability (verify a caller, look a user up), never on the module that provides it or its internals.
 * The module that provides one returns it from its `init` in `provides`; later modules read it from `ctx`.
 */

export const TENANT_ROLES = ['owner', 'admin', 'member'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Who is calling, as proven by a verified access token. */
export interface Caller {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: TenantRole;
  readonly jti: string;
  /** The session (refresh-token family) the token belongs to. */
  readonly sessionId: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** A user as other modules may see one: enough to check membership and show a name. */
export interface UserSummary {
  readonly userId: string;
  readonly tenantId: string;
  readonly username: string;
  /** "First Last", or the username when both are empty. */
  readonly displayName: string;
  readonly email: string;
  /** Confirmed and not disabled. */
  readonly active: boolean;
}

export interface Auth {
  /** The caller a raw access token proves; rejects with a 401 AppError (`AUTH.*`). */
  verify(token: string): Promise<Caller>;
  /**
   * The caller of a token this node verified and checked recently, without a promise (the hot path), or
   * undefined when it must be verified with `verify`. Throws what `verify` would reject with.
   */
  known(token: string): Caller | undefined;
  /** A user of that tenant; undefined for an unknown user and for another tenant's. */
  user(tenantId: string, userId: string): Promise<UserSummary | undefined>;
}

/** Operator actions on accounts (an admin console or a runbook calls them in-process). */
export interface AccountsAdmin {
  /** Signs with a new key from now on; tokens of the retired key keep verifying until they expire. */
  rotateSigningKey(): Promise<void>;
  /** Rotates when the current key is older than its maximum age; answers whether it did. */
  rotateSigningKeyIfDue(): Promise<boolean>;
  /** Disables an account and ends its sessions at once. */
  disableUser(userId: string): Promise<void>;
}

export interface Capabilities {
  readonly auth: Auth;
  readonly accountsAdmin: AccountsAdmin;
}

export type CapabilityName = keyof Capabilities;

/** Every capability's name, for the context's accessors (the check below fails to compile if one is missing). */
export const CAPABILITY_NAMES = ['auth', 'accountsAdmin'] as const satisfies readonly CapabilityName[];
type Missing = Exclude<CapabilityName, (typeof CAPABILITY_NAMES)[number]>;
export const everyCapabilityNamed: [Missing] extends [never] ? true : Missing = true;
