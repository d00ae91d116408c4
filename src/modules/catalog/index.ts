/** The catalog context's public surface (treatments, pigments). Other modules import from here only. */
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';
import { treatmentRoutes } from './treatments.routes.js';
import { pigmentRoutes } from './pigments.routes.js';

export {
  findTreatment, treatmentRef, getTreatment, listTreatments, minorDigits, toMajor, toMinor, TREATMENT_COLUMNS, type TreatmentRow,
} from './treatments.service.js';
export { treatmentDto, TreatmentDto, CatalogCode } from './treatments.routes.js';
export { findPigment, type PigmentRow } from './pigments.service.js';

/** Treatments and the pigment library. */
export function catalogRoutes(app: ZApp, deps: Deps, guard: Guard) {
  treatmentRoutes(app, deps, guard);
  pigmentRoutes(app, deps, guard);
}
