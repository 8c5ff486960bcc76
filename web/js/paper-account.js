// The selected paper run's account, drawn from GET /api/paper/accounts/:id and
// GET /api/orders?accountId=: the equity curve (inline SVG), figures, risk limits
// with their `use` strings (the server words them), positions, working orders,
// recent fills and recent orders. Pure drawing: paper.js decides what to load.

import { int, isNum, money, num, signClass, stamp, time, words } from './format.js';
import { el, metric, svg } from './ui.js';

const W = 720;
const H = 220;
const PAD = { left: 70, right: 12, top: 12, bottom: 26 };

// Equity samples as a polyline over sample order (samples are taken once per bar, so
// the x axis reads as bars; the first and last sample times label its ends). The
// dashed line is the account's starting cash.
export function equityChart(samples, startingCash) {
  const points = (samples || []).filter((s) => isNum(s.equity)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (points.length < 2) {
    return el('p', { class: 'muted small', id: 'paper-equity-empty' }, points.length ? 'One equity sample so far.' : 'No equity samples yet.');
  }
  const values = points.map((p) => p.equity).concat(isNum(startingCash) ? [startingCash] : []);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1) { lo -= 1; hi += 1; }
  const x = (i) => PAD.left + (i / (points.length - 1)) * (W - PAD.left - PAD.right);
  const y = (v) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const last = points[points.length - 1].equity;
  const up = !isNum(startingCash) || last >= startingCash;
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-points': points.length,
    'aria-label': `equity from ${money(points[0].equity, { sign: false })} to ${money(last, { sign: false })} over ${points.length} samples` },
  svg('title', {}, `${points.length} equity samples, ${stamp(points[0].at)} → ${stamp(points[points.length - 1].at)}`),
  svg('line', { class: 'eq-axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom }),
  svg('line', { class: 'eq-axis', x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }),
  isNum(startingCash) ? svg('line', { class: 'eq-start', x1: PAD.left, x2: W - PAD.right, y1: y(startingCash), y2: y(startingCash) }) : null,
  svg('text', { class: 'eq-tick', x: PAD.left - 6, y: y(hi) + 4, 'text-anchor': 'end' }, money(hi, { sign: false })),
  svg('text', { class: 'eq-tick', x: PAD.left - 6, y: y(lo) + 4, 'text-anchor': 'end' }, money(lo, { sign: false })),
  svg('text', { class: 'eq-tick', x: PAD.left, y: H - 8 }, time(points[0].at)),
  svg('text', { class: 'eq-tick', x: W - PAD.right, y: H - 8, 'text-anchor': 'end' }, time(points[points.length - 1].at)),
  svg('polyline', { class: `eq-line ${up ? 'eq-up' : 'eq-down'}`, points: points.map((p, i) => `${x(i).toFixed(1)},${y(p.equity).toFixed(1)}`).join(' ') }));
}


export function figuresGrid(account) {
  const f = account.figures || {};
  return el('div', { class: 'metrics', id: 'paper-figures' },
    metric('Equity', money(f.equity, { sign: false }), '', 'equity'),
    metric('Cash', money(f.cash, { sign: false }), '', 'cash'),
    metric('Unrealised', money(f.unrealized), signClass(f.unrealized), 'unrealized'),
    metric('Day loss', money(f.dayLoss, { sign: false }), f.dayLoss > 0 ? 'neg' : '', 'dayLoss'),
    metric('Margin used', money(f.marginUsed, { sign: false }), '', 'marginUsed'),
    metric('Gross notional', money(f.grossNotional, { sign: false }), '', 'grossNotional'),
    metric('Starting cash', money(account.startingCash, { sign: false }), '', 'startingCash'),
    metric('Trading day', account.tradingDay || '—', '', 'tradingDay'));
}

// The limits as the server words their use ("daily loss $120 of $1500"), then the
// configured values. A halted account says why first.
const USE_ORDER = ['dailyLoss', 'notional', 'margin', 'losingStreak'];
export function limitsList(account) {
  const limits = account.limits || {};
  const use = limits.use || {};
  const keys = [...USE_ORDER.filter((k) => k in use), ...Object.keys(use).filter((k) => !USE_ORDER.includes(k))];
  const configured = Object.entries(limits).filter(([k]) => k !== 'use');
  return [
    account.halted ? el('div', { class: 'error-box', 'data-error-code': 'ACCOUNT_HALTED' },
      el('strong', {}, 'Account halted'), el('p', {}, account.haltReason || 'no reason recorded')) : null,
    el('ul', { class: 'limit-use' }, keys.map((k) => el('li', { 'data-limit': k }, use[k]))),
    configured.length ? el('p', { class: 'small muted' },
      configured.map(([k, v]) => `${words(k.replace(/([A-Z])/g, ' $1').toLowerCase())} ${typeof v === 'number' ? v : String(v)}`).join(' · ')) : null,
  ];
}

const table = (id, heads, rows, empty) => (rows.length
  ? el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id },
    el('thead', {}, el('tr', {}, heads.map(([h, cls]) => el('th', { class: cls || null }, h)))),
    el('tbody', {}, rows)))
  : el('p', { class: 'muted small', id }, empty));

const price = (v) => (isNum(v) ? num(v, 2) : '—');

export function positionsTable(positions) {
  return table('paper-positions-table', [['Instrument'], ['Quantity', 'num'], ['Average price', 'num'], ['Mark', 'num'], ['Unrealised', 'num']],
    (positions || []).map((p) => el('tr', { 'data-instrument': p.instrument },
      el('td', {}, p.instrument),
      el('td', { class: 'num' }, int(p.quantity ?? p.netQuantity)),
      el('td', { class: 'num' }, price(p.averagePrice ?? p.avgPrice)),
      el('td', { class: 'num' }, price(p.markPrice ?? p.mark)),
      el('td', { class: `num ${signClass(p.unrealizedPnl ?? p.unrealized)}` }, money(p.unrealizedPnl ?? p.unrealized, { cents: true })))),
    'Flat: no open position.');
}

const statusPill = (s) => el('span', { class: `status status-${String(s || '').toLowerCase()}`, 'data-status': s }, s || '—');

// An order's reason: the entry's own words, or the refusal's code and message.
function orderReason(o) {
  return [
    o.entryReason ? el('div', { class: 'small' }, o.entryReason) : null,
    o.rejectCode || o.rejectMessage ? el('div', { class: 'small order-reject' }, el('code', {}, o.rejectCode || 'REJECTED'),
      o.rejectMessage ? ` ${o.rejectMessage}` : '') : null,
  ];
}

function orderRow(o) {
  return el('tr', { 'data-order-id': o.id, 'data-status': o.status, title: o.clientOrderId || null },
    el('td', { title: stamp(o.createdAt) }, time(o.createdAt)),
    el('td', {}, o.instrument),
    el('td', {}, `${o.side || ''} ${words(o.intent || '').toLowerCase()}`),
    el('td', { class: 'num' }, o.filledQuantity ? `${int(o.filledQuantity)}/${int(o.quantity)}` : int(o.quantity)),
    el('td', { class: 'num' }, price(o.referencePrice)),
    el('td', { class: 'num' }, price(o.stopPrice)),
    el('td', { class: 'num' }, price(o.targetPrice)),
    el('td', { class: 'num' }, price(o.averageFillPrice)),
    el('td', {}, statusPill(o.status)),
    el('td', {}, orderReason(o)));
}

const ORDER_HEADS = [['Created'], ['Instrument'], ['Side'], ['Qty', 'num'], ['Reference', 'num'], ['Stop', 'num'], ['Target', 'num'],
  ['Fill price', 'num'], ['Status'], ['Reason']];

export function ordersTable(id, orders, empty) {
  return table(id, ORDER_HEADS, (orders || []).map(orderRow), empty);
}

export function fillsTable(fills) {
  return table('paper-fills-table', [['Bar'], ['Instrument'], ['Side'], ['Qty', 'num'], ['Price', 'num'], ['Fee', 'num'], ['Realised PnL', 'num']],
    (fills || []).map((f) => el('tr', { 'data-fill-id': f.id, 'data-order-id': f.orderId },
      el('td', { title: stamp(f.barTime) }, stamp(f.barTime)),
      el('td', {}, f.instrument),
      el('td', {}, f.side),
      el('td', { class: 'num' }, int(f.quantity)),
      el('td', { class: 'num' }, price(f.price)),
      el('td', { class: 'num' }, money(f.fee, { cents: true, sign: false })),
      el('td', { class: `num ${signClass(f.realizedPnl)}` }, isNum(f.realizedPnl) ? money(f.realizedPnl, { cents: true }) : '—'))),
    'No fills yet.');
}
