/** Test fixtures for the identity administration tests: staff that joined through a real invitation, audited calls. */
import { randomUUID } from 'node:crypto';
import { uniqueEmail, type Res, type TestVisage } from '../../../test/helpers.js';

export interface Actor { token: string; userId: string; orgId: string; email: string; password: string }
export interface Staff extends Actor { membershipId: string }

/**
 * The token from the last invitation mail sent to `email`. Mail is delivered by the job queue after
 * the request commits, so this waits for it (up to 5 s).
 */
export async function invitationTokenFor(t: TestVisage, email: string): Promise<string> {
  for (let waited = 0; waited <= 5000; waited += 25) {
    const mail = t.mail.filter((m) => m.to === email && /invite\?token=/.test(m.text)).at(-1);
    const token = mail && /invite\?token=([\w-]+)/.exec(mail.text)?.[1];
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no invitation mail to ${email}`);
}

/** A new person invited by `by` with `role`, who accepted and created their account. */
export async function joinAs(t: TestVisage, by: Actor, role: string, opts: { title?: string } = {}): Promise<Staff> {
  const email = uniqueEmail(role.toLowerCase().replace(/\W+/g, '-'));
  const password = 'staff password 123';
  const inv = await t.call('POST', '/api/invitations', { token: by.token, body: { email, role, ...opts } });
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const acc = await t.call('POST', '/api/invitations/accept', { body: { token: await invitationTokenFor(t, email), full_name: `Staff ${role}`, password } });
  if (acc.status !== 200) throw new Error(`accept failed: ${acc.status} ${JSON.stringify(acc.body)}`);
  const members = await t.call('GET', `/api/members?q=${encodeURIComponent(email)}`, { token: by.token });
  return { token: acc.body.token, userId: acc.body.user.id, orgId: by.orgId, email, password, membershipId: members.body.items[0].id };
}

export interface AuditedEvent { action: string; entity_type: string; entity_id: string | null; outcome: string; details: Record<string, unknown> }

/** Calls the API with a fresh request id and returns the audit events that request wrote in `orgId`. */
export async function audited(t: TestVisage, orgId: string, method: string, url: string, opts: Parameters<TestVisage['call']>[2] = {}): Promise<{ res: Res; events: AuditedEvent[] }> {
  const requestId = `req-${randomUUID()}`;
  const res = await t.call(method, url, { ...opts, headers: { ...opts.headers, 'x-request-id': requestId } });
  const events = await t.db.run({ scope: 'tenant', orgId }, (tx) => tx.query<AuditedEvent>(
    'SELECT action, entity_type, entity_id, outcome, details FROM audit_events WHERE request_id = $1', [requestId]));
  return { res, events };
}

/** Every audit row of an organization, as one string (to prove a secret never reached it). */
export async function auditText(t: TestVisage, orgId: string): Promise<string> {
  const rows = await t.db.run({ scope: 'tenant', orgId }, (tx) => tx.query('SELECT * FROM audit_events WHERE org_id = $1', [orgId]));
  return JSON.stringify(rows);
}
