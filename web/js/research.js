// Research page: the newest research run's state (GET /api/backtests/status, polled
// every 3 s while it runs, no reload), a tile per instrument with the best qualified
// row (GET /api/backtests/latest; ?partial=1 while running), and the Run button
// (POST /api/backtests/run). Empty → Running → Completed, or Error with the
// backend's message beside the last good run.

import { get, post, serverNow } from './api.js';
import { elapsed, int, money, num, ratioPct, value } from './format.js';
import { initHealth } from './health.js';
import { el, emptyState, errorBox, renderHeader, setContent } from './ui.js';

const POLL_MS = 3000;
const root = document.getElementById('research-root');
const errorSlot = document.getElementById('research-error');
const badge = document.getElementById('research-badge');
const runButton = document.getElementById('research-run');

function tile(symbol, row) {
  const m = row.metrics || {};
  const params = Object.entries(row.params || {}).map(([k, v]) => `${k} ${value(v)}`).join(' · ');
  return el('section', { class: 'card research-tile', 'data-instrument': symbol, 'data-qualified': String(row.qualified) },
    el('h2', {}, symbol, ' ', el('span', { class: 'muted small' }, row.archetype)),
    el('p', {}, el('strong', {}, `score ${num(row.score, 1)}`), row.qualified ? '' : el('span', { class: 'chip chip-warn' }, 'not qualified')),
    el('p', { class: 'small' }, `${int(m.trades)} trades · Sharpe ${num(m.sharpe, 2)} · PnL `, money(m.pnl),
      ` · PF ${num(m.profit_factor, 2)} · win ${ratioPct(m.win_rate, 0)} · max DD `, money(m.max_dd, { sign: false }),
      ` · DSR ${num(m.deflated_sharpe, 2)}`),
    el('p', { class: 'small muted' }, params),
    el('p', {}, (row.penalty_tags || []).map((t) => el('span', { class: 'chip', 'data-tag': t }, t.replace(/_/g, ' ')))));
}

function tiles(instruments) {
  const entries = Object.entries(instruments || {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? el('div', { class: 'grid research-tiles' }, entries.map(([s, row]) => tile(s, row)))
    : el('p', { class: 'muted' }, 'No instrument finished yet.');
}

let polling = null;
async function refresh() {
  try {
    const status = await get('/api/backtests/status');
    const running = status.state === 'running';
    runButton.disabled = running;
    badge.dataset.state = status.state;
    if (running) {
      const p = status.progress || {};
      const secs = status.startedAt ? (serverNow() - Date.parse(status.startedAt)) / 1000 : 0;
      setContent(badge, `r${p.done}/${p.total}`, el('span', { class: 'badge badge-backtesting', id: 'research-progress' },
        `Researching ${p.done}/${p.total} • ${elapsed(secs)}`));
    } else {
      setContent(badge, status.state, status.state === 'idle' ? '' : el('span', { class: 'badge badge-idle' }, status.state));
    }
    if (status.state === 'idle') {
      setContent(root, 'idle', emptyState('No runs yet.', el('span', {}, 'Start one with Run research.')));
    } else {
      let latest = null;
      try { latest = await get(`/api/backtests/latest${running ? '?partial=1' : ''}`); } catch { latest = null; }
      const parts = [];
      if (status.state === 'error') {
        parts.push(errorBox({ status: 0, code: 'RESEARCH_FAILED', message: status.message || 'the run failed' },
          { title: 'The last research run failed' }));
        if (latest) parts.push(el('p', { class: 'muted' }, `The last successful run (${(latest.window || {}).start} → ${(latest.window || {}).end}):`));
      }
      if (latest) {
        parts.push(el('p', { class: 'muted small', id: 'research-window' },
          `${latest.partial ? 'So far' : 'Completed'} · window ${(latest.window || {}).start} → ${(latest.window || {}).end}`));
        parts.push(tiles(latest.instruments));
      }
      setContent(root, JSON.stringify([status.state, status.progress, latest && latest.instruments]), ...parts);
    }
    errorSlot.replaceChildren();
    clearTimeout(polling);
    if (running) polling = setTimeout(refresh, POLL_MS);
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err, { title: 'Could not load research' }));
    clearTimeout(polling);
    polling = setTimeout(refresh, POLL_MS);
  }
}

runButton.addEventListener('click', async () => {
  runButton.disabled = true;
  try {
    await post('/api/backtests/run', {});
  } catch (err) {
    if (err.status !== 409) errorSlot.replaceChildren(errorBox(err, { title: 'Could not start research' }));
  }
  refresh();
});

renderHeader('research.html');
initHealth();
refresh();
