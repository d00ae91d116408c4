import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The fuzz shards run for minutes each; vitest would start them last (without a results cache it
 * runs larger files first, and a shard's file is four lines), leaving one worker alone at the end.
 * Longest first: the shards start at once, and the other files fill in around them.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isFuzz = (f: TestSpecification) => /[\\/]fuzz-\d+\.int\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter(isFuzz), ...sorted.filter((f) => !isFuzz(f))];
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { sequencer: LongestFirst },
  },
});
