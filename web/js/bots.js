// Bots page (home): one row per bot with its live activity badge from bot_now.
// Rows are kept in a Map by bot id and updated in place every few seconds, so the
// table never blanks out, scroll stays put and a hovered badge keeps its title.

import { get, post } from './api.js';
import { int, money, num, signClass, time } from './format.js';
import { initHealth } from './health.js';
import {
  backtestHref, botHref, el, emptyState, errorBox, evidencePill, evidenceTitle, link, loading, newPill, renderBadge,
  renderHeader, setContent, stagePill, startBadgeClock, tierPill, sourcePill,
} from './ui.js';

const POLL_MS = 3000;
const HIDE_KEY = 'gauntlet.hideSuperseded';

const root = document.getElementById('bots-root');
const errorSlot = document.getElementById('bots-error');
const rows = new Map(); // bot id → {tr, cells}
let tbody = null;
let lastBots = [];

const COLUMNS = [
  ['name', 'Bot'], ['activity', 'Activity'], ['instrument', 'Instrument'], ['timeframe', 'TF'],
  ['stage', 'Stage'], ['generation', 'Gen'], ['score', 'Score'], ['trades', 'Trades', 'num'],
  ['pnl', 'PnL', 'num'], ['sharpe', 'Sharpe', 'num'], ['maxdd', 'Max DD', 'num'], ['evidence', 'Evidence'],
];

// Active bots first, then candidates awaiting a verdict, then history; then by name,
// so a row only moves when its bot's status changes.
function order(a, b) {
  const rank = (s) => ({ ACTIVE: 0, CANDIDATE: 1, SUPERSEDED: 2, REJECTED: 3 }[s] ?? 4);
  return rank(a.status) - rank(b.status) || a.name.localeCompare(b.name) || a.generation - b.generation;
}

function buildTable() {
  tbody = el('tbody', { id: 'bots-body' });
  const table = el('table', { class: 'bots-table cards', id: 'bots-table' },
    el('thead', {}, el('tr', {}, COLUMNS.map(([, label, cls]) => el('th', { class: cls }, label)))),
    tbody);
  root.replaceChildren(el('div', { class: 'table-wrap data-table' }, table));
}

function createRow(bot) {
  const cells = {};
  const tr = el('tr', { 'data-bot-id': bot.id },
    COLUMNS.map(([key, label, cls]) => (cells[key] = el('td', { class: [`col-${key}`, cls].filter(Boolean).join(' '), 'data-label': label }))));
  cells.badge = el('span');
  cells.activity.append(cells.badge);
  const entry = { tr, cells };
  rows.set(bot.id, entry);
  return entry;
}

function updateRow({ tr, cells }, bot, byId) {
  tr.dataset.status = bot.status;
  tr.dataset.state = bot.now.state;
  tr.classList.toggle('superseded', bot.status !== 'ACTIVE');
  const lb = bot.evidence;
  const parent = bot.parentBotId ? byId.get(bot.parentBotId) : null;

  cell(cells.name, JSON.stringify([bot.name, bot.archetype, bot.status, bot.now.isNew]),
    link(botHref(bot.id), bot.name),
    bot.now.isNew ? newPill() : null,
    el('span', { class: 'sub' }, bot.archetype,
      bot.status !== 'ACTIVE' ? el('span', { class: 'bot-status', 'data-bot-status': bot.status }, bot.status.toLowerCase()) : null));
  // The badge element is reused so a hover tooltip survives the update.
  renderBadge(bot.now, cells.badge);
  cell(cells.instrument, bot.instrument, bot.instrument);
  cell(cells.timeframe, bot.timeframe, bot.timeframe);
  cell(cells.stage, bot.stage, stagePill(bot.stage));
  cell(cells.generation, JSON.stringify([bot.generation, bot.parentBotId, parent && parent.name]),
    `Gen ${bot.generation}`,
    bot.parentBotId ? el('span', { class: 'small' }, ' · ', link(botHref(bot.parentBotId), 'parent', { title: parent ? `parent: ${parent.name}` : 'parent bot', 'data-parent-id': bot.parentBotId })) : null);
  const s = bot.score;
  cell(cells.score, JSON.stringify(s && [s.total, s.tier]),
    s ? [num(s.total, 1), tierPill(s.tier)] : el('span', { class: 'muted' }, 'not scored'));
  cell(cells.trades, JSON.stringify(lb && [lb.id, lb.tradesCount, lb.dataSource]),
    lb ? [link(backtestHref(lb.id), int(lb.tradesCount), { title: `backtest ${lb.id}, completed ${time(lb.completedAt)}`, 'data-backtest-id': lb.id }), sourcePill(lb.dataSource)] : el('span', { class: 'muted' }, 'no backtest'));
  setCell(cells.pnl, lb && lb.realizedPnl, money(lb && lb.realizedPnl));
  setCell(cells.sharpe, lb && lb.sharpe, lb ? num(lb.sharpe, 2) : '—');
  cell(cells.maxdd, JSON.stringify(lb && lb.maxDrawdownUsd), lb ? money(lb.maxDrawdownUsd, { sign: false }) : '—');
  // The judged session's walk-forward label; its hover title says what it rests on.
  cell(cells.evidence, JSON.stringify(lb && [lb.evidence, lb.deflatedSharpe, lb.trials, lb.expectancyCiLow, lb.expectancyCiHigh]),
    lb ? evidencePill(lb.evidence, evidenceTitle(lb)) : el('span', { class: 'muted' }, '—'));
}

// One wrapper per cell: at phone width each cell is "label | value", and the value
// must stay one flex item however many nodes it has.
function cell(td, key, ...children) {
  return setContent(td, key, el('span', { class: 'cell' }, children));
}

function setCell(td, raw, text) {
  if (!cell(td, text, text)) return;
  td.classList.remove('pos', 'neg');
  if (signClass(raw)) td.classList.add(signClass(raw));
}

function render(bots) {
  lastBots = bots;
  const hide = document.getElementById('hide-superseded').checked;
  const byId = new Map(bots.map((b) => [b.id, b]));
  const shown = bots.filter((b) => !hide || b.status === 'ACTIVE').sort(order);

  if (bots.length === 0) {
    rows.clear();
    tbody = null;
    root.replaceChildren(emptyState('No bots yet — seed the starter pack.',
      el('button', { type: 'button', class: 'primary', id: 'seed-button', onclick: seed }, 'Seed the starter pack')));
    summary(bots);
    return;
  }
  if (!tbody) buildTable();

  const keep = new Set(shown.map((b) => b.id));
  for (const [id, entry] of rows) if (!keep.has(id)) { entry.tr.remove(); rows.delete(id); }
  // Walk in display order; move a row only if it is not already in place.
  let cursor = tbody.firstElementChild;
  for (const bot of shown) {
    const entry = rows.get(bot.id) || createRow(bot);
    updateRow(entry, bot, byId);
    if (entry.tr !== cursor) tbody.insertBefore(entry.tr, cursor);
    else cursor = cursor.nextElementSibling;
  }
  summary(bots);
}

const STATE_LABELS = [
  ['BACKTEST_RUNNING', 'backtesting', 'badge-backtesting'], ['BACKTEST_QUEUED', 'queued', 'badge-queued'],
  ['IMPROVING', 'improving', 'badge-improving'], ['EVOLVING', 'evolving', 'badge-evolving'],
  ['RUNNER_RUNNING', 'runner', 'badge-runner'], ['RUNNER_STALE', 'runner stale', 'badge-stale'],
  ['BLOCKED_BY_GATES', 'blocked by gates', 'badge-blocked'], ['IDLE', 'idle', 'badge-idle'],
];

function summary(bots) {
  const counts = {};
  for (const b of bots) counts[b.now.state] = (counts[b.now.state] || 0) + 1;
  const active = bots.filter((b) => b.status === 'ACTIVE').length;
  const count = (status) => bots.filter((b) => b.status === status).length;
  const history = [['CANDIDATE', 'awaiting a verdict'], ['SUPERSEDED', 'superseded'], ['REJECTED', 'rejected'], ['KILLED', 'killed']]
    .map(([status, word]) => [count(status), word]).filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
  const line = [`${bots.length} bots`, `${active} active`, ...history].join(' · ');
  setContent(document.getElementById('fleet-line'), line, line);
  setContent(document.getElementById('state-summary'), JSON.stringify(counts),
    STATE_LABELS.filter(([k]) => counts[k]).map(([k, label, cls]) =>
      el('span', { class: `badge ${cls}`, 'data-summary-state': k, style: 'cursor:default' }, `${counts[k]} ${label}`)));
}

async function seed() {
  const btn = document.getElementById('seed-button');
  btn.disabled = true;
  btn.textContent = 'Seeding…';
  try {
    await post('/api/bots/starter-pack', {});
    await poll();
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err, { title: 'Could not seed the starter pack' }));
    btn.disabled = false;
    btn.textContent = 'Seed the starter pack';
  }
}

let inFlight = false;
async function poll() {
  if (inFlight) return;
  inFlight = true;
  try {
    const doc = await get('/api/bots');
    errorSlot.replaceChildren();
    render(doc.bots || []);
    setContent(document.getElementById('updated-at'), 'ok', 'Updates every 3 s');
  } catch (err) {
    // Keep the last rows on screen and say plainly that this update failed.
    if (tbody || root.querySelector('.empty-state')) {
      errorSlot.replaceChildren(errorBox(err, { title: 'The last update failed; showing the previous rows' }));
    } else {
      root.replaceChildren(errorBox(err, { title: 'Could not load the bots' }));
    }
  } finally {
    inFlight = false;
  }
}

function init() {
  renderHeader('index.html');
  initHealth();
  const hide = document.getElementById('hide-superseded');
  hide.checked = localStorage.getItem(HIDE_KEY) === '1';
  hide.addEventListener('change', () => {
    localStorage.setItem(HIDE_KEY, hide.checked ? '1' : '0');
    render(lastBots);
  });
  root.replaceChildren(loading('Loading bots…'));
  startBadgeClock();
  poll();
  setInterval(() => { if (!document.hidden) poll(); }, POLL_MS);
}

init();
