import type { JobDefinition } from '../../platform/jobs/jobs.js';
import type { Deps } from '../../platform/deps.js';

/** Scaffold (the retention work fills it): the growth retention job definitions. */
export function growthJobs(deps: () => Deps): JobDefinition<unknown>[] {
  void deps;
  return [];
}

/** Scaffold: schedules the daily retention run (only in a worker process). */
export async function startGrowthRetention(deps: Deps): Promise<void> {
  void deps;
}
