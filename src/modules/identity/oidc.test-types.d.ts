/** The part of oidc-provider (which publishes no types) that oidc.int.test.ts uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface Account { accountId: string; claims(): Record<string, unknown> }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    findAccount?(ctx: unknown, id: string): Account | undefined;
    claims?: Record<string, string[]>;
    cookies?: { keys?: string[] };
    ttl?: Record<string, number>;
    jwks?: { keys: object[] };
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
