// Backtest detail: provenance (where the bars came from and what exactly ran),
// metrics, the equity curve drawn with Debian's Chart.js, and every trade.
// A session still queued or running is re-read until it finishes.

import { get, post } from './api.js';
import { date, int, money, num, pct, ratioPct, signClass, stamp, time, value, words } from './format.js';
import { initHealth } from './health.js';
import {
  botHref, el, emptyState, errorBox, link, param, renderHeader, sourcePill,
} from './ui.js';

const root = document.getElementById('backtest-root');
const id = param('id');
let chart = null;

const kv = (label, ...v) => el('div', { class: 'kv-row' }, el('dt', {}, label), el('dd', {}, v));
const card = (cardId, title, ...children) => el('section', { class: 'card', id: cardId }, el('h2', {}, title), children);

function provenance(bt) {
  return card('provenance', 'Provenance', el('dl', { class: 'kv' },
    kv('Instrument', el('strong', {}, bt.instrument), ` · ${bt.timeframe} bars`),
    kv('Tick size', value(bt.tickSize)),
    kv('Contract multiplier', value(bt.contractMultiplier), ' $ per point'),
    kv('Bars tested', el('span', { id: 'bars-tested' }, int(bt.barsTested))),
    kv('Window', `${stamp(bt.windowFrom)} → ${stamp(bt.windowTo)}`),
    kv('Data source', el('strong', { id: 'data-source', 'data-source': bt.dataSource }, bt.dataSource || '—'),
      bt.dataSource === 'synthetic' ? el('span', { class: 'muted small' }, ' — generated bars, not real evidence') : ''),
    kv('Data fingerprint', el('span', { class: 'hash' }, bt.dataFingerprint || '—')),
    kv('Params hash', el('span', { class: 'hash', id: 'params-hash' }, bt.paramsHash || '—')),
    kv('Engine', bt.engineVersion || '—'),
    kv('Iteration', value(bt.iteration)),
    kv('Job', el('span', { class: 'mono' }, bt.jobId || '—')),
    kv('Trace id', el('span', { class: 'mono' }, bt.traceId || '—')),
    kv('Ran', `${stamp(bt.startedAt)} → ${stamp(bt.completedAt)}`,
      bt.durationMs !== null && bt.durationMs !== undefined ? ` (${int(bt.durationMs)} ms)` : '')));
}

// The metrics worth reading first, then everything else the engine reported.
const METRICS = [
  ['net_profit', 'Net profit', (v) => money(v, { cents: true }), true],
  ['total_trades', 'Trades', int],
  ['winning_trades', 'Winning trades', int],
  ['losing_trades', 'Losing trades', int],
  ['gross_profit', 'Gross profit', (v) => money(v, { cents: true, sign: false })],
  ['gross_loss', 'Gross loss', (v) => money(v, { cents: true, sign: false })],
  ['win_rate', 'Win rate', (v) => ratioPct(v)],
  ['profit_factor', 'Profit factor', (v) => num(v, 2)],
  ['sharpe', 'Sharpe', (v) => num(v, 2), true],
  ['sortino', 'Sortino', (v) => num(v, 2), true],
  ['max_drawdown', 'Max drawdown', (v) => money(v, { cents: true, sign: false })],
  ['max_drawdown_pct', 'Max drawdown %', (v) => pct(v, 2)],
  ['return_pct', 'Return', (v) => pct(v, 2), true],
  ['expectancy', 'Expectancy / trade', (v) => money(v, { cents: true }), true],
  ['avg_win', 'Average win', (v) => money(v, { cents: true }), true],
  ['avg_loss', 'Average loss', (v) => money(v, { cents: true }), true],
  ['largest_win', 'Largest win', (v) => money(v, { cents: true }), true],
  ['largest_loss', 'Largest loss', (v) => money(v, { cents: true }), true],
  ['median_trade', 'Median trade', (v) => money(v, { cents: true }), true],
  ['win_loss_ratio', 'Win / loss ratio', (v) => num(v, 2)],
  ['pnl_to_drawdown', 'PnL / drawdown', (v) => num(v, 2), true],
  ['sqn', 'SQN', (v) => num(v, 2), true],
  ['exposure', 'Exposure', (v) => ratioPct(v)],
  ['avg_hold_minutes', 'Average hold', (v) => `${num(v, 0)} min`],
  ['total_commission', 'Commission', (v) => money(v, { cents: true, sign: false })],
  ['total_slippage', 'Slippage', (v) => money(v, { cents: true, sign: false })],
];

function metrics(bt) {
  const m = bt.metrics || {};
  const known = new Set(METRICS.map(([k]) => k));
  const tiles = METRICS.filter(([k]) => k in m).map(([k, label, fmt, signed]) =>
    el('div', { class: 'metric', 'data-metric': k },
      el('span', { class: 'label' }, label),
      el('span', { class: `val ${signed ? signClass(m[k]) : ''}` }, fmt(m[k]))));
  const rest = Object.entries(m).filter(([k]) => !known.has(k) && k !== 'avg_hold_bars');
  for (const [k, v] of rest) tiles.push(el('div', { class: 'metric', 'data-metric': k }, el('span', { class: 'label' }, words(k)), el('span', { class: 'val' }, value(v))));
  return card('metrics-card', 'Metrics', tiles.length ? el('div', { class: 'metrics', id: 'metrics' }, tiles)
    : el('p', { class: 'muted' }, 'No metrics: the session has not completed.'));
}

function equity(bt) {
  const points = bt.equityCurve || [];
  const section = card('equity-card', 'Equity curve');
  if (points.length < 2) {
    section.append(el('p', { class: 'muted', id: 'equity-empty' }, points.length
      ? 'Only the starting balance: the strategy took no trades in this window.'
      : 'No equity curve: the session has not completed.'));
    return section;
  }
  const canvas = el('canvas', { id: 'equity-chart', role: 'img', 'aria-label': `Equity curve, ${points.length} points` });
  section.append(el('div', { class: 'chart-box' }, canvas),
    el('p', { class: 'small muted' }, `Account equity after each closed trade, from ${money(points[0].equity, { sign: false })} `,
      `to ${money(points[points.length - 1].equity, { sign: false })}.`));
  // Drawn after the canvas is in the document, so Chart.js can measure it.
  queueMicrotask(() => drawChart(canvas, points));
  return section;
}

function drawChart(canvas, points) {
  if (typeof window.Chart !== 'function') {
    canvas.replaceWith(errorBox({ code: 'CHART_JS_MISSING', message: 'Chart.js did not load from /vendor/chart.js/chart.min.js.',
      suggestedFix: 'install libjs-chart.js (scripts/up does) and check the nginx /vendor/chart.js/ alias' }, { title: 'Cannot draw the chart' }));
    return;
  }
  if (chart) chart.destroy();
  const data = points.map((p) => ({ x: Date.parse(p.time), y: p.equity }));
  const start = data[0].y;
  const end = data[data.length - 1].y;
  const colour = end >= start ? '#137333' : '#b3261e';
  chart = new window.Chart(canvas.getContext('2d'), {
    type: 'line',
    data: {
      datasets: [{
        label: 'Equity', data, borderColor: colour, backgroundColor: end >= start ? 'rgba(19,115,51,.08)' : 'rgba(179,38,30,.08)',
        fill: 'origin', borderWidth: 2, pointRadius: data.length > 60 ? 0 : 2, stepped: true, tension: 0,
      }],
    },
    options: {
      // No animation: the chart is complete the moment it appears (and for screenshots).
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => stamp(new Date(items[0].parsed.x).toISOString()), label: (item) => `Equity ${money(item.parsed.y, { cents: true, sign: false })}` } },
      },
      scales: {
        x: { type: 'linear', min: data[0].x, max: data[data.length - 1].x, ticks: { maxTicksLimit: 8, callback: (v) => date(new Date(v).toISOString()).slice(5) } },
        y: { beginAtZero: false, ticks: { callback: (v) => money(v, { sign: false }) } },
      },
    },
  });
  canvas.dataset.drawn = String(data.length);
}

// Prices at the instrument's tick precision (0.25 → 2 decimals, 0.1 → 1).
function priceFormatter(tickSize) {
  const digits = tickSize ? (String(tickSize).split('.')[1] || '').length : 2;
  return (v) => num(v, digits);
}

function trades(bt) {
  const list = bt.trades || [];
  const price = priceFormatter(bt.tickSize);
  const section = card('trades-card', `Trades (${list.length})`);
  if (!list.length) {
    section.append(el('p', { class: 'muted', id: 'trades-empty' }, bt.status === 'COMPLETED' ? 'No trades in this window.' : 'No trades yet.'));
    return section;
  }
  section.append(el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id: 'trades-table', 'data-rows': list.length },
    el('thead', {}, el('tr', {}, ['#', 'Side', 'Entry', 'Entry price', 'Exit', 'Exit price', 'Qty', 'Exit reason', 'Costs', 'PnL']
      .map((h, i) => el('th', { class: [3, 5, 6, 8, 9].includes(i) ? 'num' : null }, h)))),
    el('tbody', {}, list.map((t) => el('tr', { 'data-trade-seq': t.seq },
      el('td', {}, t.seq),
      el('td', { class: t.side === 'LONG' ? 'pos' : 'neg' }, t.side),
      el('td', { title: stamp(t.entryTime) }, `${date(t.entryTime).slice(5)} ${time(t.entryTime, { seconds: false }).slice(-5)}`),
      el('td', { class: 'num' }, price(t.entryPrice)),
      el('td', { title: stamp(t.exitTime) }, `${date(t.exitTime).slice(5)} ${time(t.exitTime, { seconds: false }).slice(-5)}`),
      el('td', { class: 'num' }, price(t.exitPrice)),
      el('td', { class: 'num' }, t.contracts),
      el('td', { class: 'mono' }, t.exitReason),
      el('td', { class: 'num' }, money(t.costs, { cents: true, sign: false })),
      el('td', { class: `num ${signClass(t.pnl)}` }, money(t.pnl, { cents: true }))))))));
  return section;
}

function params(bt) {
  return card('params-card', 'Parameters',
    el('div', { class: 'params' }, Object.entries(bt.params || {}).map(([k, v]) =>
      el('div', {}, el('span', {}, `${words(k)} `), el('strong', { class: 'mono' }, value(v))))));
}

async function rerun(bt, button, slot) {
  button.disabled = true;
  try {
    const res = await post(`/api/backtests/${encodeURIComponent(bt.id)}/run`, {});
    const jobId = res && (res.jobId || (res.job && res.job.id));
    slot.replaceChildren(el('div', { class: 'notice ok' }, 'Queued a new backtest for this bot',
      jobId ? ` (job ${String(jobId).slice(0, 8)})` : '', '. Its badge on the ', link(botHref(bt.botId), 'bot page'), ' shows it running.'));
  } catch (err) {
    slot.replaceChildren(errorBox(err, { title: 'Could not queue a re-run' }));
    button.disabled = false;
  }
}

function render(bt) {
  document.title = `Backtest · ${bt.botName || ''} · Gauntlet`;
  const slot = el('div', { id: 'rerun-result' });
  const button = el('button', { type: 'button', id: 'rerun-button' }, 'Run again');
  button.addEventListener('click', () => rerun(bt, button, slot));
  const pnl = bt.realizedPnl;
  root.replaceChildren(...[
    el('div', { class: 'page-head' },
      el('div', {},
        el('h1', { 'data-backtest-id': bt.id }, 'Backtest of ', link(botHref(bt.botId), bt.botName || 'bot')),
        el('p', {},
          el('span', { class: `status status-${String(bt.status).toLowerCase()}`, id: 'backtest-status' }, bt.status),
          ' ', sourcePill(bt.dataSource),
          ` ${bt.instrument} ${bt.timeframe} · ${date(bt.windowFrom)} → ${date(bt.windowTo)} · `,
          el('strong', { class: signClass(pnl) }, money(pnl)), ` · ${int(bt.tradesCount)} trades · Sharpe ${num(bt.sharpe, 2)}`),
        el('p', { class: 'muted small mono' }, bt.id)),
      el('div', { class: 'toolbar' }, button)),
    slot,
    bt.errorCode || bt.errorMessage ? errorBox({ code: bt.errorCode, message: bt.errorMessage || bt.errorCode }, { title: 'This backtest failed' }) : null,
    equity(bt),
    el('div', { class: 'grid-2' }, provenance(bt), el('div', { class: 'stack' }, metrics(bt), params(bt))),
    el('div', { style: 'margin-top:16px' }, trades(bt)),
  ].filter(Boolean));
}

async function load() {
  try {
    const bt = await get(`/api/backtests/${encodeURIComponent(id)}`);
    render(bt);
    if (bt.status === 'QUEUED' || bt.status === 'RUNNING') setTimeout(load, 2000);
  } catch (err) {
    root.replaceChildren(errorBox(err, { title: 'Could not load this backtest' }), el('p', {}, link('index.html', '← All bots')));
  }
}

function init() {
  renderHeader('backtest.html');
  initHealth();
  if (!id) {
    root.replaceChildren(emptyState('No backtest chosen — open one from a bot page or the feed.', link('index.html', 'All bots')));
    return;
  }
  load();
}

init();

