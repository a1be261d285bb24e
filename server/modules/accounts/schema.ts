import type { Migration } from '../../ports/store.ts';

/**
 * One table per query, Cassandra style. Uniqueness of usernames and emails is claimed with conditional
 * inserts on the `*_by_username` / `*_by_email` tables; single-use tokens are consumed with conditional
 * updates of their `state` column. Secrets (confirmation, invitation and refresh tokens) are stored only
 * as SHA-256 hashes.
 */
export const TABLES = {
  users: 'users_by_id',
  usernames: 'users_by_username',
  emails: 'users_by_email',
  tenants: 'tenants',
  members: 'members_by_tenant',
  confirmations: 'confirmation_tokens',
  invitations: 'invitations_by_token',
  families: 'refresh_families',
  refreshTokens: 'refresh_tokens',
  keys: 'signing_keys',
  currentKey: 'signing_key_current',
  revoked: 'revoked_tokens',
  notifications: 'notifications_by_user',
  seats: 'seats_by_tenant',
} as const;

export const ACCOUNTS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0100_accounts',
    createTables: [
      {
        name: TABLES.users,
        columns: {
          user_id: 'uuid',
          tenant_id: 'uuid',
          username: 'text',
          email: 'text',
          first_name: 'text',
          last_name: 'text',
          password_hash: 'text',
          account_status: 'text',
          role: 'text',
          presence: 'text',
          picture_id: 'text',
          picture_key: 'text',
          settings: 'json',
          invited_by: 'uuid',
          /** Epoch seconds: access tokens issued and sessions started before it are refused. */
          sessions_valid_after: 'bigint',
          created: 'timestamp',
          updated: 'timestamp',
        },
        partitionKey: ['user_id'],
      },
      {
        name: TABLES.usernames,
        columns: { username: 'text', user_id: 'uuid', claimed: 'timestamp' },
        partitionKey: ['username'],
      },
      {
        name: TABLES.emails,
        columns: { email: 'text', user_id: 'uuid', claimed: 'timestamp' },
        partitionKey: ['email'],
      },
      {
        name: TABLES.tenants,
        columns: {
          tenant_id: 'uuid',
          name: 'text',
          owner_id: 'uuid',
          plan: 'text',
          subscription_status: 'text',
          expires_at: 'timestamp',
          auto_renew: 'boolean',
          created: 'timestamp',
          updated: 'timestamp',
        },
        partitionKey: ['tenant_id'],
      },
      {
        name: TABLES.members,
        columns: { tenant_id: 'uuid', user_id: 'uuid', role: 'text', joined: 'timestamp' },
        partitionKey: ['tenant_id'],
        clusteringKey: [{ column: 'user_id', order: 'asc' }],
      },
      {
        name: TABLES.confirmations,
        columns: {
          token_hash: 'text',
          user_id: 'uuid',
          state: 'text',
          created: 'timestamp',
          expires_at: 'timestamp',
        },
        partitionKey: ['token_hash'],
      },
      {
        name: TABLES.invitations,
        columns: {
          token_hash: 'text',
          invitation_id: 'uuid',
          tenant_id: 'uuid',
          email: 'text',
          role: 'text',
          state: 'text',
          invited_by: 'uuid',
          used_by: 'uuid',
          created: 'timestamp',
          expires_at: 'timestamp',
        },
        partitionKey: ['token_hash'],
      },
      {
        name: TABLES.families,
        columns: {
          family_id: 'uuid',
          user_id: 'uuid',
          tenant_id: 'uuid',
          state: 'text',
          /** Epoch seconds of the login that started the session. */
          auth_time: 'bigint',
          created: 'timestamp',
          expires_at: 'timestamp',
          access_jti: 'text',
          access_exp: 'timestamp',
        },
        partitionKey: ['family_id'],
      },
      {
        name: TABLES.refreshTokens,
        columns: {
          token_hash: 'text',
          family_id: 'uuid',
          user_id: 'uuid',
          state: 'text',
          created: 'timestamp',
          rotated_at: 'timestamp',
          /** The answer that rotated this token, encrypted with a key only the token's holder can derive. */
          replay: 'blob',
        },
        partitionKey: ['token_hash'],
      },
      {
        name: TABLES.keys,
        columns: {
          ring: 'text',
          kid: 'text',
          private_jwk: 'text',
          public_jwk: 'text',
          created: 'timestamp',
          retired_at: 'timestamp',
        },
        partitionKey: ['ring'],
        clusteringKey: [{ column: 'kid', order: 'asc' }],
      },
      {
        name: TABLES.currentKey,
        columns: { ring: 'text', kid: 'text', generation: 'int', rotated: 'timestamp', previous_kid: 'text' },
        partitionKey: ['ring'],
      },
      {
        name: TABLES.revoked,
        columns: { jti: 'text', user_id: 'uuid', revoked: 'timestamp' },
        partitionKey: ['jti'],
      },
      {
        name: TABLES.notifications,
        columns: {
          user_id: 'uuid',
          created: 'timestamp',
          notification_id: 'uuid',
          type: 'text',
          title: 'text',
          body: 'text',
          data: 'json',
          read: 'boolean',
        },
        partitionKey: ['user_id'],
        clusteringKey: [
          { column: 'created', order: 'desc' },
          { column: 'notification_id', order: 'asc' },
        ],
      },
    ],
  },
  {
    // A tenant's seats, numbered from 0 and each claimed once with an insert-if-absent (seats.ts). Members
    // from before this table get theirs when the tenant's next member joins.
    id: '0101_seats',
    createTables: [
      {
        name: TABLES.seats,
        columns: { tenant_id: 'uuid', seat: 'int', user_id: 'uuid', taken: 'timestamp' },
        partitionKey: ['tenant_id'],
        clusteringKey: [{ column: 'seat', order: 'asc' }],
      },
    ],
  },
];
