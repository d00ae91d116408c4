// Shard 1 of the OpenAPI-driven fuzzing (test/fuzz.ts).
import { fuzzShard } from './fuzz.js';

fuzzShard(0);
