// The few parts of autocannon's API the benchmarks use.
declare module 'autocannon' {
  interface Options { url: string; headers?: Record<string, string>; connections?: number; duration?: number; method?: string; body?: string }
  interface Histogram { average: number; p50: number; p99: number; p97_5: number; max: number }
  interface Result { requests: Histogram; latency: Histogram; errors: number; non2xx: number; timeouts: number }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
