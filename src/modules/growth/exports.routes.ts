import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';

// Scaffold: filled in by the growth work on exports.
export function exportRoutes(app: ZApp, deps: Deps, guard: Guard): void {
  void app; void deps; void guard;
}
