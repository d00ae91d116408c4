import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testVisage, type TestVisage } from '../../../test/helpers.js';
import { newId } from '../../platform/crypto.js';
import { localDate } from '../clinical/org-time.js';
import { addDays } from '../care/followup-rules.js';
import { asOrg } from '../clinical/clinic.fixtures.js';
import { MAX_RANK_LENGTH } from './kanban.js';

let t: TestVisage;

beforeAll(async () => {
  t = await testVisage({ config: { rateLimitPerMinute: 10_000_000 } });
});
afterAll(async () => { await t?.close(); });

interface Org { token: string; orgId: string; userId: string }
interface Stage { id: string; name: string; kind: string; position: number; color: string; lead_count: number }
let seq = 0;
const as = (o: Org) => (method: string, url: string, body?: unknown) => t.call(method, url, { token: o.token, body, org: o.orgId });
async function newOrg(name: string): Promise<Org & { call: ReturnType<typeof as> }> {
  const o = await t.owner({ orgName: name });
  await asOrg(t, o.orgId, (q) => q(`UPDATE organizations SET timezone = 'Asia/Taipei', currency = 'TWD' WHERE id = $1`, [o.orgId]));
  return { ...o, call: as(o) };
}
async function lead(o: { call: ReturnType<typeof as> }, body: Record<string, unknown> = {}) {
  const r = await o.call('POST', '/api/leads', { source: 'google', email: `p${++seq}@example.com`, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; rank: string; stage_id: string; created_at: string; first_name: string | null };
}
const stages = async (o: { call: ReturnType<typeof as> }): Promise<Stage[]> => (await o.call('GET', '/api/pipeline-stages')).body.items;
const byKind = (list: Stage[], kind: string) => list.find((s) => s.kind === kind)!;

describe('pipeline stages', () => {
  it('gives a new organization seed 004\'s default pipeline, once', async () => {
    const o = await newOrg('Default Pipeline');
    const list = await stages(o);
    expect(list.map((s) => [s.name, s.kind, s.position])).toEqual([
      ['New', 'new', 0], ['Contacted', 'contacted', 1], ['Consult Booked', 'consult_booked', 2], ['Won', 'won', 3], ['Lost', 'lost', 4],
    ]);
    expect(list.every((s) => /^#[0-9a-f]{6}$/.test(s.color))).toBe(true);
    const [again] = await Promise.all([stages(o), stages(o)]);
    expect(again).toHaveLength(5);
    expect(await asOrg(t, o.orgId, (q) => q('SELECT id FROM pipeline_stages'))).toHaveLength(5);
  });

  it('adds, renames and recolours stages with unique names (409, case-insensitive)', async () => {
    const o = await newOrg('Stage Edits');
    const add = await o.call('POST', '/api/pipeline-stages', { name: 'Nurture', color: '#AABBCC' });
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ name: 'Nurture', color: '#aabbcc', kind: 'open', position: 5, lead_count: 0 });
    const dup = await o.call('POST', '/api/pipeline-stages', { name: 'nurture', color: '#000000' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'stage_name_taken', errors: [{ pointer: '/name' }] });
    expect(dup.body.detail).toContain('nurture');
    expect((await o.call('PATCH', `/api/pipeline-stages/${add.body.id}`, { name: 'WON' })).status).toBe(409);
    expect((await o.call('POST', '/api/pipeline-stages', { name: 'X', color: 'blue' })).status).toBe(422);
    expect((await o.call('POST', '/api/pipeline-stages', { name: 'X', color: '#000000', kind: 'maybe' })).status).toBe(422);
    const ren = await o.call('PATCH', `/api/pipeline-stages/${add.body.id}`, { name: 'Nurturing', color: '#112233', kind: 'contacted' });
    expect(ren.body).toMatchObject({ name: 'Nurturing', color: '#112233', kind: 'contacted' });
    expect((await o.call('PATCH', `/api/pipeline-stages/${add.body.id}`, { name: 'nurturing' })).status).toBe(200);
    expect((await o.call('PATCH', `/api/pipeline-stages/${newId()}`, { name: 'Ghost' })).status).toBe(404);
    // The only won stage cannot stop being one.
    const won = byKind(await stages(o), 'won');
    expect((await o.call('PATCH', `/api/pipeline-stages/${won.id}`, { kind: 'open' })).body.code).toBe('last_stage_of_kind');
  });

  it('reorders the whole pipeline in one transaction (unique positions checked at commit)', async () => {
    const o = await newOrg('Reorder');
    const list = await stages(o);
    const reversed = [...list].reverse().map((s) => s.id);
    const r = await o.call('PUT', '/api/pipeline-stages/order', { stage_ids: reversed });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((s: Stage) => s.id)).toEqual(reversed);
    expect(r.body.items.map((s: Stage) => s.position)).toEqual([0, 1, 2, 3, 4]);
    expect((await stages(o)).map((s) => s.name)).toEqual(['Lost', 'Won', 'Consult Booked', 'Contacted', 'New']);
    // Not every stage, a stage twice, or a foreign id: refused, nothing changes.
    expect((await o.call('PUT', '/api/pipeline-stages/order', { stage_ids: reversed.slice(1) })).status).toBe(422);
    expect((await o.call('PUT', '/api/pipeline-stages/order', { stage_ids: [reversed[0], ...reversed.slice(0, 4)] })).status).toBe(422);
    const foreign = await o.call('PUT', '/api/pipeline-stages/order', { stage_ids: [newId(), ...reversed.slice(1)] });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ code: 'reference_not_found', errors: [{ pointer: '/stage_ids/0' }] });
    expect((await stages(o)).map((s) => s.id)).toEqual(reversed);
    // New leads still enter at the first stage of kind new, wherever it sits.
    expect((await lead(o)).stage_id).toBe(byKind(list, 'new').id);
  });

  it('refuses to delete a stage a lead is or was in, or the last new/won/lost stage; deletes an unused one', async () => {
    const o = await newOrg('Deletes');
    const list = await stages(o);
    const l = await lead(o);
    const inUse = await o.call('DELETE', `/api/pipeline-stages/${byKind(list, 'new').id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('stage_in_use');
    // Contacted: the lead passes through and leaves; its history still names the stage.
    const contacted = byKind(list, 'contacted');
    expect((await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: contacted.id })).status).toBe(200);
    expect((await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'consult_booked').id })).status).toBe(200);
    expect((await o.call('DELETE', `/api/pipeline-stages/${contacted.id}`)).body.code).toBe('stage_in_use');
    // A soft-deleted lead still counts.
    const gone = await lead(o);
    await o.call('DELETE', `/api/leads/${gone.id}`);
    expect((await o.call('DELETE', `/api/pipeline-stages/${byKind(list, 'new').id}`)).status).toBe(409);
    const lost = await o.call('DELETE', `/api/pipeline-stages/${byKind(list, 'lost').id}`);
    expect(lost.status).toBe(409);
    expect(lost.body.code).toBe('last_stage_of_kind');
    expect((await o.call('DELETE', `/api/pipeline-stages/${byKind(list, 'won').id}`)).body.code).toBe('last_stage_of_kind');
    // A second lost stage makes the first deletable; positions close up.
    const lost2 = await o.call('POST', '/api/pipeline-stages', { name: 'Lost (no budget)', color: '#990000', kind: 'lost' });
    expect((await o.call('DELETE', `/api/pipeline-stages/${byKind(list, 'lost').id}`)).status).toBe(204);
    const after = await stages(o);
    expect(after.map((s) => s.position)).toEqual([0, 1, 2, 3, 4]);
    expect(after.at(-1)!.id).toBe(lost2.body.id);
    expect((await o.call('DELETE', `/api/pipeline-stages/${newId()}`)).status).toBe(404);
  });
});

describe('moving leads', () => {
  it('a stage change writes history, a stage_change activity, the status and won/lost dates', async () => {
    const o = await newOrg('Moves');
    const list = await stages(o);
    const l = await lead(o, { first_name: 'Dana' });
    t.clock.advance(60_000);
    const m1 = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'contacted').id });
    expect(m1.status, JSON.stringify(m1.body)).toBe(200);
    expect(m1.body).toMatchObject({ stage_kind: 'contacted', status: 'contacted', won_at: null });
    const m2 = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'consult_booked').id });
    expect(m2.body.status).toBe('qualified');
    const m3 = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'won').id });
    expect(m3.body).toMatchObject({ status: 'converted', won_at: expect.any(String), lost_at: null });
    const m4 = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'lost').id, lost_reason: 'Chose another clinic' });
    expect(m4.body).toMatchObject({ status: 'lost', won_at: null, lost_at: expect.any(String), lost_reason: 'Chose another clinic' });
    const custom = await o.call('POST', '/api/pipeline-stages', { name: 'Follow up later', color: '#445566' });
    const m5 = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: custom.body.id });
    expect(m5.body).toMatchObject({ status: 'contacted', lost_at: null, lost_reason: null });

    const h = (await o.call('GET', `/api/leads/${l.id}/stage-history`)).body.items;
    expect(h.map((x: { stage_name: string }) => x.stage_name)).toEqual(['New', 'Contacted', 'Consult Booked', 'Won', 'Lost', 'Follow up later']);
    expect(h[1]).toMatchObject({ from_stage_name: 'New', changed_by: o.userId });
    const acts = (await o.call('GET', `/api/leads/${l.id}/activities?type=stage_change&limit=50`)).body.items;
    expect(acts).toHaveLength(5);
    expect(acts.at(-1).payload).toMatchObject({ from_stage: 'New', to_stage: 'Contacted', from_stage_id: list[0]!.id, to_stage_id: byKind(list, 'contacted').id });
    expect(acts.find((a: { payload: { to_stage: string } }) => a.payload.to_stage === 'Lost').payload.lost_reason).toBe('Chose another clinic');
    // Same stage: reorder only, no history.
    expect((await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: custom.body.id })).status).toBe(200);
    expect((await o.call('GET', `/api/leads/${l.id}/stage-history`)).body.items).toHaveLength(6);
  });

  it('dates a stage change: never in the future, never before the lead; refuses bad targets and neighbours', async () => {
    const o = await newOrg('Move Rules');
    const list = await stages(o);
    const l = await lead(o);
    const contacted = byKind(list, 'contacted').id;
    const now = t.clock.now.getTime();
    const future = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: contacted, changed_at: new Date(now + 3_600_000).toISOString() });
    expect(future.status).toBe(422);
    expect(future.body.errors[0].pointer).toBe('/changed_at');
    const early = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: contacted, changed_at: new Date(Date.parse(l.created_at) - 86_400_000).toISOString() });
    expect(early.status).toBe(422);
    // Within the 5 minutes of skew: accepted and recorded as given.
    const skew = new Date(now + 60_000).toISOString();
    const ok = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: contacted, changed_at: skew });
    expect(ok.status).toBe(200);
    expect((await o.call('GET', `/api/leads/${l.id}/stage-history`)).body.items.at(-1).changed_at).toBe(skew);
    expect((await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: newId() })).body.code).toBe('reference_not_found');
    expect((await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'won').id, lost_reason: 'x' })).status).toBe(422);
    const elsewhere = await lead(o);
    const wrongCol = await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: byKind(list, 'won').id, before_id: elsewhere.id });
    expect(wrongCol.status).toBe(422);
    expect(wrongCol.body.errors[0].pointer).toBe('/before_id');
    expect((await o.call('POST', `/api/leads/${l.id}/move`, { stage_id: contacted, after_id: l.id })).status).toBe(422);
    expect((await o.call('GET', `/api/leads/${l.id}/stage-history`)).body.items).toHaveLength(2);
  });

  it('places cards between neighbours and keeps the order through many moves into one gap (and a renumbering)', async () => {
    const o = await newOrg('Kanban');
    const list = await stages(o);
    const col = byKind(list, 'contacted').id;
    const a = await lead(o, { first_name: 'A' });
    const b = await lead(o, { first_name: 'B' });
    await o.call('POST', `/api/leads/${a.id}/move`, { stage_id: col });
    await o.call('POST', `/api/leads/${b.id}/move`, { stage_id: col });
    const order = async (): Promise<string[]> => (await o.call('GET', `/api/leads?stage_id=${col}&order=rank&limit=200`)).body.items.map((l: { first_name: string }) => l.first_name);
    expect(await order()).toEqual(['A', 'B']);
    // 40 cards, each dropped directly below A (between A and the previous drop).
    const expected = ['A', 'B'];
    for (let i = 0; i < 40; i++) {
      const c = await lead(o, { first_name: `C${i}` });
      const r = await o.call('POST', `/api/leads/${c.id}/move`, { stage_id: col, after_id: a.id, before_id: (await o.call('GET', `/api/leads?stage_id=${col}&order=rank&limit=2`)).body.items[1].id });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expected.splice(1, 0, `C${i}`);
    }
    expect(await order()).toEqual(expected);
    // Reorder within the column: B to the top (before A), then A to the bottom (after_id only).
    await o.call('POST', `/api/leads/${b.id}/move`, { stage_id: col, before_id: a.id });
    await o.call('POST', `/api/leads/${a.id}/move`, { stage_id: col, after_id: (await o.call('GET', `/api/leads?stage_id=${col}&order=rank&limit=200`)).body.items.at(-1).id });
    const now = await order();
    expect(now[0]).toBe('B');
    expect(now.at(-1)).toBe('A');
    expect(now.slice(1, -1)).toEqual(expected.filter((n) => n !== 'A' && n !== 'B'));
    // Two cards with the same key (concurrent drops) or a gap worn too deep: the column is renumbered, order kept.
    const items = (await o.call('GET', `/api/leads?stage_id=${col}&order=rank&limit=200`)).body.items as { id: string; rank: string; first_name: string }[];
    // Cards 2 and 3 get keys one digit apart at depth MAX_RANK_LENGTH: a key between them would be too long.
    const deep = `${items[2]!.rank}${'V'.repeat(MAX_RANK_LENGTH)}`;
    await asOrg(t, o.orgId, async (q) => {
      await q('UPDATE leads SET rank = $2 WHERE id = $1', [items[2]!.id, deep]);
      await q('UPDATE leads SET rank = $2 WHERE id = $1', [items[3]!.id, `${deep}W`]);
    });
    expect(await order()).toEqual(items.map((l) => l.first_name));
    const x = await lead(o, { first_name: 'X' });
    const mv = await o.call('POST', `/api/leads/${x.id}/move`, { stage_id: col, after_id: items[2]!.id, before_id: items[3]!.id });
    expect(mv.status).toBe(200);
    const renumbered = (await o.call('GET', `/api/leads?stage_id=${col}&order=rank&limit=200`)).body.items as { rank: string; first_name: string }[];
    expect(renumbered.map((l) => l.first_name)).toEqual([...items.slice(0, 3).map((l) => l.first_name), 'X', ...items.slice(3).map((l) => l.first_name)]);
    expect(Math.max(...renumbered.map((l) => l.rank.length))).toBeLessThan(MAX_RANK_LENGTH);
    // Two adjacent cards with the same key (two concurrent drops): ties list by id, and a drop between them renumbers.
    const cur = (await o.call('GET', `/api/leads?stage_id=${col}&order=rank&limit=200`)).body.items as { id: string; rank: string; first_name: string }[];
    const i = cur.findIndex((c, k) => k > 0 && cur[k - 1]!.id < c.id);
    const [p, q2] = [cur[i - 1]!, cur[i]!];
    await asOrg(t, o.orgId, (q) => q('UPDATE leads SET rank = $2 WHERE id = $1', [q2.id, p.rank]));
    expect(await order()).toEqual(cur.map((c) => c.first_name));
    const y = await lead(o, { first_name: 'Y' });
    expect((await o.call('POST', `/api/leads/${y.id}/move`, { stage_id: col, after_id: p.id, before_id: q2.id })).status).toBe(200);
    const final = await order();
    expect(final).toEqual([...cur.slice(0, i).map((c) => c.first_name), 'Y', ...cur.slice(i).map((c) => c.first_name)]);
    expect(new Set(final).size).toBe(final.length);
  });

  it('shows the board: stages in order with counts, deal value sums, first cards by rank and a cursor for more', async () => {
    const o = await newOrg('Board');
    const list = await stages(o);
    const cmp = newId();
    await asOrg(t, o.orgId, (q) => q(`INSERT INTO campaigns (id, org_id, name, platform, currency) VALUES ($1, $2, 'Laser May', 'tiktok', 'TWD')`, [cmp, o.orgId]));
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await lead(o, { first_name: `N${i}`, deal_value_minor: 1000 * (i + 1), campaign_id: i < 2 ? cmp : undefined }));
    await o.call('POST', `/api/leads/${made[0]!.id}/tags`, { name: 'Laser' });
    await o.call('POST', `/api/leads/${made[4]!.id}/move`, { stage_id: byKind(list, 'won').id });
    const b = await o.call('GET', '/api/leads/board?per_stage=3');
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body.per_stage).toBe(3);
    expect(b.body.stages.map((s: Stage) => s.name)).toEqual(['New', 'Contacted', 'Consult Booked', 'Won', 'Lost']);
    const col = b.body.stages[0];
    expect(col).toMatchObject({ kind: 'new', count: 4, deal_value_minor: 10_000 });
    expect(col.cards.map((c: { first_name: string }) => c.first_name)).toEqual(['N0', 'N1', 'N2']);
    expect(col.cards[0]).toMatchObject({ source: 'google', campaign_name: 'Laser May', deal_value_minor: 1000, currency: 'TWD', score: expect.any(Number), tags: [{ name: 'Laser' }], last_interaction_at: null });
    expect(col.next_cursor).toEqual(expect.any(String));
    const more = await o.call('GET', `/api/leads?stage_id=${col.id}&order=rank&cursor=${col.next_cursor}`);
    expect(more.body.items.map((l: { first_name: string }) => l.first_name)).toEqual(['N3']);
    expect(b.body.stages[3]).toMatchObject({ count: 1, deal_value_minor: 5000, next_cursor: null });
    expect(b.body.stages[3].cards[0].status).toBe('converted');
    expect(b.body.stages[1]).toMatchObject({ count: 0, deal_value_minor: 0, cards: [], next_cursor: null });
    const filtered = await o.call('GET', `/api/leads/board?campaign_id=${cmp}`);
    expect(filtered.body.stages[0]).toMatchObject({ count: 2, deal_value_minor: 3000 });
    expect((await o.call('GET', '/api/leads/board?q=N3')).body.stages[0].cards.map((c: { first_name: string }) => c.first_name)).toEqual(['N3']);
    expect((await o.call('GET', '/api/leads/board?per_stage=0')).status).toBe(400);
    expect((await o.call('GET', '/api/leads?order=rank')).status).toBe(400);
  });
});

describe('opportunities', () => {
  it('one per lead, positive value, a procedure code, an expected date not in the past; sets an empty deal value', async () => {
    const o = await newOrg('Opportunities');
    const l = await lead(o);
    const url = `/api/leads/${l.id}/opportunity`;
    const today = localDate(t.clock.now, 'Asia/Taipei');
    expect((await o.call('GET', url)).status).toBe(404);
    for (const bad of [
      { expected_value_minor: 0, procedure_code: 'BTX' }, { expected_value_minor: -5, procedure_code: 'BTX' }, { expected_value_minor: 1.5, procedure_code: 'BTX' },
      { expected_value_minor: 100, procedure_code: 'BOTOX' }, { expected_value_minor: 100, procedure_code: 'BTX', expected_date: '2024-02-30' },
      { expected_value_minor: 100, procedure_code: 'BTX', expected_date: addDays(today, -1) },
    ]) {
      const r = await o.call('PUT', url, bad);
      expect(r.status, JSON.stringify(bad)).toBe(422);
    }
    expect(await asOrg(t, o.orgId, (q) => q('SELECT id FROM opportunities'))).toEqual([]);
    const c = await o.call('PUT', url, { expected_value_minor: 2_500_000, procedure_code: 'RHINO', expected_date: today });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ lead_id: l.id, expected_value_minor: 2_500_000, currency: 'TWD', procedure_code: 'RHINO', expected_date: today });
    expect((await o.call('GET', `/api/leads/${l.id}`)).body).toMatchObject({ deal_value_minor: 2_500_000, opportunity: { procedure_code: 'RHINO' } });
    const u = await o.call('PUT', url, { expected_value_minor: 900_000, procedure_code: 'FILLER', expected_date: addDays(today, 30) });
    expect(u.status).toBe(200);
    expect(u.body.id).toBe(c.body.id);
    // The lead already has a deal value: it stays.
    expect((await o.call('GET', `/api/leads/${l.id}`)).body.deal_value_minor).toBe(2_500_000);
    expect(await asOrg(t, o.orgId, (q) => q('SELECT id FROM opportunities'))).toHaveLength(1);
    expect((await o.call('DELETE', url)).status).toBe(204);
    expect((await o.call('GET', url)).status).toBe(404);
    expect((await o.call('DELETE', url)).status).toBe(404);
  });
});
