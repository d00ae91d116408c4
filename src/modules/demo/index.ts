/** The demo context's public surface: the demo organizations and a year of their work. */
export { seedDemo, seedOrganization, type DemoResult } from './demo.seed.js';
export { generateDemo, type DemoDataset, type OrgPlan, type Program } from './demo.generate.js';
export { clinicPlan, studioPlan } from './demo.plans.js';
export { generateGrowth, seedGrowth, clinicGrowthPlan, type GrowthDataset, type GrowthPlan } from './demo.growth.js';
