import { z } from 'zod';
import type { ZApp } from '../../platform/http/app.js';
import type { Deps } from '../../platform/deps.js';
import { decodeCursor, page, pageOf, pageQuery } from '../../platform/http/pagination.js';
import { idempotent } from '../../platform/http/idempotency.js';
import { audit } from '../../platform/audit/audit.service.js';
import { getUser, userOrganizations } from './accounts.service.js';
import { origin, tokenOf, type Guard } from './guard.js';
import { Email, iso, orgSummaryDto, Password, SessionResponse, userDto, Uuid } from './identity.dto.js';
import { sessionReply, signInRateLimit } from './session-response.js';
import {
  acceptInvitation, createInvitation, INVITATION_STATUSES, listInvitations, previewInvitation, revokeInvitation, type InvitationRow,
} from './invitations.service.js';

const InvitationDto = z.object({
  id: z.string(), email: z.string(), role: z.string(), title: z.string().nullable(), status: z.enum(INVITATION_STATUSES),
  expires_at: z.string(), created_at: z.string(), invited_by: z.string(),
});
const invitationDto = (i: InvitationRow): z.infer<typeof InvitationDto> => ({
  id: i.id, email: i.email, role: i.role, title: i.title, status: i.status, expires_at: iso(i.expires_at)!, created_at: iso(i.created_at)!, invited_by: i.invited_by,
});

const InvitationToken = z.string().min(10).max(200);

/** Like the sign-in answer; `token` only when an account was created (a signed-in invitee keeps their session). */
const AcceptResponse = SessionResponse.extend({ token: z.string().optional(), organization_id: z.string() });

/**
 * Staff invitations by email. Inviting and managing need member.manage; looking an invitation up
 * and accepting it need only the link's token (and a session, when the invitee has an account).
 */
export function invitationRoutes(app: ZApp, deps: Deps, guard: Guard) {
  const policy = { idleMinutes: deps.config.sessionIdleMinutes, absoluteHours: deps.config.sessionAbsoluteHours };
  // The token travels in the query string: keep these requests out of the access log.
  const byToken = { logLevel: 'warn' as const, config: signInRateLimit(deps) };

  app.post('/api/invitations', {
    schema: {
      tags: ['invitations'], summary: 'Invite someone by email with one role (mails them a link valid for 7 days)',
      body: z.object({ email: Email, role: z.string().trim().min(1).max(60), title: z.string().trim().max(100).nullish() }),
      response: { 201: InvitationDto },
    },
  }, async (req, reply) => {
    const out = await guard(req, { permission: 'member.manage' }, (tx, p) => idempotent(tx, req, async () =>
      ({ status: 201, body: invitationDto(await createInvitation(tx, deps, origin(req), p, p.orgId!, req.body)) })));
    return reply.status(out.status as 201).send(out.body as z.infer<typeof InvitationDto>);
  });

  app.get('/api/invitations', {
    schema: {
      tags: ['invitations'], summary: 'Invitations of the acting organization, newest first',
      querystring: z.object({ ...pageQuery, status: z.enum(INVITATION_STATUSES).optional() }),
      response: { 200: pageOf(InvitationDto) },
    },
  }, async (req) => guard(req, { permission: 'member.manage' }, async (tx, p) => {
    const q = req.query;
    const cursor = decodeCursor(q.cursor, z.object({ at: z.string(), id: z.string().uuid() }));
    const rows = await listInvitations(tx, p.orgId!, deps.now(), { status: q.status, limit: q.limit, cursor });
    await audit(tx, origin(req), { action: 'list', entityType: 'invitation', details: { count: Math.min(rows.length, q.limit), status: q.status ?? null } });
    return page(rows, q.limit, (i) => ({ at: iso(i.created_at), id: i.id }), invitationDto);
  }));

  app.delete('/api/invitations/:id', {
    schema: { tags: ['invitations'], summary: 'Revoke a pending invitation', params: z.object({ id: Uuid }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await guard(req, { permission: 'member.manage' }, (tx, p) => revokeInvitation(tx, origin(req), p.orgId!, req.params.id, deps.now()));
    return reply.status(204).send(null);
  });

  app.get('/api/invitations/lookup', {
    ...byToken,
    schema: {
      tags: ['invitations'], summary: 'What an invitation link is for (no sign-in needed)', security: [],
      querystring: z.object({ token: InvitationToken }),
      response: { 200: z.object({ organization_name: z.string(), email: z.string(), role: z.string(), status: z.enum(INVITATION_STATUSES), expires_at: z.string() }) },
    },
  }, async (req) => {
    const found = await deps.db.run({ scope: 'auth' }, (tx) => previewInvitation(tx, origin(req), req.query.token, deps.now()));
    return { ...found, expires_at: iso(found.expires_at)! };
  });

  app.post('/api/invitations/accept', {
    ...byToken,
    schema: {
      tags: ['invitations'], security: [],
      summary: 'Accept an invitation: signed in, you join; otherwise an account is created for the invited email and signed in',
      body: z.object({ token: InvitationToken, full_name: z.string().trim().min(1).max(200).optional(), password: Password.optional() }),
      response: { 200: AcceptResponse },
    },
  }, async (req, reply) => {
    const now = deps.now();
    const out = await deps.db.run({ scope: 'auth' }, async (tx) => {
      const r = await acceptInvitation(tx, origin(req), {
        token: req.body.token, fullName: req.body.full_name, password: req.body.password, sessionToken: tokenOf(req), fromCookie: !req.headers.authorization, userAgent: req.headers['user-agent'],
      }, now, policy);
      return { ...r, user: (await getUser(tx, r.userId))!, organizations: await userOrganizations(tx, r.userId) };
    });
    const body = out.session
      ? sessionReply(reply, deps, { ...out.session, user: out.user, organizations: out.organizations })
      : { user: userDto(out.user), organizations: out.organizations.map(orgSummaryDto) };
    return { ...body, organization_id: out.orgId };
  });
}
