/**
 * The pipeline kanban: one column per stage (colour, lead count, deal value), cards dragged with
 * native HTML5 drag and drop between and within columns. A drop is shown at once and sent as the
 * card's new stage and neighbours; a refusal puts the card back and says why. Every card also has
 * a "Move to…" select, so the board works without a pointer.
 */
import { Fragment, useCallback, useEffect, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import { api, asApiError, query, type ApiError } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useT } from '../../i18n/i18n.js';
import { useCan } from '../../session/session.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { Form, SelectField, SubmitButton, text, TextField } from '../../ui/forms.js';
import { Page } from '../../ui/layout.js';
import { GrowthTabs, leadName, ScoreBadge, StageDot, TagChip, useCampaignOptions, useLabel, useMoney } from './shared.js';
import { StagesPanel } from './StagesPanel.js';
import type { Board, BoardCard, BoardColumn } from './types.js';

const PER_STAGE = 50;

/** Where a card lands: its column and the cards that will sit just above and below it. */
export interface Placement { stageId: string; prevId: string | null; nextId: string | null }

/**
 * The move request. `after_id` is the card the moved one goes after (the one above it), `before_id`
 * the one it goes before (below it); the server ranks the card between the two.
 */
export const moveBody = (p: Placement) => ({
  stage_id: p.stageId,
  ...(p.prevId ? { after_id: p.prevId } : {}),
  ...(p.nextId ? { before_id: p.nextId } : {}),
});

/** The board with `cardId` taken out of its column and put into `stageId` at `index` (counts and values follow). */
export function moveCard(board: Board, cardId: string, stageId: string, index: number): Board {
  const from = board.stages.find((s) => s.cards.some((c) => c.id === cardId));
  const card = from?.cards.find((c) => c.id === cardId);
  if (!from || !card) return board;
  const value = card.deal_value_minor ?? 0;
  return {
    ...board,
    stages: board.stages.map((s) => {
      let cards = s.cards;
      let count = s.count;
      let dealValue = s.deal_value_minor;
      if (s.id === from.id) { cards = cards.filter((c) => c.id !== cardId); }
      if (s.id === stageId) {
        const rest = cards.filter((c) => c.id !== cardId);
        cards = [...rest.slice(0, index), card, ...rest.slice(index)];
      }
      if (s.id === from.id && s.id !== stageId) { count -= 1; dealValue -= value; }
      if (s.id === stageId && s.id !== from.id) { count += 1; dealValue += value; }
      return { ...s, cards, count, deal_value_minor: dealValue };
    }),
  };
}

/** GET /api/leads/board as sent: stages in order, each with its count, deal value sum and first cards by rank. */
interface BoardResponse {
  per_stage: number;
  stages: (Omit<BoardColumn, 'cards'> & { cards: ApiCard[]; next_cursor: string | null })[];
}
interface ApiCard extends Omit<BoardCard, 'campaign' | 'lead_score'> { campaign_id: string | null; campaign_name: string | null; score: number }

function toBoard(r: BoardResponse, currency: string): Board {
  return {
    currency,
    stages: r.stages.map(({ next_cursor: _more, cards, ...stage }) => ({
      ...stage,
      cards: cards.map(({ campaign_id, campaign_name, score, ...c }) => ({
        ...c, lead_score: score, campaign: campaign_id ? { id: campaign_id, name: campaign_name ?? '' } : null,
      })),
    })),
  };
}

export function PipelinePage() {
  const t = useT();
  const can = useCan();
  const money = useMoney();
  const { params } = useLocation();
  const campaignId = params.get('campaign_id') ?? '';
  const q = params.get('q') ?? '';
  const { campaigns } = useCampaignOptions(can('campaign.read'));
  const [board, setBoard] = useState<Board>();
  const [loadError, setLoadError] = useState<ApiError>();
  const [moveError, setMoveError] = useState<string>();
  const boardRef = useRef<Board>(undefined);
  boardRef.current = board;
  // Bumped when the stages change (settings panel): the board is read again.
  const [version, setVersion] = useState(0);
  const [settings, setSettings] = useState(false);

  useEffect(() => {
    let live = true;
    api<BoardResponse>('GET', `/api/leads/board${query({ campaign_id: campaignId, q, per_stage: PER_STAGE })}`).then(
      (r) => { if (live) { setBoard(toBoard(r, money.currency)); setLoadError(undefined); } },
      (err: unknown) => { if (live) setLoadError(asApiError(err)); },
    );
    return () => { live = false; };
  }, [campaignId, q, money.currency, version]);

  const writable = can('lead.write');

  /** Shows the move at once; the server's refusal puts the board back as it was. */
  const move = useCallback(async (cardId: string, stageId: string, index: number) => {
    const before = boardRef.current;
    if (!before) return;
    const next = moveCard(before, cardId, stageId, index);
    const column = next.stages.find((s) => s.id === stageId)!;
    const at = column.cards.findIndex((c) => c.id === cardId);
    const placement: Placement = { stageId, prevId: column.cards[at - 1]?.id ?? null, nextId: column.cards[at + 1]?.id ?? null };
    const fromStage = before.stages.find((s) => s.cards.some((c) => c.id === cardId));
    const oldIndex = fromStage?.cards.findIndex((c) => c.id === cardId);
    if (fromStage?.id === stageId && oldIndex === at) return; // dropped where it was
    setMoveError(undefined);
    setBoard(next);
    try {
      await api('POST', `/api/leads/${cardId}/move`, moveBody(placement));
    } catch (err) {
      const e = asApiError(err);
      // Undone only if nothing moved since; a later move keeps its own outcome.
      setBoard((current) => (current === next ? before : current));
      setMoveError(t('growth.pipeline.move_failed', { detail: e.status === 0 ? t('error.network') : e.detail || t('error.generic') }));
    }
  }, [t]);

  const applyFilters = async (data: FormData) => {
    navigate(`/growth/pipeline${query({ campaign_id: text(data, 'campaign_id'), q: text(data, 'q') })}`);
  };

  return (
    <Page title={t('growth.pipeline.title')} testId="pipeline-page"
      actions={writable ? (
        <>
          <button type="button" className="btn secondary" aria-expanded={settings} onClick={() => setSettings(!settings)} data-testid="stages-toggle">
            {t('growth.stages.edit')}
          </button>
          <Link className="btn primary" to="/growth/leads?new=1" data-testid="pipeline-new-lead">{t('growth.leads.new')}</Link>
        </>
      ) : undefined}>
      <GrowthTabs />
      {writable && settings && <StagesPanel onChanged={() => setVersion((v) => v + 1)} onClose={() => setSettings(false)} />}
      <Form action={applyFilters} className="filters" testId="pipeline-filters" key={`${campaignId}|${q}|${campaigns.length}`}>
        <SelectField label={t('growth.campaign')} name="campaign_id" defaultValue={campaignId} testId="pipeline-campaign">
          <option value="">{t('growth.all_campaigns')}</option>
          {campaigns.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </SelectField>
        <TextField label={t('growth.pipeline.search')} name="q" type="search" defaultValue={q} testId="pipeline-q" />
        <SubmitButton variant="secondary" testId="pipeline-apply">{t('common.apply')}</SubmitButton>
      </Form>
      {writable && <p className="hint">{t('growth.pipeline.hint')}</p>}
      {moveError && <div className="notice error" role="alert" data-testid="move-error">{moveError}</div>}
      {loadError && <ErrorAlert error={loadError} />}
      {!board ? (!loadError && <Loading />) : (
        <KanbanBoard board={board} writable={writable} onMove={move} />
      )}
    </Page>
  );
}

function KanbanBoard({ board, writable, onMove }: {
  board: Board; writable: boolean; onMove: (cardId: string, stageId: string, index: number) => void;
}) {
  const t = useT();
  const money = useMoney();
  const [dragId, setDragId] = useState<string | null>(null);
  const [target, setTarget] = useState<{ stageId: string; index: number } | null>(null);

  /** How many of the column's cards (the dragged one left out) sit above the pointer. */
  const dropIndex = (list: HTMLElement, clientY: number, draggedId: string | null): number => {
    const cards = [...list.querySelectorAll<HTMLElement>('[data-card-id]')].filter((el) => el.dataset.cardId !== draggedId);
    let index = 0;
    for (const el of cards) {
      const r = el.getBoundingClientRect();
      if (clientY > r.top + r.height / 2) index += 1;
      else break;
    }
    return index;
  };

  const onDragOver = (stageId: string) => (e: DragEvent<HTMLElement>) => {
    if (!dragId) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const list = e.currentTarget.querySelector<HTMLElement>('.kanban-cards');
    const index = list ? dropIndex(list, e.clientY, dragId) : 0;
    if (target?.stageId !== stageId || target.index !== index) setTarget({ stageId, index });
  };

  const onDrop = (stageId: string) => (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    const id = dragId ?? e.dataTransfer.getData('text/plain');
    const list = e.currentTarget.querySelector<HTMLElement>('.kanban-cards');
    const index = list ? dropIndex(list, e.clientY, id) : 0;
    setDragId(null);
    setTarget(null);
    if (id) onMove(id, stageId, index);
  };

  return (
    <div className="kanban" data-testid="kanban" role="list" aria-label={t('growth.pipeline.title')}>
      {board.stages.map((col) => {
        // While dragging, the card stays in place (dimmed) and a slot shows where it would land.
        const others = col.cards.filter((c) => c.id !== dragId);
        const slotAt = target?.stageId === col.id && dragId !== null ? target.index : -1;
        const slotBefore = slotAt >= 0 ? others[slotAt]?.id ?? null : undefined;
        return (
          <section key={col.id} role="listitem" className={`kanban-col${slotAt >= 0 ? ' drop-target' : ''}`}
            style={{ ['--stage' as string]: col.color }} data-testid="kanban-column" data-stage={col.name} data-stage-id={col.id} data-kind={col.kind}
            aria-labelledby={`stage-${col.id}`} onDragOver={writable ? onDragOver(col.id) : undefined} onDrop={writable ? onDrop(col.id) : undefined}>
            <header className="kanban-head">
              <h2 id={`stage-${col.id}`}><StageDot color={col.color} />{col.name}</h2>
              <span className="kanban-count" data-testid="stage-count" title={t('growth.pipeline.count', { count: col.count })}>{col.count}</span>
              <span className="kanban-value" data-testid="stage-value">{money.format(col.deal_value_minor, board.currency)}</span>
            </header>
            <ol className="kanban-cards">
              {col.cards.map((card, i) => (
                <Fragment key={card.id}>
                  {slotBefore === card.id && <li className="drop-slot" aria-hidden="true" />}
                  <KanbanCard card={card} column={col} stages={board.stages} index={i} writable={writable} dragging={dragId === card.id}
                    onDragStart={(e) => {
                      e.dataTransfer.setData('text/plain', card.id);
                      e.dataTransfer.effectAllowed = 'move';
                      setDragId(card.id);
                    }}
                    onDragEnd={() => { setDragId(null); setTarget(null); }}
                    onMove={onMove} />
                </Fragment>
              ))}
              {slotBefore === null && <li className="drop-slot" aria-hidden="true" />}
              {col.cards.length === 0 && slotAt < 0 && <li className="kanban-empty">{t('growth.pipeline.empty_stage')}</li>}
            </ol>
            {col.count > col.cards.length && (
              <Link className="kanban-more" to={`/growth/leads?stage_id=${col.id}`}>{t('growth.pipeline.more', { count: col.count - col.cards.length })}</Link>
            )}
          </section>
        );
      })}
    </div>
  );
}

function KanbanCard({ card, column, stages, index, writable, dragging, onDragStart, onDragEnd, onMove }: {
  card: BoardCard; column: BoardColumn; stages: BoardColumn[]; index: number; writable: boolean; dragging: boolean;
  onDragStart: (e: DragEvent<HTMLElement>) => void; onDragEnd: () => void; onMove: (cardId: string, stageId: string, index: number) => void;
}) {
  const t = useT();
  const money = useMoney();
  const label = useLabel();
  const name = leadName(card, t);
  const open = (e: MouseEvent<HTMLElement>) => {
    if ((e.target as HTMLElement).closest('a, select, button, option, label')) return;
    navigate(`/growth/leads/${card.id}`);
  };
  const onSelect = (value: string) => {
    if (value === 'up') onMove(card.id, column.id, Math.max(0, index - 1));
    else if (value === 'down') onMove(card.id, column.id, index + 1);
    else if (value) onMove(card.id, value, 0);
  };
  return (
    <li className={`kanban-card${dragging ? ' dragging' : ''}`} data-card-id={card.id} data-testid="lead-card" data-lead={card.first_name ?? ''}
      draggable={writable} onDragStart={onDragStart} onDragEnd={onDragEnd} onClick={open}>
      <div className="card-top">
        <Link to={`/growth/leads/${card.id}`} className="card-name">{name}</Link>
        <ScoreBadge score={card.lead_score} />
      </div>
      <div className="card-meta small muted">
        <span>{label('growth.source', card.source)}</span>
        {card.campaign && <span> · {card.campaign.name}</span>}
      </div>
      {card.deal_value_minor !== null && <div className="card-value">{money.format(card.deal_value_minor, card.currency || undefined)}</div>}
      {card.tags.length > 0 && <div className="tag-list">{card.tags.map((tag) => <TagChip key={tag.id} tag={tag} />)}</div>}
      {card.last_interaction_at && <LastTouch at={card.last_interaction_at} />}
      {writable && (
        <label className="card-move">
          <span className="visually-hidden">{t('growth.pipeline.move_label', { name })}</span>
          <select value="" onChange={(e) => onSelect(e.target.value)} data-testid="card-move">
            <option value="">{t('growth.pipeline.move_to')}</option>
            {index > 0 && <option value="up">{t('growth.pipeline.move_up')}</option>}
            {index < column.cards.length - 1 && <option value="down">{t('growth.pipeline.move_down')}</option>}
            {stages.filter((s) => s.id !== column.id).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </label>
      )}
    </li>
  );
}

function LastTouch({ at }: { at: string }) {
  const t = useT();
  const days = Math.floor((Date.now() - Date.parse(at)) / 86_400_000);
  return (
    <div className="small muted card-touch" title={new Date(at).toLocaleString()}>
      {days <= 0 ? t('growth.pipeline.touched_today') : t('growth.pipeline.touched_days', { days })}
    </div>
  );
}
