// A research grid's rows as a table, sortable by clicking a header (score, best
// first, by default): the moving parameters, the out-of-sample metrics, whether
// the row qualified, its penalty tags and, for a failed cell, its error.

import { int, isNum, money, num, ratioPct, signClass, signedNum, value, words } from './format.js';
import { el } from './ui.js';

// Sortable columns: key → how to read the value from a row, and the first direction.
const SORTS = {
  cell: { read: (r) => r.cell, first: 'asc' },
  score: { read: (r) => r.score, first: 'desc' },
  trades: { read: (r) => (r.metrics || {}).trades, first: 'desc' },
  sharpe: { read: (r) => (r.metrics || {}).sharpe, first: 'desc' },
  pnl: { read: (r) => (r.metrics || {}).pnl, first: 'desc' },
  pf: { read: (r) => (r.metrics || {}).profit_factor, first: 'desc' },
  dsr: { read: (r) => (r.metrics || {}).deflated_sharpe, first: 'desc' },
};

export const DEFAULT_SORT = { key: 'score', dir: 'desc' };

// Missing values (failed cells) sink to the bottom either way; ties keep cell order.
function sorted(rows, { key, dir }) {
  const read = SORTS[key].read;
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = read(a);
    const vb = read(b);
    if (!isNum(va) || !isNum(vb)) return (isNum(va) ? -1 : 0) + (isNum(vb) ? 1 : 0) || a.cell - b.cell;
    return sign * (va - vb) || a.cell - b.cell;
  });
}

function header(label, sortKey, sort, onSort, cls = 'num') {
  if (!sortKey) return el('th', { class: cls }, label);
  const active = sort.key === sortKey;
  const next = active ? (sort.dir === 'asc' ? 'desc' : 'asc') : SORTS[sortKey].first;
  return el('th', { class: `${cls} sortable`, 'data-sort': sortKey, 'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : null },
    el('button', { type: 'button', class: 'sort-button', title: `sort by ${label.toLowerCase()}`, onclick: () => onSort && onSort({ key: sortKey, dir: next }) },
      label, el('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.dir === 'asc' ? ' ▴' : ' ▾') : '')));
}

function statusCell(row) {
  if (row.status !== 'FAILED') return el('td', { class: 'muted small' }, 'completed');
  return el('td', { class: 'row-error' }, el('span', { class: 'status status-failed' }, 'failed'), ' ',
    el('code', {}, row.errorCode || 'ERROR'), row.errorMessage ? el('div', { class: 'small muted' }, row.errorMessage) : null);
}

// `axes` from heatmap.js's gridAxes; `selectedCell` is marked; `sort` and
// `onSort(sort)` keep the order in the caller, so a refresh keeps it too;
// `onPick(row)` when a row is clicked; `currentCell` (the one clicked) is highlighted.
export function rowsTable(rows, { axes, selectedCell = null, currentCell = null, sort = DEFAULT_SORT, onSort, onPick } = {}) {
  const params = [axes.x, axes.y, ...(axes.extra || []).map((name) => ({ name }))].filter(Boolean).map((a) => a.name);
  const body = sorted(rows, sort).map((r) => {
    const m = r.metrics || {};
    const failed = r.status === 'FAILED';
    return el('tr', { 'data-cell': r.cell, 'data-status': r.status || 'COMPLETED', class: [r.cell === selectedCell ? 'selected' : '', r.cell === currentCell ? 'current' : ''].join(' ').trim() || null,
      title: r.cell === selectedCell ? 'the selected row of this grid' : null, onclick: onPick ? () => onPick(r) : null },
    el('td', { class: 'num' }, r.cell),
    params.map((p) => el('td', { class: 'num' }, value((r.params || {})[p]))),
    el('td', { class: `num strong ${signClass(r.score)}` }, signedNum(r.score, 2)),
    el('td', { class: 'num' }, int(m.trades)),
    el('td', { class: `num ${signClass(m.sharpe)}` }, signedNum(m.sharpe, 2)),
    el('td', { class: `num ${signClass(m.pnl)}` }, money(m.pnl)),
    el('td', { class: 'num' }, num(m.profit_factor, 2)),
    el('td', { class: 'num' }, ratioPct(m.win_rate, 0)),
    el('td', { class: 'num' }, money(m.max_dd, { sign: false })),
    el('td', { class: 'num' }, num(m.deflated_sharpe, 2)),
    el('td', {}, failed ? '—' : el('span', { class: r.qualified ? 'yes' : 'no' }, r.qualified ? 'yes' : 'no')),
    el('td', { class: 'chips' }, (r.penalty_tags || []).map((t) => el('span', { class: 'chip', 'data-tag': t }, words(t)))),
    statusCell(r));
  });
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'compact research-rows-table', 'data-rows': rows.length },
      el('thead', {}, el('tr', {},
        header('Cell', 'cell', sort, onSort),
        params.map((p) => el('th', { class: 'num' }, p)),
        header('Score', 'score', sort, onSort),
        header('Trades', 'trades', sort, onSort),
        header('Sharpe', 'sharpe', sort, onSort),
        header('PnL', 'pnl', sort, onSort),
        header('PF', 'pf', sort, onSort),
        el('th', { class: 'num' }, 'Win'),
        el('th', { class: 'num' }, 'Max DD'),
        header('DSR', 'dsr', sort, onSort),
        el('th', {}, 'Qualified'),
        el('th', {}, 'Penalties'),
        el('th', {}, 'Status'))),
      el('tbody', {}, body)));
}
