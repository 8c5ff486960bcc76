// Bot detail: what the bot is doing now, its score breakdown, gate checklist with
// fixes, lineage across generations, backtests, jobs, stage history and recent
// activity. The page reloads the bot every few seconds and redraws only the
// sections whose data changed.

import { get, query } from './api.js';
import { changes, duration, int, money, num, ratioPct, signClass, stamp, time, tradeDate, value, words } from './format.js';
import { eventItem } from './events.js';
import { initHealth } from './health.js';
import { equityChart } from './paper-account.js';
import {
  backtestHref, botHref, el, emptyState, errorBox, evidencePill, evidenceTitle, link, metric, newPill, param, renderBadge, renderHeader,
  setContent, sourcePill, stagePill, startBadgeClock, tierPill,
} from './ui.js';

const POLL_MS = 3000;
const root = document.getElementById('bot-root');
const id = param('id');
let view = null; // the section elements, built once

const card = (id, title, ...children) => el('section', { class: 'card', id }, el('h2', {}, title), el('div', { class: 'card-body' }, children));
const body = (section) => section.querySelector('.card-body');

function buildView() {
  view = {
    head: el('div', { class: 'page-head', id: 'bot-head' }),
    notice: el('div', { id: 'bot-notice' }),
    score: card('score-card', 'Score'),
    gates: card('gates-card', 'Gate checklist'),
    lineage: card('lineage-card', 'Lineage'),
    backtests: card('backtests-card', 'Backtests'),
    paper: card('paper-card', 'Paper trading'),
    stages: card('stage-history-card', 'Stage history'),
    jobs: card('jobs-card', 'Jobs'),
    params: card('params-card', 'Parameters'),
    activity: card('activity-card', 'Recent activity'),
    badge: el('span', { id: 'bot-badge' }),
  };
  root.replaceChildren(view.head, view.notice,
    el('div', { class: 'grid-2' }, view.score, view.gates),
    el('div', { class: 'stack', style: 'margin-top:16px' }, view.lineage, view.backtests, view.paper,
      el('div', { class: 'grid-2' }, view.stages, view.params), view.jobs, view.activity));
}

// ---------------------------------------------------------------- sections

// The session the gates and the score judge the bot on (bot_evidence), with its label.
function judgedOn(ev) {
  if (!ev) return el('p', { id: 'judged-on', class: 'muted small' }, 'Judged on: no completed backtest of this iteration yet.');
  return el('p', { id: 'judged-on' }, 'Judged on ', link(backtestHref(ev.id), time(ev.completedAt), { title: ev.id, 'data-backtest-id': ev.id }),
    sourcePill(ev.dataSource), ' · Evidence ', evidencePill(ev.evidence, evidenceTitle(ev)),
    el('span', { class: 'muted small' }, ' ', evidenceTitle(ev),
      ev.oosFrom ? ` · out-of-sample ${tradeDate(ev.oosFrom)} → ${tradeDate(ev.oosTo)}, ${int(ev.sessionsTested)} sessions in the baseline` : ''));
}

function renderHead(bot) {
  setContent(view.head, JSON.stringify([bot.name, bot.archetype, bot.family, bot.instrument, bot.timeframe, bot.stage,
    bot.stageReasonCode, bot.status, bot.generation, bot.iteration, bot.origin, bot.pinned, bot.now.isNew, bot.createdAt,
    bot.evidence]), () => [
    el('div', {},
      el('h1', { 'data-bot-id': bot.id }, bot.name, bot.now.isNew ? newPill() : null),
      el('p', { class: 'muted' },
        [bot.archetype, words(bot.family), bot.instrument, bot.timeframe, `Gen ${bot.generation}`, `iteration ${bot.iteration}`,
          bot.origin.toLowerCase(), `created ${stamp(bot.createdAt)}`].join(' · ')),
      el('p', {}, 'Stage ', stagePill(bot.stage), bot.stageReasonCode ? el('span', { class: 'muted small' }, ` (${bot.stageReasonCode})`) : '',
        ' · Status ', el('strong', { 'data-bot-status': bot.status }, bot.status), bot.pinned ? ' · pinned' : '',
        ' · Activity ', view.badge),
      judgedOn(bot.evidence)),
    el('div', { class: 'toolbar' }, link(`feed.html${query({ botId: bot.id })}`, 'Feed for this bot'))]);
  // The badge lives inside the head but is updated on every poll, separately.
  renderBadge(bot.now, view.badge);
}

const COMPONENTS = [
  ['decisionQuality', 'Decision quality'], ['riskDiscipline', 'Risk discipline'],
  ['executionHealth', 'Execution health'], ['dataReliability', 'Data reliability'],
  ['supervisorTrust', 'Supervisor trust'],
];

function renderScore(score) {
  setContent(body(view.score), JSON.stringify(score), score
    ? [
      el('div', {}, el('span', { class: 'score-total', id: 'score-total' }, num(score.total, 1)), tierPill(score.tier),
        el('span', { class: 'muted small' }, ` computed ${stamp(score.computedAt)}`)),
      el('div', { class: 'score-bars' }, COMPONENTS.map(([key, label]) => {
        const v = score[key];
        return el('div', { class: 'score-bar', 'data-component': key },
          el('span', {}, label),
          el('span', { class: 'bar' }, el('span', { style: `width:${Math.max(0, Math.min(100, v || 0))}%` })),
          el('span', { class: 'num' }, num(v, 1)));
      })),
    ]
    : emptyState('Not scored yet — the supervisor scores a bot after its first completed backtest.'));
}

function renderGates(gates) {
  if (!gates.length) {
    setContent(body(view.gates), '[]', emptyState('No gates lead out of this stage (CANARY and LIVE stay blocked).'));
    return;
  }
  const groups = new Map();
  for (const g of gates) {
    const k = `${g.fromStage} → ${g.toStage}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(g);
  }
  setContent(body(view.gates), JSON.stringify(gates), [...groups].map(([k, list]) => {
    const passed = list.filter((g) => g.passed).length;
    return el('div', { class: 'gate-group' },
      el('p', {}, el('strong', {}, k), el('span', { class: 'muted' }, ` · ${passed} of ${list.length} pass`)),
      el('ul', { class: 'gate-list', id: 'gate-list' }, list.map((g) =>
        el('li', { class: `gate ${g.passed ? 'pass' : 'fail'}`, 'data-metric': g.metric, 'data-passed': String(g.passed) },
          el('span', { class: 'gate-mark', 'aria-label': g.passed ? 'passes' : 'fails' }, g.passed ? '✓' : '✗'),
          el('div', {},
            el('div', {}, el('strong', {}, words(g.metric)), ' — actual ',
              el('span', { class: 'mono' }, g.actual === null || g.actual === undefined ? 'no value yet' : value(g.actual)),
              ', needs ', el('span', { class: 'mono' }, `${g.comparator} ${value(g.threshold)}`)),
            !g.passed && g.suggestedFix ? el('div', { class: 'gate-fix' }, 'Fix: ', g.suggestedFix) : null)))));
  }));
}

function renderBacktests(list) {
  if (!list.length) {
    setContent(body(view.backtests), '[]', emptyState('No backtests yet — the worker runs a baseline as soon as one is queued.'));
    return;
  }
  setContent(body(view.backtests), JSON.stringify(list), el('div', { class: 'table-wrap' },
    el('table', { class: 'compact', id: 'backtests-table' },
      el('thead', {}, el('tr', {}, ['Backtest', 'Status', 'Iter', 'Source', 'Window', 'Bars', 'Trades', 'PnL', 'Sharpe', 'PF', 'Win', 'Max DD', 'DSR', 'Evidence', 'Took']
        .map((h, i) => el('th', { class: i >= 5 && h !== 'Evidence' ? 'num' : null }, h)))),
      el('tbody', {}, list.map((b) => el('tr', { 'data-backtest-id': b.id },
        el('td', {}, link(backtestHref(b.id), time(b.createdAt), { title: b.id })),
        el('td', {}, el('span', { class: `status status-${String(b.status).toLowerCase()}` }, b.status), b.errorCode ? ` ${b.errorCode}` : ''),
        el('td', {}, b.iteration),
        el('td', {}, sourcePill(b.dataSource)),
        el('td', { class: 'small' }, `${time(b.windowFrom, { seconds: false })} → ${time(b.windowTo, { seconds: false })}`),
        el('td', { class: 'num' }, int(b.barsTested)),
        el('td', { class: 'num' }, int(b.tradesCount)),
        el('td', { class: `num ${signClass(b.realizedPnl)}` }, money(b.realizedPnl)),
        el('td', { class: 'num' }, num(b.sharpe, 2)),
        el('td', { class: 'num' }, num(b.profitFactor, 2)),
        el('td', { class: 'num' }, ratioPct(b.winRate, 0)),
        el('td', { class: 'num' }, money(b.maxDrawdownUsd, { sign: false })),
        el('td', { class: 'num', title: b.trials ? `${b.trials} ${b.trials === 1 ? 'trial' : 'trials'}` : null }, num(b.deflatedSharpe, 2)),
        el('td', {}, evidencePill(b.evidence, evidenceTitle({
          deflatedSharpe: b.deflatedSharpe, trials: b.trials,
          expectancyCiLow: b.intervals && b.intervals.expectancy && b.intervals.expectancy.ciLow,
          expectancyCiHigh: b.intervals && b.intervals.expectancy && b.intervals.expectancy.ciHigh,
        }))),
        el('td', { class: 'num' }, b.durationMs !== null && b.durationMs !== undefined ? `${int(b.durationMs)} ms` : '—')))))));
}

// The bot's paper account: the paper evidence the PAPER → SHADOW gates read (real
// bars only), and its paper equity beside the equity of the backtest the gates judge.
function renderPaper(paper) {
  if (!paper) {
    setContent(body(view.paper), 'none', el('p', { class: 'muted', id: 'bot-paper-none' },
      'Not traded on paper yet: the runner trades a bot while it is in PAPER.'));
    return;
  }
  const ev = paper.evidence || {};
  const samples = paper.equity || [];
  const backtest = (paper.backtestEquity || []).map((p) => ({ at: p.time, equity: p.equity }));
  setContent(body(view.paper), JSON.stringify([ev, samples.length, samples.at(-1), backtest.length, paper.accountId]), () => [
    el('div', { class: 'metrics', id: 'bot-paper-evidence' },
      metric('Paper days (real bars)', int(ev.days), '', 'days'),
      metric('Synthetic days (not evidence)', int(ev.syntheticDays), '', 'syntheticDays'),
      metric('Paper trades', int(ev.trades), '', 'trades'),
      metric('Expectancy / trade', ev.expectancy == null ? '—' : money(ev.expectancy), '', 'expectancy'),
      metric('Risk breaches', int(ev.riskBreaches), '', 'riskBreaches'),
      metric('Paper drawdown', ev.maxDrawdownPct == null ? '—' : `${num(ev.maxDrawdownPct, 2)} %`, '', 'maxDrawdownPct')),
    el('div', { class: 'grid-2' },
      el('div', { id: 'bot-paper-equity' }, el('h3', {}, 'Paper equity'), equityChart(samples, paper.startingCash)),
      el('div', { id: 'bot-backtest-equity' }, el('h3', {}, 'Backtest equity (the session the gates judge)'),
        equityChart(backtest, paper.startingCash))),
    el('p', { class: 'small' }, link(`paper.html`, 'Paper runs, orders and fills'),
      ev.since ? el('span', { class: 'muted' }, ` · evidence since ${stamp(ev.since)}`) : null),
  ]);
}

function renderStages(history) {
  setContent(body(view.stages), JSON.stringify(history), history.length
    ? el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id: 'stage-history' },
      el('thead', {}, el('tr', {}, ['When', 'Change', 'Reason', 'By'].map((h) => el('th', {}, h)))),
      el('tbody', {}, history.map((h) => el('tr', {},
        el('td', { title: stamp(h.at) }, time(h.at)),
        el('td', {}, stagePill(h.fromStage), ' → ', stagePill(h.toStage)),
        el('td', { class: 'mono' }, h.reasonCode),
        el('td', {}, h.actor))))))
    : el('p', { class: 'muted' }, 'No stage changes yet: the bot is still in the stage it was created in.'));
}

function renderJobs(jobs) {
  setContent(body(view.jobs), JSON.stringify(jobs), jobs.length
    ? el('div', { class: 'table-wrap' }, el('table', { class: 'compact', id: 'jobs-table' },
      el('thead', {}, el('tr', {}, ['Created', 'Type', 'Status', 'Attempt', 'Started', 'Finished', 'Took', 'Error', 'Trace'].map((h) => el('th', {}, h)))),
      el('tbody', {}, jobs.map((j) => el('tr', { 'data-job-id': j.id },
        el('td', { title: stamp(j.createdAt) }, time(j.createdAt)),
        el('td', { class: 'mono' }, j.type),
        el('td', {}, el('span', { class: `status status-${j.status.toLowerCase()}` }, j.status)),
        el('td', {}, j.attempt),
        el('td', {}, time(j.startedAt)),
        el('td', {}, time(j.finishedAt)),
        el('td', {}, j.startedAt && j.finishedAt ? duration(j.startedAt, j.finishedAt) : '—'),
        el('td', { class: 'mono' }, j.errorCode || ''),
        el('td', { class: 'mono small', title: j.traceId }, (j.traceId || '').slice(0, 8)))))))
    : el('p', { class: 'muted' }, 'No jobs yet.'));
}

function renderParams(bot) {
  setContent(body(view.params), JSON.stringify([bot.params, bot.paramsHash]),
    el('div', { class: 'params' }, Object.entries(bot.params || {}).map(([k, v]) =>
      el('div', {}, el('span', {}, `${words(k)} `), el('strong', { class: 'mono' }, value(v))))),
    el('p', { class: 'small muted' }, 'params hash ', el('span', { class: 'hash' }, bot.paramsHash)));
}

// ---------------------------------------------------------------- lineage

// The whole lineage as a tree (api_bot's lineage rows, from the SQL view): every
// candidate with its outcome — accepted children carry the line on, rejected ones
// stay as history — the DSR it was judged on against its parent's, and what changed.
const OUTCOME_TEXT = { ROOT: 'root', PENDING: 'awaiting verdict', ACCEPTED: 'accepted', REJECTED: 'rejected' };

function lineageNode(row, current) {
  const diff = changes(row.paramsDiff);
  const dsr = row.outcome === 'ROOT' || row.outcome === 'PENDING'
    ? (row.deflatedSharpe !== null && row.deflatedSharpe !== undefined ? `DSR ${num(row.deflatedSharpe, 2)}` : null)
    : `DSR ${num(row.deflatedSharpe, 2)} vs parent ${num(row.parentDeflatedSharpe, 2)}`;
  return el('span', {},
    el(current ? 'span' : 'a', { class: `node${current ? ' current' : ''}`, href: current ? null : botHref(row.botId),
      'data-lineage-id': row.botId, title: `${row.name} · ${row.status}` }, `Gen ${row.generation}`),
    ' ', el('span', { class: `outcome-${row.outcome}`, 'data-outcome': row.outcome }, OUTCOME_TEXT[row.outcome] || row.outcome),
    row.outcomeReason && row.outcome === 'REJECTED' ? el('span', { class: 'small muted' }, ` (${words(row.outcomeReason).toLowerCase()})`) : null,
    el('span', { class: 'small muted' }, [
      // The status only where the outcome does not already say it.
      !['REJECTED', 'CANDIDATE'].includes(row.status) && ` · ${row.status.toLowerCase()}`,
      dsr && ` · ${dsr}`, diff && ` · ${diff}`].filter(Boolean).join('')));
}

let lineageKey = null;
function renderLineage(bot) {
  const rows = bot.lineage || [];
  const key = JSON.stringify(rows.map((r) => [r.botId, r.status, r.outcome]));
  if (key === lineageKey) return;
  lineageKey = key;
  const children = new Map();
  for (const r of rows) {
    const list = children.get(r.parentBotId || null) || [];
    list.push(r);
    children.set(r.parentBotId || null, list);
  }
  const known = new Set(rows.map((r) => r.botId));
  const branch = (row) => el('li', {}, lineageNode(row, row.botId === bot.id),
    children.has(row.botId) ? el('ul', {}, children.get(row.botId).map(branch)) : null);
  const roots = rows.filter((r) => !r.parentBotId || !known.has(r.parentBotId));
  const counts = rows.reduce((c, r) => ({ ...c, [r.outcome]: (c[r.outcome] || 0) + 1 }), {});
  setContent(body(view.lineage), key,
    rows.length ? el('ul', { class: 'lineage-tree', id: 'lineage' }, roots.map(branch)) : emptyState('No lineage recorded.'),
    el('p', { class: 'small muted' },
      `${rows.length} bot${rows.length === 1 ? '' : 's'} in this lineage: ${counts.ACCEPTED || 0} accepted, `
      + `${counts.REJECTED || 0} rejected, ${counts.PENDING || 0} awaiting a verdict. A child replaces its parent only `
      + 'when its deflated Sharpe on the same bars beats the parent\'s by the margin.'));
}

// ---------------------------------------------------------------- activity

async function renderActivity(botId) {
  try {
    const doc = await get('/api/feed' + query({ botId, limit: 15 }));
    setContent(body(view.activity), JSON.stringify(doc.events.map((e) => e.id)), doc.events.length
      ? [el('ol', { class: 'feed-list' }, doc.events.map((e) => eventItem(e, { withBot: false }))),
        el('p', { class: 'small' }, link(`feed.html${query({ botId })}`, 'All activity for this bot'))]
      : el('p', { class: 'muted' }, 'No activity yet.'));
  } catch (err) {
    setContent(body(view.activity), 'err:' + err.message, errorBox(err, { title: 'Could not load the activity' }));
  }
}

// ---------------------------------------------------------------- loop

let inFlight = false;
let timer = null;
async function poll() {
  if (inFlight || document.hidden) return;
  inFlight = true;
  try {
    const bot = await get(`/api/bots/${encodeURIComponent(id)}`);
    if (!view) buildView();
    view.notice.replaceChildren();
    document.title = `${bot.name} · Gauntlet`;
    renderHead(bot);
    renderScore(bot.score);
    renderGates(bot.gates || []);
    renderBacktests(bot.backtests || []);
    renderPaper(bot.paper);
    renderStages(bot.stageHistory || []);
    renderJobs(bot.jobs || []);
    renderParams(bot);
    renderLineage(bot);
    await renderActivity(bot.id);
  } catch (err) {
    if (view) view.notice.replaceChildren(errorBox(err, { title: 'The last update failed; showing the previous data' }));
    else {
      root.replaceChildren(errorBox(err, { title: 'Could not load this bot' }), el('p', {}, link('index.html', '← All bots')));
      // An unknown or malformed id will not get better by asking again.
      if (err.status >= 400 && err.status < 500) clearInterval(timer);
    }
  } finally {
    inFlight = false;
  }
}

function init() {
  renderHeader('bot.html');
  initHealth();
  if (!id) {
    root.replaceChildren(emptyState('No bot chosen — open one from the bots page.', link('index.html', 'All bots')));
    return;
  }
  startBadgeClock();
  poll();
  timer = setInterval(poll, POLL_MS);
}

init();
