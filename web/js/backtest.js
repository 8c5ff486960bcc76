// Backtest detail: provenance (where the bars came from and what exactly ran),
// the walk-forward evidence (folds, intervals, deflated Sharpe), metrics, the
// equity curve drawn with Debian's Chart.js, and every trade.
// A session still queued or running is re-read until it finishes.

import { get, post } from './api.js';
import {
  date, int, interval, isNum, money, num, pct, ratioPct, signClass, signedNum, stamp, time, tradeDate, value, words,
} from './format.js';
import { initHealth } from './health.js';
import {
  botHref, el, emptyState, errorBox, evidencePill, evidenceTitle, link, metric, param, renderHeader, sourcePill,
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
    metric(label, fmt(m[k]), signed ? signClass(m[k]) : '', k));
  const rest = Object.entries(m).filter(([k]) => !known.has(k) && k !== 'avg_hold_bars');
  for (const [k, v] of rest) tiles.push(metric(words(k), value(v), '', k));
  return card('metrics-card', bt.oosFrom ? 'Metrics (out-of-sample aggregate)' : 'Metrics', tiles.length ? el('div', { class: 'metrics', id: 'metrics' }, tiles)
    : el('p', { class: 'muted' }, 'No metrics: the session has not completed.'));
}

// ---------------------------------------------------------------- walk-forward evidence

// A baseline covers its sessions cut into folds + 1 blocks; fold i tests block i and
// reports its in-sample span beside it (nothing is fitted). The headline metrics are
// the out-of-sample aggregate of the test blocks; the bootstrap intervals and the
// deflated Sharpe say how far to trust them. Sessions recorded before walk-forward
// research have none of this: every field shows "—".
const INTERVALS = [
  ['sharpe', 'sharpe', 'Sharpe', 'sharpe', (v) => num(v, 2), (lo, hi) => interval(lo, hi)],
  ['expectancy', 'expectancy', 'Expectancy / trade', 'expectancy', (v) => money(v, { cents: true }),
    (lo, hi) => (isNum(lo) && isNum(hi) ? `[${money(lo, { cents: true })}, ${money(hi, { cents: true })}]` : '—')],
  ['profit_factor', 'profitFactor', 'Profit factor', 'profitFactor', (v) => num(v, 2), (lo, hi) => interval(lo, hi)],
];

const span = (slice) => (slice ? `${tradeDate(slice.from)} → ${tradeDate(slice.to)}` : '—');
const sum = (list, pick) => list.reduce((acc, x) => (isNum(pick(x)) ? acc + pick(x) : acc), 0);

function intervalsTable(bt, wf) {
  const fromEngine = (wf && wf.intervals) || {};
  const fromRow = bt.intervals || {};
  const rows = INTERVALS.map(([engineKey, rowKey, label, estimateKey, fmt, range]) => {
    const e = fromEngine[engineKey] || {};
    const r = fromRow[rowKey] || {};
    const estimate = isNum(e.estimate) ? e.estimate : bt[estimateKey];
    const lo = isNum(e.ci_low) ? e.ci_low : r.ciLow;
    const hi = isNum(e.ci_high) ? e.ci_high : r.ciHigh;
    return el('tr', { 'data-interval': engineKey },
      el('td', {}, label),
      el('td', { class: `num ${signClass(estimate)}` }, fmt(estimate)),
      el('td', { class: 'num', title: isNum(lo) && lo <= 0 && isNum(hi) && hi > 0 ? 'the interval crosses zero' : null }, range(lo, hi)));
  });
  const confidence = isNum(fromEngine.confidence) ? Math.round(fromEngine.confidence * 100) : 95;
  return [
    el('div', { class: 'table-wrap' }, el('table', { class: 'compact fit', id: 'intervals-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Out-of-sample'), el('th', { class: 'num' }, 'Estimate'),
        el('th', { class: 'num' }, `${confidence} % interval`))),
      el('tbody', {}, rows))),
    el('p', { class: 'small muted' }, `Block bootstrap of the out-of-sample daily PnL`,
      isNum(fromEngine.resamples) ? `: ${int(fromEngine.resamples)} resamples` : '',
      isNum(fromEngine.block_length) ? `, blocks of ${fromEngine.block_length} sessions` : '', '.'),
  ];
}

function deflatedSharpe(bt, wf) {
  const d = (wf && wf.deflated_sharpe) || {};
  const value = isNum(d.value) ? d.value : bt.deflatedSharpe;
  const trials = isNum(d.trials) ? d.trials : bt.trials;
  const inputs = [
    ['T', int(d.observations), 'daily returns (sessions tested out-of-sample)'],
    ['SR/day', signedNum(d.sharpe_per_period, 3), 'Sharpe ratio per session, not annualised'],
    ['skew', signedNum(d.skewness, 2), 'skewness of the daily returns'],
    ['kurtosis', num(d.kurtosis, 2), 'non-excess kurtosis (3 for normal returns)'],
    ['SR₀', signedNum(d.expected_max_sharpe, 3), 'best Sharpe per session expected from this many unskilled trials'],
  ];
  return [
    el('p', { id: 'deflated-sharpe' }, 'Deflated Sharpe ',
      el('strong', { 'data-metric': 'deflated_sharpe' }, num(value, 2)),
      isNum(trials) ? ` · ${trials} ${trials === 1 ? 'trial' : 'trials'} in the lineage` : ' · trials —'),
    el('p', { class: 'small muted' },
      'The probability that the true Sharpe is above the best one expected by chance from that many tries ',
      '(Bailey & López de Prado). Inputs: ',
      inputs.flatMap(([k, v, title], i) => [i ? ' · ' : '', el('span', { title }, `${k} ${v}`)]), '.'),
  ];
}

function foldsTable(folds) {
  const side = (slice, first) => {
    const m = (slice && slice.metrics) || {};
    return [
      el('td', { class: `small${first ? '' : ' split'}` }, span(slice)),
      el('td', { class: 'num' }, int(slice && slice.sessions)),
      el('td', { class: 'num' }, int(m.total_trades)),
      el('td', { class: `num ${signClass(m.net_profit)}` }, money(m.net_profit)),
      el('td', { class: 'num' }, num(m.sharpe, 2)),
    ];
  };
  const sub = ['From → to', 'Sessions', 'Trades', 'PnL', 'Sharpe'];
  return el('div', { class: 'table-wrap' }, el('table', { class: 'compact folds', id: 'folds-table', 'data-rows': folds.length },
    el('thead', {},
      el('tr', {}, el('th', { rowspan: 2 }, 'Fold'), el('th', { colspan: 5, class: 'group split' }, 'In-sample'),
        el('th', { colspan: 5, class: 'group split' }, 'Out-of-sample')),
      el('tr', {}, [...sub, ...sub].map((h, i) => el('th', { class: i % 5 === 0 ? 'split' : 'num' }, h)))),
    el('tbody', {}, folds.map((f) => el('tr', { 'data-fold': f.fold },
      el('td', {}, f.fold), side(f.in_sample), side(f.out_of_sample))))));
}

function labelTitle(bt) {
  const e = (bt.intervals && bt.intervals.expectancy) || {};
  return evidenceTitle({ deflatedSharpe: bt.deflatedSharpe, trials: bt.trials, expectancyCiLow: e.ciLow, expectancyCiHigh: e.ciHigh });
}

function walkForward(bt) {
  const wf = bt.walkForward || null;
  const folds = Array.isArray(bt.folds) ? bt.folds : [];
  const section = card('evidence-card', 'Walk-forward evidence');
  section.append(el('p', {}, 'Evidence ', evidencePill(bt.evidence, labelTitle(bt))));
  if (bt.dataSource === 'synthetic') {
    section.append(el('p', { class: 'small' }, sourcePill('synthetic'),
      ' Generated bars: whatever the label says, this is not real evidence.'));
  }
  if (!wf && !folds.length && !bt.oosFrom) {
    section.append(el('p', { class: 'muted', id: 'evidence-empty' },
      bt.status === 'QUEUED' || bt.status === 'RUNNING' ? 'The session has not completed.'
        : bt.status === 'COMPLETED' ? 'Recorded before walk-forward research: no folds, intervals or deflated Sharpe; the metrics cover the whole window.'
          : 'No walk-forward evidence: the session did not complete.'));
    return section;
  }
  const spec = (wf && wf.spec) || {};
  const n = isNum(spec.folds) ? spec.folds : folds.length;
  const tested = folds.length ? sum(folds, (f) => f.out_of_sample && f.out_of_sample.sessions) : null;
  const whole = wf && wf.window && isNum(wf.window.sessions) ? wf.window.sessions : bt.sessionsTested;
  const first = folds.length ? folds[0].in_sample : null;
  section.append(
    el('p', { id: 'walk-forward-statement' },
      `Metrics are the out-of-sample aggregate of ${int(n)} ${n === 1 ? 'fold' : 'folds'}: `,
      el('strong', {}, `${tradeDate(bt.oosFrom)} → ${tradeDate(bt.oosTo)}`),
      ` (${int(tested)} of ${int(whole)} sessions; in-sample first block ${span(first)}`,
      first && isNum(first.sessions) ? `, ${int(first.sessions)} sessions` : '', ').'),
    el('p', { class: 'small muted' }, 'Dates are trade dates; end dates are exclusive.',
      spec.mode === 'anchored' ? ' Anchored: a fold\'s in-sample span is every session before its test block.'
        : spec.mode === 'rolling' ? ' Rolling: a fold\'s in-sample span is the block just before its test block.' : '',
      ' Nothing is fitted on the in-sample spans; they are shown for comparison.'),
    ...intervalsTable(bt, wf),
    ...deflatedSharpe(bt, wf),
    folds.length ? foldsTable(folds) : el('p', { class: 'muted' }, 'No folds recorded.'));
  return section;
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
    el('p', { class: 'small muted' }, `Account equity after each closed trade${bt.oosFrom ? ' of the out-of-sample span' : ''}, from ${money(points[0].equity, { sign: false })} `,
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
    el('thead', {}, el('tr', {}, ['#', 'Side', 'Entry', 'Entry price', 'Exit', 'Exit price', 'Qty', 'Why it entered', 'Exit reason', 'Costs', 'PnL']
      .map((h, i) => el('th', { class: [3, 5, 6, 9, 10].includes(i) ? 'num' : null }, h)))),
    el('tbody', {}, list.map((t) => el('tr', { 'data-trade-seq': t.seq },
      el('td', {}, t.seq),
      el('td', { class: t.side === 'LONG' ? 'pos' : 'neg' }, t.side),
      el('td', { title: stamp(t.entryTime) }, `${date(t.entryTime).slice(5)} ${time(t.entryTime, { seconds: false }).slice(-5)}`),
      el('td', { class: 'num' }, price(t.entryPrice)),
      el('td', { title: stamp(t.exitTime) }, `${date(t.exitTime).slice(5)} ${time(t.exitTime, { seconds: false }).slice(-5)}`),
      el('td', { class: 'num' }, price(t.exitPrice)),
      el('td', { class: 'num' }, t.contracts),
      el('td', { class: 'small', 'data-entry-reason': '' }, t.entryReason || '—'),
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
          bt.oosFrom ? `out-of-sample ${tradeDate(bt.oosFrom)} → ${tradeDate(bt.oosTo)}: ` : '',
          el('strong', { class: signClass(pnl) }, money(pnl)), ` · ${int(bt.tradesCount)} trades · Sharpe ${num(bt.sharpe, 2)} · `,
          evidencePill(bt.evidence, labelTitle(bt))),
        el('p', { class: 'muted small mono' }, bt.id)),
      el('div', { class: 'toolbar' }, button)),
    slot,
    bt.errorCode || bt.errorMessage ? errorBox({ code: bt.errorCode, message: bt.errorMessage || bt.errorCode }, { title: 'This backtest failed' }) : null,
    equity(bt),
    walkForward(bt),
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

