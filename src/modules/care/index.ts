/** The care context's public surface: follow-ups, their reminders and the organization's clock. Other modules import from here only. */
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import type { Guard } from '../identity/index.js';
import { followupRoutes } from './followups.routes.js';

export { FollowupDto, followupDto } from './followups.routes.js';
export { findFollowup, type FollowupRow, type FollowupType, type ReminderChannel } from './followups.service.js';
export { orgClock, daysBetween, type OrgClock } from './org-clock.js';
export { addDays } from './followup-rules.js';
export { reminderJobs, startReminderSweeps, sweepDueReminders, REMINDER_SEND_JOB, REMINDER_SWEEP_JOB, type ReminderJobOptions } from './reminders.js';
export { channelSender, postToGateway, type ReminderMessage, type ReminderSender } from './messaging.js';
export { generateFollowups, cancelRuleFollowups, type GeneratedFollowup, type SessionForFollowups } from './followups.generate.js';

export function careRoutes(app: ZApp, deps: Deps, guard: Guard) {
  followupRoutes(app, deps, guard);
}
