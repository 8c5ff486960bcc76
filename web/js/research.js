// Research page. Latest (the default view): the newest run's state (GET
// /api/backtests/status, polled every 3 s while it runs, no reload) and a tile per
// instrument with its best qualified row (GET /api/backtests/latest; ?partial=1
// while running): Empty → Running → Completed, or Error with the backend's message
// beside the last good run. History: a past run by ISO week (GET
// /api/research/runs, then /api/research/runs/:id for its selection). Clicking a
// tile, or picking an archetype × instrument, opens that grid: a score heat map
// (heatmap.js) and its rows (research-rows.js) from /api/research/runs/:id?sort=cell.
// The Run button starts a run (POST /api/backtests/run) over the chosen scope.

import { get, post, query, serverNow } from './api.js';
import { elapsed, int, money, num, ratioPct, stamp, time, value, words } from './format.js';
import { gridAxes, heatmapLegend, heatmapSvg } from './heatmap.js';
import { initHealth } from './health.js';
import { DEFAULT_SORT, rowsTable } from './research-rows.js';
import { el, emptyState, errorBox, loading, renderHeader, setContent } from './ui.js';

const POLL_MS = 3000;
const GRID_LIMIT = 1000; // the API's page limit; a grid has at most 64 cells by default
const $ = (id) => document.getElementById(id);
const root = $('research-root');
const errorSlot = $('research-error');
const badge = $('research-badge');
const scopeForm = $('research-scope');
const runButton = $('research-run');
const archetypeSelect = $('research-archetype');
const maxCellsInput = $('research-max-cells');
const history = $('research-history');
const weekSelect = $('research-week');
const weekRunLabel = $('research-week-run-label');
const weekRunSelect = $('research-week-run');
const gridSlot = $('research-grid');

const state = {
  view: 'latest', // or the id of a past run
  runs: [], // GET /api/research/runs, newest first
  runsKey: null, // the status (run and state) the runs list was read at
  shownRunId: null, // the run whose tiles are shown
  grid: null, // {runId, archetype, instrument, hintCell}: the open grid
  gridSort: DEFAULT_SORT,
  gridCell: null, // the cell shown beside the heat map
  loadError: null,
  startError: null,
};

let polling = null;

function showErrors() {
  errorSlot.replaceChildren(...[state.startError, state.loadError].filter(Boolean));
}

// ---------------------------------------------------------------- tiles

// Score, metrics and penalty chips of one research row (a tile, the cell panel).
function rowFacts(row) {
  const m = row.metrics || {};
  return [
    el('p', {}, el('strong', {}, `score ${num(row.score, 1)}`), row.qualified ? '' : el('span', { class: 'chip chip-warn' }, 'not qualified')),
    el('p', { class: 'small' }, `${int(m.trades)} trades · Sharpe ${num(m.sharpe, 2)} · PnL `, money(m.pnl),
      ` · PF ${num(m.profit_factor, 2)} · win ${ratioPct(m.win_rate, 0)} · max DD `, money(m.max_dd, { sign: false }),
      ` · DSR ${num(m.deflated_sharpe, 2)}`),
    (row.penalty_tags || []).length
      ? el('p', {}, row.penalty_tags.map((t) => el('span', { class: 'chip', 'data-tag': t }, words(t)))) : null,
  ];
}

const paramText = (params) => Object.entries(params || {}).map(([k, v]) => `${k} ${value(v)}`).join(' · ');

function tile(runId, symbol, row) {
  const open = () => openGrid({ runId, archetype: row.archetype, instrument: symbol, hintCell: row.cell });
  return el('section', {
    class: 'card research-tile', 'data-instrument': symbol, 'data-archetype': row.archetype, 'data-qualified': String(row.qualified),
    role: 'button', tabindex: 0, title: `open the ${row.archetype} grid on ${symbol}`, onclick: open,
    onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } },
  },
  el('h2', {}, symbol, ' ', el('span', { class: 'muted small' }, row.archetype)),
  rowFacts(row),
  el('p', { class: 'small muted' }, paramText(row.params)));
}

function tiles(runId, instruments) {
  const entries = Object.entries(instruments || {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? el('div', { class: 'grid research-tiles' }, entries.map(([s, row]) => tile(runId, s, row)))
    : el('p', { class: 'muted' }, 'No instrument finished yet.');
}

function markOpenTile() {
  const g = state.grid;
  for (const t of root.querySelectorAll('.research-tile')) {
    const open = Boolean(g) && g.runId === state.shownRunId && t.dataset.instrument === g.instrument && t.dataset.archetype === g.archetype;
    t.classList.toggle('selected', open);
    t.setAttribute('aria-pressed', String(open));
  }
}

const windowText = (w) => `${(w || {}).start} → ${(w || {}).end}`;

// ---------------------------------------------------------------- latest view

function renderBadge(status) {
  const running = status.state === 'running';
  badge.dataset.state = status.state;
  if (running) {
    const p = status.progress || {};
    const secs = status.startedAt ? (serverNow() - Date.parse(status.startedAt)) / 1000 : 0;
    setContent(badge, `r${p.done}/${p.total}`, el('span', { class: 'badge badge-backtesting', id: 'research-progress' },
      `Researching ${p.done}/${p.total} • ${elapsed(secs)}`));
  } else {
    setContent(badge, status.state, status.state === 'idle' ? '' : el('span', { class: 'badge badge-idle' }, status.state));
  }
}

async function renderLatest(status, running) {
  if (status.state === 'idle') {
    setContent(root, 'idle', emptyState('No runs yet.', el('span', {}, 'Start one with Run research.')));
    showRun(null);
    return;
  }
  let latest = null;
  try { latest = await get(`/api/backtests/latest${running ? '?partial=1' : ''}`); } catch { latest = null; }
  if (state.view !== 'latest') return; // the reader switched to a past run meanwhile
  const parts = [];
  if (status.state === 'error') {
    parts.push(errorBox({ status: 0, code: 'RESEARCH_FAILED', message: status.message || 'the run failed' },
      { title: 'The last research run failed' }));
    if (latest) parts.push(el('p', { class: 'muted' }, `The last successful run (${windowText(latest.window)}):`));
  }
  if (latest) {
    parts.push(el('p', { class: 'muted small', id: 'research-window' },
      `${latest.partial ? 'So far' : 'Completed'} · window ${windowText(latest.window)}`));
    parts.push(tiles(latest.runId, latest.instruments));
  }
  setContent(root, JSON.stringify(['latest', status.state, status.progress, latest && latest.runId, latest && latest.instruments]), ...parts);
  // While the run runs, an open grid outlines its tile's row so far (no stored selection yet).
  const g = state.grid;
  const best = g && latest && g.runId === latest.runId ? (latest.instruments || {})[g.instrument] : null;
  if (best && best.archetype === g.archetype) g.hintCell = best.cell;
  showRun(latest ? latest.runId : null);
}

// ---------------------------------------------------------------- history

const runLabel = (r) => [time(r.finishedAt || r.createdAt, { seconds: false }), words(r.trigger || '').toLowerCase(),
  `${int((r.progress || {}).total)} cells`, r.state === 'COMPLETED' ? null : r.state.toLowerCase()].filter(Boolean).join(' · ');
const finished = (r) => r.state === 'COMPLETED' || r.state === 'ERROR';

function weeks() {
  const byWeek = new Map();
  for (const r of state.runs) {
    if (!byWeek.has(r.isoWeek)) byWeek.set(r.isoWeek, []);
    byWeek.get(r.isoWeek).push(r);
  }
  return [...byWeek.entries()].sort(([a], [b]) => b.localeCompare(a));
}

async function loadRuns() {
  state.runs = (await get('/api/research/runs?limit=200')).runs || [];
  history.hidden = state.runs.length === 0;
  const chosen = weekSelect.value;
  weekSelect.replaceChildren(el('option', { value: '' }, 'Latest'),
    ...weeks().map(([week, runs]) => el('option', { value: week }, `${week} · ${runs.length} ${runs.length === 1 ? 'run' : 'runs'}`)));
  weekSelect.value = [...weekSelect.options].some((o) => o.value === chosen) ? chosen : '';
  if (weekSelect.value) fillWeekRuns(weekSelect.value, weekRunSelect.value);
}

// The week's runs, newest first; only finished ones can be shown (a running run
// is the Latest view). `keep`: the run to keep chosen, else the newest completed.
function fillWeekRuns(week, keep) {
  const runs = state.runs.filter((r) => r.isoWeek === week);
  weekRunSelect.replaceChildren(...runs.map((r) => el('option', { value: r.id, disabled: !finished(r), 'data-state': r.state }, runLabel(r))));
  const pick = runs.find((r) => r.id === keep && finished(r)) || runs.find((r) => r.state === 'COMPLETED') || runs.find(finished);
  weekRunSelect.value = pick ? pick.id : '';
  weekRunLabel.hidden = false;
  return pick ? pick.id : null;
}

async function renderRun(id) {
  if (!id) {
    setContent(root, 'no-finished-run', el('p', { class: 'muted' }, 'No finished run in this week yet.'));
    showRun(null);
    return;
  }
  setContent(root, `loading:${id}`, loading('Loading the run…'));
  const run = await get(`/api/research/runs/${encodeURIComponent(id)}?limit=1`);
  if (state.view !== id) return;
  const sel = run.selection || {};
  const failedCells = sel.failed_cells || 0;
  const parts = [el('p', { class: 'muted small', id: 'research-window', 'data-run-id': run.id },
    `${words(run.trigger || '').toLowerCase()} run · ${run.isoWeek} · window ${windowText(run.window)} · finished ${stamp(run.finishedAt)}`,
    ` · ${int((run.progress || {}).total)} cells${failedCells ? `, ${failedCells} failed` : ''}`)];
  if (run.state === 'ERROR') {
    parts.unshift(errorBox({ status: 0, code: 'RESEARCH_FAILED', message: run.message || 'the run failed' }, { title: 'This research run failed' }));
  }
  parts.push(tiles(run.id, sel.instruments));
  setContent(root, JSON.stringify(['run', run.id, run.state]), ...parts);
  showRun(run.id);
}

// Polling goes on in any view while a run runs (refresh keeps the badge current).
async function showView() {
  try {
    state.loadError = null;
    if (state.view === 'latest') await refresh();
    else await renderRun(state.view === 'none' ? null : state.view);
  } catch (err) {
    state.loadError = errorBox(err, { title: 'Could not load this run' });
  }
  showErrors();
}

weekSelect.addEventListener('change', () => {
  if (!weekSelect.value) {
    weekRunLabel.hidden = true;
    state.view = 'latest';
  } else {
    state.view = fillWeekRuns(weekSelect.value) || 'none';
  }
  showView();
});

weekRunSelect.addEventListener('change', () => {
  state.view = weekRunSelect.value;
  showView();
});

// ---------------------------------------------------------------- the grid of one archetype × instrument

// The run whose tiles are shown changed: the grid card follows it (its pairs),
// and an open grid of another run closes.
function showRun(runId) {
  if (state.shownRunId !== runId) {
    state.shownRunId = runId;
    if (state.grid && state.grid.runId !== runId) state.grid = null;
  }
  renderGridCard();
  markOpenTile();
}

function renderGridCard() {
  const runId = state.shownRunId;
  const run = state.runs.find((r) => r.id === runId);
  if (!runId || !run) {
    setContent(gridSlot, 'none', '');
    return;
  }
  const pairs = ((run.scope || {}).pairs || []);
  const g = state.grid;
  const chosen = g ? `${g.archetype}|${g.instrument}` : '';
  setContent(gridSlot, JSON.stringify([runId, pairs]), () => {
    const select = el('select', { id: 'research-pair' }, el('option', { value: '' }, 'Choose…'),
      pairs.map((p) => el('option', { value: `${p.archetype}|${p.instrument}` }, `${p.archetype} × ${p.instrument}`)));
    select.addEventListener('change', () => {
      const [archetype, instrument] = select.value.split('|');
      if (select.value) openGrid({ runId, archetype, instrument });
      else closeGrid();
    });
    return el('section', { class: 'card research-grid-card', 'data-run-id': runId },
      el('div', { class: 'grid-head' },
        el('h2', {}, 'Grid'),
        el('label', { class: 'inline' }, 'Archetype × instrument', select)),
      el('div', { id: 'research-grid-body' }));
  });
  const select = $('research-pair');
  if (select.value !== chosen) select.value = chosen;
  if (!g) {
    setContent($('research-grid-body'), 'hint', el('p', { class: 'muted small', id: 'research-grid-hint' },
      'Click a tile, or choose an archetype × instrument, for its grid: a heat map of the score over the two parameters the grid moves, and every row.'));
  }
}

function openGrid(grid) {
  const same = state.grid && state.grid.runId === grid.runId && state.grid.archetype === grid.archetype && state.grid.instrument === grid.instrument;
  if (!same) {
    state.grid = grid;
    state.gridCell = null;
  }
  renderGridCard();
  markOpenTile();
  loadGrid();
  if (!same) gridSlot.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function closeGrid() {
  state.grid = null;
  renderGridCard();
  markOpenTile();
}

async function loadGrid() {
  const g = state.grid;
  const body = $('research-grid-body');
  if (!g || !body) return;
  if (body.dataset.renderKey === 'hint') setContent(body, 'loading', loading('Loading the grid…'));
  let doc;
  try {
    doc = await get(`/api/research/runs/${encodeURIComponent(g.runId)}${query({ sort: 'cell', limit: GRID_LIMIT, archetype: g.archetype, instrument: g.instrument })}`);
  } catch (err) {
    if (state.grid === g) setContent(body, `error:${err.message}`, errorBox(err, { title: 'Could not load this grid' }));
    return;
  }
  if (state.grid !== g) return; // another grid was opened meanwhile
  const picked = ((doc.selection || {}).pairs || []).find((p) => p.archetype === g.archetype && p.instrument === g.instrument);
  g.selectedCell = picked ? picked.cell : doc.state === 'COMPLETED' ? null : g.hintCell;
  g.rows = doc.rows || [];
  g.rowsTotal = doc.rowsTotal;
  g.runState = doc.state;
  renderGrid();
}

function renderGrid() {
  const g = state.grid;
  const body = $('research-grid-body');
  if (!g || !body || !g.rows) return;
  const key = JSON.stringify([g.runId, g.archetype, g.instrument, g.rows, g.selectedCell, state.gridSort, state.gridCell]);
  setContent(body, key, () => gridView(g));
}

function gridView(g) {
  const rows = g.rows;
  if (!rows.length) {
    return el('p', { class: 'muted', id: 'research-grid-empty' },
      g.runState === 'COMPLETED' || g.runState === 'ERROR' ? 'This grid has no rows.' : 'No cell of this grid has finished yet.');
  }
  const axes = gridAxes(rows);
  const failed = rows.filter((r) => r.status === 'FAILED').length;
  const pick = (row) => { state.gridCell = row.cell; renderGrid(); };
  const shownCell = rows.find((r) => r.cell === state.gridCell) || rows.find((r) => r.cell === g.selectedCell) || null;
  const facts = [`${g.archetype} on ${g.instrument}`, `${rows.length} ${rows.length === 1 ? 'cell' : 'cells'}`];
  if (g.rowsTotal > rows.length) facts.push(`the first ${rows.length} of ${g.rowsTotal}`);
  if (failed) facts.push(`${failed} failed`);
  if (g.runState !== 'COMPLETED' && g.runState !== 'ERROR') facts.push('so far');

  let map;
  if (!axes.x) {
    map = el('p', { class: 'muted', id: 'research-heatmap-flat' }, 'Every cell of this grid has the same parameters: there is no axis to draw.');
  } else {
    map = [heatmapSvg(rows, { axes, selectedCell: g.selectedCell, currentCell: state.gridCell, onPick: pick }), heatmapLegend(rows)];
    if (axes.extra.length) map.push(el('p', { class: 'small muted' }, `Also varying (not drawn): ${axes.extra.join(', ')}.`));
  }
  return [
    el('p', { class: 'muted small', id: 'research-grid-facts' }, facts.join(' · ')),
    el('div', { class: 'grid-view' },
      el('div', { id: 'research-heatmap', class: 'heatmap', 'data-archetype': g.archetype, 'data-instrument': g.instrument, 'data-cells': rows.length }, map),
      cellPanel(shownCell, axes, g.selectedCell)),
    el('h3', {}, 'Rows'),
    el('div', { id: 'research-rows', 'data-rows': rows.length },
      rowsTable(rows, { axes, selectedCell: g.selectedCell, currentCell: state.gridCell, sort: state.gridSort, onPick: pick,
        onSort: (sort) => { state.gridSort = sort; renderGrid(); } })),
  ];
}

// Beside the map: the clicked cell (else the selected one), and what every cell shares.
function cellPanel(row, axes, selectedCell) {
  const fixed = paramText(axes.fixed);
  let about;
  if (!row) {
    about = el('p', { class: 'muted small' }, 'Click a cell for its numbers.');
  } else {
    const where = [axes.x, axes.y].filter(Boolean).map((a) => `${a.name} ${value(row.params[a.name])}`).join(' · ');
    about = [
      el('h3', {}, `Cell ${row.cell}`, row.cell === selectedCell ? el('span', { class: 'chip chip-selected' }, 'selected') : null),
      where ? el('p', { class: 'small' }, where) : null,
      row.status === 'FAILED'
        ? el('p', { class: 'small' }, el('span', { class: 'status status-failed' }, 'failed'), ' ', el('code', {}, row.errorCode || 'ERROR'),
          row.errorMessage ? el('span', { class: 'muted' }, ` ${row.errorMessage}`) : null)
        : rowFacts(row),
    ];
  }
  return el('aside', { class: 'grid-cell', id: 'research-cell', 'data-shown-cell': row ? row.cell : null },
    about,
    fixed ? [el('h3', { class: 'grid-fixed-title' }, 'Fixed in every cell'), el('p', { class: 'small muted' }, fixed)] : null);
}

// ---------------------------------------------------------------- polling

async function refresh() {
  clearTimeout(polling);
  let again = false;
  try {
    const status = await get('/api/backtests/status');
    const running = status.state === 'running';
    runButton.disabled = running;
    renderBadge(status);
    const runsKey = `${status.runId}:${status.state}:${running ? '' : status.finishedAt}`;
    const changed = runsKey !== state.runsKey;
    if (changed) {
      await loadRuns();
      state.runsKey = runsKey;
    }
    if (state.view === 'latest') await renderLatest(status, running);
    else renderGridCard();
    // An open grid of the running run fills in as its cells finish, the last time when it ends.
    if ((running || changed) && state.grid && state.grid.runId === status.runId) loadGrid();
    state.loadError = null;
    again = running;
  } catch (err) {
    state.loadError = errorBox(err, { title: 'Could not load research' });
    again = true;
  }
  showErrors();
  clearTimeout(polling); // one timer, even when two refreshes overlapped (a click during a poll)
  if (again) polling = setTimeout(refresh, POLL_MS);
}

// ---------------------------------------------------------------- scope and Run

async function loadArchetypes() {
  try {
    const { archetypes = [] } = await get('/api/archetypes');
    const families = new Map();
    for (const a of archetypes) {
      if (!families.has(a.family_name)) families.set(a.family_name, []);
      families.get(a.family_name).push(a);
    }
    archetypeSelect.append(...[...families.entries()].map(([family, list]) => el('optgroup', { label: family },
      list.map((a) => el('option', { value: a.slug, title: a.name }, a.slug)))));
  } catch (err) {
    state.loadError = errorBox(err, { title: 'Could not load the archetypes' });
    showErrors();
  }
}

// The request body: {} is the server's default scope (every archetype, its own
// instrument, settings.research_max_cells); the server checks the range.
function scopeBody() {
  const body = {};
  if (archetypeSelect.value) body.archetypes = [archetypeSelect.value];
  const text = maxCellsInput.value.trim();
  if (text !== '' || maxCellsInput.validity.badInput) {
    const n = Number(text);
    if (maxCellsInput.validity.badInput || !Number.isInteger(n)) throw Object.assign(new Error('Max cells must be a whole number (or empty for the default).'), { code: 'INVALID_MAX_CELLS' });
    body.maxCells = n;
  }
  return body;
}

scopeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  runButton.disabled = true;
  state.startError = null;
  try {
    await post('/api/backtests/run', scopeBody());
  } catch (err) {
    if (err.status !== 409) state.startError = errorBox(err, { title: 'Could not start research' });
  }
  showErrors();
  // The new run (or the one in progress) is the Latest view.
  state.view = 'latest';
  weekSelect.value = '';
  weekRunLabel.hidden = true;
  refresh();
});

renderHeader('research.html');
initHealth();
loadArchetypes();
refresh();
