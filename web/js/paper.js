// Paper page. The runner's heartbeat and the kill switch (GET /api/runner/status),
// a run selector over GET /api/paper/runs (newest first; the running run by
// default, else the newest), and the selected run's report and account (GET
// /api/paper/accounts/:id, GET /api/orders?accountId=) drawn by paper-account.js.
// Polled every 3 s while a run is RUNNING, no reload; slowly otherwise, so a run
// started from the command line appears. Engage/Release posts
// /api/admin/kill-switch with the admin token kept by the Admin page.

import { adminToken, get, post, query } from './api.js';
import { elapsed, int, money, num, signClass, stamp, time, words } from './format.js';
import { initHealth } from './health.js';
import { equityChart, figuresGrid, fillsTable, limitsList, ordersTable, positionsTable } from './paper-account.js';
import { botHref, el, emptyState, errorBox, link, loading, metric, renderHeader, setContent, sourcePill } from './ui.js';

const POLL_MS = 3000;
const IDLE_POLL_MS = 15000;
const RUNS_LIMIT = 20;
const ORDERS_LIMIT = 50;
const START_COMMAND = 'gauntlet runner --source synthetic --bar-seconds 1';
const $ = (id) => document.getElementById(id);
const root = $('paper-root');
const runnerSlot = $('paper-runner');
const killSlot = $('paper-kill-switch');
const runSelect = $('paper-run-select');
const errorSlot = $('paper-error');

const state = {
  runs: [],
  chosen: null, // the run the reader picked; null: the default (running, else newest)
  killError: null, // the API's answer to the last Engage/Release, when it refused
  busy: false, // a kill-switch request is on its way
};
let polling = null;

// ---------------------------------------------------------------- runner and kill switch

function renderRunner(status) {
  const runs = status.runs || [];
  setContent(runnerSlot, JSON.stringify([runs.map((r) => [r.id, r.heartbeatAt, r.stale, r.lastBarTime]), status.lastFinished && status.lastFinished.id]), () => [
    el('h2', {}, 'Runner ', el('span', { class: 'muted small', id: 'paper-running-count', 'data-running': status.running }, `${int(status.running)} running`)),
    runs.length
      ? el('ul', { class: 'paper-heartbeats' }, runs.map((r) => el('li', { 'data-run-id': r.id, 'data-stale': String(Boolean(r.stale)) },
        el('span', { class: `badge ${r.stale ? 'badge-stale' : 'badge-runner'}`, title: `heartbeat ${stamp(r.heartbeatAt)}` },
          r.stale ? `Stale • ${elapsed(r.heartbeatAgeSeconds)}` : `Running • heartbeat ${elapsed(r.heartbeatAgeSeconds)} ago`),
        ' ', link(botHref(r.botId), r.bot), sourcePill(r.source),
        el('span', { class: 'small muted' }, ` · started ${time(r.startedAt)} · last bar ${stamp(r.lastBarTime)}${r.errorCount ? ` · ${r.errorCount} errors` : ''}`))))
      : el('p', { class: 'muted small' }, 'No run is running.',
        status.lastFinished ? ` Last finished: ${status.lastFinished.bot}, ${stamp(status.lastFinished.finishedAt)} (${words(status.lastFinished.status).toLowerCase()}).` : ''),
  ]);
}

function renderKillSwitch(k) {
  const engaged = Boolean(k && k.engaged);
  killSlot.dataset.engaged = String(engaged);
  const err = state.killError;
  const key = JSON.stringify([k, state.busy, err && [err.code, err.message], Boolean(adminToken.get())]);
  setContent(killSlot, key, () => {
    const reason = el('input', { type: 'text', id: 'paper-kill-reason', placeholder: 'reason (optional)', maxlength: 200 });
    const button = el('button', { type: 'button', id: 'paper-kill-button', class: engaged ? null : 'danger', disabled: state.busy,
      onclick: () => toggleKillSwitch(!engaged, reason.value.trim()) }, engaged ? 'Release' : 'Engage');
    return [
      el('h2', {}, 'Kill switch ', el('span', { class: `status ${engaged ? 'status-failed' : 'status-ok'}`, id: 'paper-kill-state' }, engaged ? 'engaged' : 'released')),
      el('p', { class: 'small muted' }, engaged
        ? `Since ${stamp(k.changedAt)} (source ${k.source || '—'}${k.reason ? `: ${k.reason}` : ''}). New entries are refused; open positions flatten at the next bar.`
        : `Released${k && k.changedAt ? ` since ${stamp(k.changedAt)}` : ''}. Engaging cancels every working order and refuses new entries.`),
      el('div', { class: 'row' }, engaged ? null : reason, button),
      adminToken.get() ? null : el('p', { class: 'small muted' }, 'Needs the admin token: enter it on the ', link('admin.html', 'Admin page'), '.'),
      err ? errorBox(err, { title: engaged ? 'Could not release the kill switch' : 'Could not engage the kill switch' }) : null,
    ];
  });
}

async function toggleKillSwitch(engaged, reason) {
  state.busy = true;
  state.killError = null;
  try {
    await post('/api/admin/kill-switch', reason ? { engaged, reason } : { engaged }, { admin: true });
  } catch (err) {
    state.killError = err; // shown by renderKillSwitch with the API's code and message
  }
  state.busy = false;
  refresh();
}

// ---------------------------------------------------------------- runs

const runLabel = (r) => [time(r.startedAt, { seconds: false }), r.bot, r.source, r.status.toLowerCase()].join(' · ');

function fillRunSelect() {
  const key = JSON.stringify(state.runs.map((r) => [r.id, r.status]));
  if (runSelect.dataset.renderKey !== key) {
    runSelect.dataset.renderKey = key;
    runSelect.replaceChildren(...state.runs.map((r) => el('option', { value: r.id, 'data-status': r.status }, runLabel(r))));
  }
  runSelect.disabled = state.runs.length === 0;
  const run = selectedRun();
  runSelect.value = run ? run.id : '';
  return run;
}

function selectedRun() {
  return state.runs.find((r) => r.id === state.chosen) || state.runs.find((r) => r.status === 'RUNNING') || state.runs[0] || null;
}

runSelect.addEventListener('change', () => {
  state.chosen = runSelect.value || null;
  refresh();
});

// The run's report (written when it ends): its figures, or a note while it runs.
function reportCard(run) {
  const r = run.report;
  const head = el('h2', {}, 'Report ', el('span', { class: `status status-${run.status.toLowerCase()}` }, run.status.toLowerCase()));
  const facts = el('p', { class: 'small muted' }, `Run ${run.id} · `, link(botHref(run.botId), run.bot), sourcePill(run.source),
    ` · started ${stamp(run.startedAt)}${run.finishedAt ? ` · finished ${stamp(run.finishedAt)}` : ''} · last bar ${stamp(run.lastBarTime)}`);
  if (!r) {
    return el('section', { class: 'card', id: 'paper-report' }, head, facts,
      el('p', { class: 'muted small' }, run.status === 'RUNNING' ? 'The report is written when the run ends.' : 'This run has no report.'));
  }
  return el('section', { class: 'card', id: 'paper-report' }, head, facts,
    el('div', { class: 'metrics' },
      metric('Net PnL', money(r.net_pnl, { cents: true }), signClass(r.net_pnl), 'net_pnl'),
      metric('Starting equity', money(r.starting_equity, { sign: false }), '', 'starting_equity'),
      metric('Ending equity', money(r.ending_equity, { sign: false }), '', 'ending_equity'),
      metric('Fees', money(r.fees, { cents: true, sign: false }), '', 'fees'),
      metric('Trades', int(r.trades), '', 'trades'),
      metric('Orders', int(r.orders), '', 'orders'),
      metric('Fills', int(r.fills), '', 'fills'),
      metric('Rejects', int(r.rejects), r.rejects ? 'neg' : '', 'rejects'),
      metric('Bars', int(r.bars), '', 'bars'),
      metric('Errors', int(r.error_count), r.error_count ? 'neg' : '', 'error_count'),
      metric('Duration', elapsed(r.duration_seconds), '', 'duration_seconds'),
      metric('Peak memory', `${num(r.peak_rss_mib, 1)} MiB`, '', 'peak_rss_mib')),
    el('p', { class: 'small muted' }, `Exit ${r.exit_status || '—'}${r.exit_reason ? ` (${r.exit_reason})` : ''}`,
      r.gap_events ? ` · ${int(r.gap_events)} gaps, ${int(r.missing_bars)} missing bars` : '',
      r.stale_events ? ` · ${int(r.stale_events)} stale` : ''));
}

function accountView(run, account, orders) {
  const card = (title, id, ...body) => el('section', { class: 'card', id }, el('h2', {}, title), body);
  return [
    reportCard(run),
    el('section', { class: 'card' },
      el('h2', {}, 'Equity ', el('span', { class: 'muted small' }, `the bot's paper account (shared by its runs) · last ${int((account.equity || []).length)} samples`)),
      el('div', { id: 'paper-equity', class: 'paper-equity' }, equityChart(account.equity, account.startingCash)),
      figuresGrid(account)),
    el('div', { class: 'grid-2' },
      card('Limits', 'paper-limits', limitsList(account)),
      card('Positions', 'paper-positions', positionsTable(account.positions))),
    card('Working orders', 'paper-working-orders', ordersTable('paper-working-table', account.workingOrders, 'No working order.')),
    card('Recent fills', 'paper-fills', fillsTable(account.fills)),
    card('Recent orders', 'paper-orders', ordersTable('paper-orders-table', orders, 'No orders yet.')),
  ];
}

// ---------------------------------------------------------------- polling

async function refresh() {
  clearTimeout(polling);
  let running = false;
  const errors = [];
  try {
    const [status, list] = await Promise.all([get('/api/runner/status'), get(`/api/paper/runs${query({ limit: RUNS_LIMIT })}`)]);
    running = status.running > 0;
    renderRunner(status);
    renderKillSwitch(status.killSwitch);
    state.runs = list.runs || [];
    const run = fillRunSelect();
    if (!run) {
      setContent(root, 'empty', emptyState('No paper runs yet.', el('span', {}, 'Start one: ', el('code', { id: 'paper-start-command' }, START_COMMAND))));
    } else {
      if (root.dataset.runId !== run.id) setContent(root, `loading:${run.id}`, loading('Loading the run…'));
      const [account, orders] = await Promise.all([
        get(`/api/paper/accounts/${encodeURIComponent(run.accountId)}`),
        get(`/api/orders${query({ accountId: run.accountId, limit: ORDERS_LIMIT })}`)]);
      const current = selectedRun(); // the reader may have picked another run meanwhile
      if (current && current.id === run.id) {
        root.dataset.runId = run.id;
        setContent(root, JSON.stringify([run, account, orders]), () => accountView(run, account, orders.orders || []));
      }
      running = running || run.status === 'RUNNING';
    }
  } catch (err) {
    errors.push(errorBox(err, { title: 'Could not load the paper runs' }));
    running = true; // try again soon
  }
  errorSlot.replaceChildren(...errors);
  clearTimeout(polling); // one timer, even when two refreshes overlapped (a pick during a poll)
  polling = setTimeout(refresh, running ? POLL_MS : IDLE_POLL_MS);
}

renderHeader('paper.html');
initHealth();
refresh();
