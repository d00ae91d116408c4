import type { Tx } from '../../platform/db/client.js';

export interface ScoreFactor { factor: 'stage' | 'source' | 'recency' | 'engagement'; points: number; max: number; reason: string }
export interface LeadScore { score: number; factors: ScoreFactor[] }

/**
 * Scaffold (the scoring work replaces the body): recomputes a lead's score from its stage,
 * source, recency and engagement, stores lead_score, score_factors and scored_at, and returns it.
 * Callers run it whenever a lead's stage, activities, KPI events or journey events change.
 */
export async function rescoreLead(tx: Tx, leadId: string, now: Date): Promise<LeadScore> {
  void tx; void leadId; void now;
  return { score: 0, factors: [] };
}
