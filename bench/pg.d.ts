/** The little of `pg` (node-postgres, which ships no types) that the POC reference server uses. */
declare module 'pg' {
  export interface QueryResult<R> {
    rows: R[];
    rowCount: number | null;
  }
  export interface QueryConfig {
    name?: string;
    text: string;
    values?: unknown[];
  }
  export interface ConnectionConfig {
    host?: string;
    port?: number;
    user?: string;
    database?: string;
    max?: number;
    idleTimeoutMillis?: number;
  }
  export interface Pool {
    query<R = Record<string, unknown>>(
      query: string | QueryConfig,
      values?: unknown[],
    ): Promise<QueryResult<R>>;
    end(): Promise<void>;
  }
  export interface Client extends Pool {
    connect(): Promise<void>;
  }
  const pg: {
    Pool: new (config?: ConnectionConfig) => Pool;
    Client: new (config?: ConnectionConfig) => Client;
  };
  export default pg;
}
