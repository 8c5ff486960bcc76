// Shared DOM pieces: a tiny element builder, the page header, the activity badge,
// and the error / empty states. Text always goes in through textContent, never
// innerHTML, so bot names and payloads cannot inject markup.

import { serverNow } from './api.js';
import { elapsed, interval, isNum, num, stamp, value, words } from './format.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// An SVG element (el builds HTML elements): attributes set as given, children appended.
// One figure tile of a `.metrics` grid: its label, its value (with an optional class,
// e.g. the sign colour) and `data-metric` for tests.
export function metric(label, val, cls = '', key = null) {
  return el('div', { class: 'metric', 'data-metric': key }, el('span', { class: 'label' }, label),
    el('span', { class: `val ${cls}` }, val));
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v);
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replace a node's children only when the new content differs, so a periodic
// re-render does not reset hover, selection or focus inside unchanged parts.
// Pass a function instead of children when building them would move a live node
// (arguments are evaluated even when nothing changes).
export function setContent(node, key, ...children) {
  if (node.dataset.renderKey === key) return false;
  node.dataset.renderKey = key;
  node.replaceChildren();
  append(node, children.length === 1 && typeof children[0] === 'function' ? [children[0]()] : children);
  return true;
}

export const link = (href, text, attrs = {}) => el('a', { href, ...attrs }, text);
export const botHref = (id) => `bot.html?id=${encodeURIComponent(id)}`;
export const backtestHref = (id) => `backtest.html?id=${encodeURIComponent(id)}`;

export function param(name) { return new URLSearchParams(location.search).get(name); }

// ---------------------------------------------------------------- header

const PAGES = [
  ['index.html', 'Bots'],
  ['feed.html', 'Feed'],
  ['research.html', 'Research'],
  ['paper.html', 'Paper'],
  ['admin.html', 'Admin'],
  ['api.html', 'API'],
];

// The header every page shares; `current` is the page's file name. The health
// button is wired by health.js, which every page imports.
export function renderHeader(current) {
  const header = el('header', { class: 'topbar' },
    el('a', { class: 'brand', href: 'index.html' }, 'Gauntlet'),
    el('nav', { class: 'nav' }, PAGES.map(([href, label]) =>
      el('a', { href, class: href === current ? 'active' : null, 'aria-current': href === current ? 'page' : null }, label))),
    el('button', { id: 'health-button', class: 'health-button', type: 'button', 'aria-controls': 'health-drawer', 'aria-expanded': 'false' },
      el('span', { class: 'dot', id: 'health-dot', 'data-status': 'unknown' }), 'System'));
  document.body.prepend(header);
  return header;
}

// ---------------------------------------------------------------- states

export function errorBox(err, { title = 'Could not load this' } = {}) {
  const box = el('div', { class: 'error-box', role: 'alert', 'data-error-code': err.code || 'ERROR' },
    el('strong', {}, title),
    el('p', { class: 'error-message' }, err.message || String(err)));
  const meta = [];
  if (err.code) meta.push(el('code', {}, err.code));
  if (err.traceId) meta.push(` trace ${err.traceId}`);
  if (meta.length) box.append(el('p', { class: 'muted small' }, meta));
  if (err.suggestedFix) box.append(el('p', { class: 'small' }, 'Suggested fix: ', err.suggestedFix));
  return box;
}

export function emptyState(message, ...actions) {
  return el('div', { class: 'empty-state' }, el('p', {}, message), actions.length ? el('div', { class: 'actions' }, actions) : null);
}

export const loading = (what = 'Loading…') => el('p', { class: 'muted loading' }, what);

// ---------------------------------------------------------------- activity badge

// How each bot_now state looks. The SQL view decides the state and its label;
// the UI only draws it and formats the elapsed time.
const BADGE_CLASS = {
  BACKTEST_RUNNING: 'badge-backtesting', BACKTEST_QUEUED: 'badge-queued', IMPROVING: 'badge-improving',
  EVOLVING: 'badge-evolving', EVOLVED: 'badge-evolving', EVOLUTION_REJECTED: 'badge-rejected',
  RUNNER_RUNNING: 'badge-runner', RUNNER_STALE: 'badge-stale',
  BLOCKED_BY_GATES: 'badge-blocked', IDLE: 'badge-idle',
};

// Whether the badge's elapsed time is still counting: a running job (or one
// waiting in the queue), or an evolution awaiting its verdict, counts up from
// `since`; a finished one shows the run's length, frozen, from `elapsedSeconds`.
const isLive = (now) => (Boolean(now.activeJobId) || now.state === 'EVOLVING') && Boolean(now.since);

// The badge text at this moment: the server's label plus the elapsed time for
// states that have one (elapsedSeconds not null).
export function badgeText(now) {
  const prefix = now.label || (now.state === 'IDLE' ? 'Idle' : words(now.state || 'UNKNOWN'));
  if (now.elapsedSeconds === null || now.elapsedSeconds === undefined) {
    if (now.state === 'BLOCKED_BY_GATES' && Array.isArray(now.gateBlockers) && now.gateBlockers.length)
      return `${prefix} (${now.gateBlockers.length})`;
    return prefix;
  }
  const secs = isLive(now) ? (serverNow() - Date.parse(now.since)) / 1000 : now.elapsedSeconds;
  return `${prefix} • ${elapsed(secs)}`;
}

function blockerText(b) {
  const actual = b.actual === null || b.actual === undefined ? 'no value' : value(b.actual);
  return `${b.metric}: ${actual} (needs ${b.comparator} ${value(b.threshold)})`;
}

export function badgeTitle(now) {
  const lines = [`state: ${now.state}`, `since: ${stamp(now.since)}`];
  if (now.reasonCode) lines.push(`reason: ${now.reasonCode}`);
  if (now.activeJobId) lines.push(`job: ${now.activeJobId}`, `job type: ${now.activeJobType}`, `job status: ${now.activeJobStatus}`);
  else lines.push('job: none active');
  if (now.attempt) lines.push(`attempt: ${now.attempt}`);
  const blockers = Array.isArray(now.gateBlockers) ? now.gateBlockers : [];
  if (blockers.length) lines.push('gate blockers:', ...blockers.map((b) => `  ${blockerText(b)}`));
  return lines.join('\n');
}

// Create or update a badge element in place. `data-ticking` marks badges whose
// elapsed time the page clock advances every second.
export function renderBadge(now, node = el('span')) {
  node.className = `badge ${BADGE_CLASS[now.state] || 'badge-other'}`;
  node.dataset.badgeState = now.state || 'UNKNOWN';
  node.dataset.since = now.since || '';
  node.dataset.activeJobId = now.activeJobId || '';
  node.dataset.now = JSON.stringify(now);
  if (now.elapsedSeconds !== null && now.elapsedSeconds !== undefined && isLive(now)) node.dataset.ticking = '1';
  else delete node.dataset.ticking;
  node.textContent = badgeText(now);
  node.title = badgeTitle(now);
  node.tabIndex = 0; // focusable, so the detail title is reachable from the keyboard too
  return node;
}

// One clock for all badges on a page.
export function startBadgeClock() {
  setInterval(() => {
    for (const node of document.querySelectorAll('.badge[data-ticking]')) {
      node.textContent = badgeText(JSON.parse(node.dataset.now));
    }
  }, 1000);
}

export const newPill = () => el('span', { class: 'pill-new', 'data-new': '1', title: 'created within the last 10 minutes; no backtest yet' }, 'New');

export function tierPill(tier) {
  return tier ? el('span', { class: `tier tier-${String(tier).toLowerCase()}`, 'data-tier': tier }, tier) : null;
}

export function stagePill(stage) {
  return el('span', { class: `stage stage-${String(stage || '').toLowerCase()}`, 'data-stage': stage }, stage || '—');
}

// "synthetic" is never evidence, so it is always labelled as such.
export function sourcePill(source) {
  if (!source) return null;
  return el('span', { class: `source source-${source}`, title: source === 'synthetic' ? 'synthetic bars: not real evidence' : 'bars from ' + source }, source);
}

// ---------------------------------------------------------------- evidence

// The walk-forward evidence label of a session (evidence_label in SQL decides it):
// insufficient, weak, moderate, strong; "—" when there is none (a session still
// running or recorded before labels existed).
export const EVIDENCE_LABELS = ['insufficient', 'weak', 'moderate', 'strong'];

export function evidencePill(label, title) {
  if (!label) return el('span', { class: 'muted', title: title || 'no evidence label' }, '—');
  const known = EVIDENCE_LABELS.includes(label);
  return el('span', { class: `evidence evidence-${known ? label : 'other'}`, 'data-evidence': label, title: title || null }, label);
}

// "DSR 0.93 · 3 trials · expectancy [−4.10, 38.20]": what the label rests on.
export function evidenceTitle({ deflatedSharpe, trials, expectancyCiLow, expectancyCiHigh }) {
  if (!isNum(deflatedSharpe)) return 'no deflated Sharpe: recorded before walk-forward evidence, or not completed';
  return [`DSR ${num(deflatedSharpe, 2)}`,
    isNum(trials) ? `${trials} ${trials === 1 ? 'trial' : 'trials'}` : 'trials —',
    `expectancy ${interval(expectancyCiLow, expectancyCiHigh)}`].join(' · ');
}
