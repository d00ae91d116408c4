// The few parts of autocannon's API the benchmarks use.
declare module 'autocannon' {
  interface Request {
    method?: string; path?: string; headers?: Record<string, string>; body?: string;
    /** Builds the request from the previous one's context (chained requests). */
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }
  interface Options {
    url: string; headers?: Record<string, string>; connections?: number; duration?: number; method?: string; body?: string;
    requests?: Request[];
    /** Context objects start empty for each connection. */
    initialContext?: Record<string, unknown>;
  }
  interface Histogram { average: number; p50: number; p99: number; p97_5: number; max: number }
  interface Result { requests: Histogram; latency: Histogram; errors: number; non2xx: number; timeouts: number }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
  }
  function autocannon(opts: Options): Instance;
  namespace autocannon { export type { Options, Request, Result } }
  export default autocannon;
}
