// Shard 2 of the OpenAPI-driven fuzzing (test/fuzz.ts).
import { fuzzShard } from './fuzz.js';

fuzzShard(1);
