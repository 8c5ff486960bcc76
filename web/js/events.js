// Readable one-line summaries of activity events, shared by the feed and bot pages:
// "MNQ ORB Retest · BACKTEST_COMPLETED · 37 trades · +$412 · Sharpe 1.1".
// Each event type has one payload shape (documented beside its SQL function); a
// type without a describer here falls back to its scalar payload fields.

import { changes, int, money, num, ratioPct, time, stamp, value, words } from './format.js';
import { backtestHref, botHref, el, link } from './ui.js';

export const EVENT_TYPES = [
  'BACKTEST_QUEUED', 'BACKTEST_STARTED', 'BACKTEST_COMPLETED', 'BACKTEST_FAILED',
  'IMPROVE_QUEUED', 'IMPROVE_COMPLETED', 'EVOLVE_QUEUED', 'EVOLVED_GENERATION_CREATED',
  'EVOLUTION_ACCEPTED', 'EVOLUTION_REJECTED',
  'AUTONOMY_SCORE_UPDATED', 'AUTONOMY_TIER_CHANGED', 'AUTONOMY_GATE_BLOCKED',
  'PROMOTED', 'DEMOTED', 'GRADUATED', 'KILL_TRIGGERED',
  'METRICS_RESET', 'STAGES_REVERTED', 'AUTONOMY_LOOP_TOGGLED',
  'CIRCUIT_OPENED', 'CIRCUIT_CLOSED', 'STARTER_PACK_CREATED', 'WORKER_STARTED', 'WORKER_STOPPED',
];

const signedMoney = (v) => el('span', { class: v > 0 ? 'pos' : v < 0 ? 'neg' : '' }, money(v));

// "Gen 4 rejected: DSR 0.41 vs parent 0.63" — the comparison a verdict was made on.
const verdict = (p, word) => `Gen ${p.generation} ${word}: DSR ${num(p.child && p.child.deflated_sharpe, 2)} vs parent ${num(p.parent && p.parent.deflated_sharpe, 2)}`;

function gateFailure(f) {
  const actual = f.actual === null || f.actual === undefined ? 'no value' : value(f.actual);
  return `${f.metric} ${actual} (needs ${f.comparator} ${value(f.threshold)})`;
}

const DESCRIBE = {
  BACKTEST_QUEUED: (p) => [p.job_type, p.reason_code && `reason ${p.reason_code}`, p.attempt ? `retry after attempt ${p.attempt}` : null],
  BACKTEST_STARTED: (p) => [p.job_type, `attempt ${p.attempt}`, p.worker_id && `worker ${p.worker_id}`],
  BACKTEST_COMPLETED: (p) => [
    `${int(p.trades_count)} trades`, signedMoney(p.realized_pnl), `Sharpe ${num(p.sharpe, 1)}`,
    p.max_dd !== undefined ? `max DD ${money(p.max_dd, { sign: false })}` : null,
    p.win_rate !== undefined ? `win ${ratioPct(p.win_rate, 0)}` : null,
    p.data_source && el('span', { class: `source source-${p.data_source}` }, p.data_source),
    p.session_id && link(backtestHref(p.session_id), 'open backtest', { 'data-backtest-id': p.session_id }),
  ],
  BACKTEST_FAILED: (p) => [p.error_code, p.message, p.will_retry === true ? 'will retry' : p.will_retry === false ? 'no retry left' : null,
    p.attempt ? `attempt ${p.attempt}${p.max_attempts ? ` of ${p.max_attempts}` : ''}` : null],
  IMPROVE_QUEUED: (p) => [p.reason_code && `reason ${p.reason_code}`],
  EVOLVE_QUEUED: (p) => [p.reason_code && `reason ${p.reason_code}`],
  IMPROVE_COMPLETED: (p) => {
    const cur = p.in_sample && p.in_sample.current;
    const cand = p.in_sample && p.in_sample.candidate;
    return [`iteration ${p.iteration}`, p.adopted ? el('strong', {}, 'adopted') : 'not adopted', changes(p.mutation),
      cur && cand ? `Sharpe ${num(cur.sharpe, 2)} → ${num(cand.sharpe, 2)}` : null,
      p.session_id && link(backtestHref(p.session_id), 'open backtest')];
  },
  EVOLVED_GENERATION_CREATED: (p) => [`Gen ${p.generation} candidate created`, changes(p.mutation),
    p.new_bot_id && link(botHref(p.new_bot_id), 'open candidate', { 'data-bot-link': p.new_bot_id })],
  EVOLUTION_ACCEPTED: (p) => [verdict(p, 'accepted'),
    p.candidate_bot_id && link(botHref(p.candidate_bot_id), 'open child', { 'data-bot-link': p.candidate_bot_id })],
  EVOLUTION_REJECTED: (p) => [verdict(p, 'rejected'), p.reason_code && words(p.reason_code).toLowerCase(),
    p.candidate_bot_id && link(botHref(p.candidate_bot_id), 'open child', { 'data-bot-link': p.candidate_bot_id })],
  AUTONOMY_SCORE_UPDATED: (p) => [`score ${p.previous_total !== undefined && p.previous_total !== null ? `${num(p.previous_total, 1)} → ` : ''}${num(p.total, 1)}`, p.tier && `tier ${p.tier}`],
  AUTONOMY_TIER_CHANGED: (p) => [`tier ${p.from_tier ?? '—'} → ${p.to_tier}`, p.total !== undefined && `score ${num(p.total, 1)}`],
  AUTONOMY_GATE_BLOCKED: (p) => [`${p.from_stage} → ${p.to_stage} blocked`, ...(p.failures || []).map(gateFailure),
    p.failed_cycles ? `${p.failed_cycles} failed cycle${p.failed_cycles === 1 ? '' : 's'}` : null],
  PROMOTED: (p) => [`${p.from_stage} → ${p.to_stage}`, p.reason_code, p.actor && `by ${p.actor}`],
  DEMOTED: (p) => [`${p.from_stage} → ${p.to_stage}`, p.reason_code, p.actor && `by ${p.actor}`],
  GRADUATED: (p) => [`${p.from_stage} → ${p.to_stage}`, p.reason_code, p.actor && `by ${p.actor}`],
  KILL_TRIGGERED: (p) => [p.reason_code, p.details && typeof p.details === 'object' ? JSON.stringify(p.details) : p.details],
  METRICS_RESET: (p) => [`scope ${p.scope}`, p.bots !== undefined && `${p.bots} bots`,
    p.sessions_excluded !== undefined && `${p.sessions_excluded} sessions excluded`, p.reason_code, p.actor && `by ${p.actor}`],
  STAGES_REVERTED: (p) => [p.reverted !== undefined && `${p.reverted} bots back to LAB`, p.reason_code, p.actor && `by ${p.actor}`],
  AUTONOMY_LOOP_TOGGLED: (p) => [p.loop_enabled ? 'loop switched on' : 'loop switched off', p.actor && `by ${p.actor}`],
  WORKER_STARTED: (p) => [p.worker_id, `${p.slots} slots`],
  WORKER_STOPPED: (p) => [p.worker_id],
};

function fallback(p) {
  return Object.entries(p || {})
    .filter(([, v]) => v === null || typeof v !== 'object')
    .slice(0, 5)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${value(v)}`);
}

// CSS family for the event-type tag colour.
export function typeFamily(type) {
  if (type.startsWith('BACKTEST_FAILED') || type === 'KILL_TRIGGERED' || type === 'CIRCUIT_OPENED') return 't-fail';
  if (type.startsWith('BACKTEST')) return 't-backtest';
  if (type.startsWith('IMPROVE')) return 't-improve';
  if (type.startsWith('EVOLVE')) return 't-evolve';
  if (type === 'AUTONOMY_GATE_BLOCKED' || type === 'DEMOTED') return 't-gate';
  if (type === 'PROMOTED' || type === 'GRADUATED') return 't-stage';
  return '';
}

// The summary line's parts, joined with " · ".
export function summaryLine(e, { withBot = true } = {}) {
  const describe = DESCRIBE[e.type] || fallback;
  const parts = [
    withBot && e.botId ? link(botHref(e.botId), e.botName || 'bot', { 'data-bot-link': e.botId }) : null,
    withBot && !e.botId ? el('span', { class: 'muted' }, 'system') : null,
    el('span', { class: `feed-type ${typeFamily(e.type)}` }, e.type),
    ...describe(e.payload || {}),
  ].filter((x) => x !== null && x !== undefined && x !== false && x !== '');
  const out = [];
  parts.forEach((p, i) => { if (i) out.push(el('span', { class: 'sep' }, '·')); out.push(p); });
  return out;
}

export function eventItem(e, opts = {}) {
  return el('li', { class: 'feed-item', 'data-event-id': e.id, 'data-event-type': e.type },
    el('span', { class: 'feed-time', title: stamp(e.createdAt) }, time(e.createdAt)),
    el('div', {},
      el('div', { class: 'feed-summary' }, summaryLine(e, opts)),
      el('details', {},
        el('summary', {}, 'details'),
        el('pre', {}, JSON.stringify({ id: e.id, jobId: e.jobId, traceId: e.traceId, payload: e.payload }, null, 2)))));
}
