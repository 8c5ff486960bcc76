// A research grid's score heat map, drawn as inline SVG: one cell per grid cell over
// the grid's two moving parameters, coloured on a diverging scale around score 0
// (red below, green above, white at 0, symmetric so equal distances read alike).
// The selected cell (research_selection's pick) is outlined; failed cells are
// hatched grey; a combination the grid left out (inconsistent parameters) is a
// dashed blank. The page decides which rows and which cell is selected; this
// module only draws them.

import { int, isNum, money, num, signedNum, value } from './format.js';
import { el, svg } from './ui.js';

// The scale's ends are the stylesheet's --neg and --pos; its middle is near white.
const NEG = [179, 38, 30];
const MID = [246, 246, 246];
const POS = [19, 115, 51];
const rgb = (c) => `rgb(${c.map(Math.round).join(',')})`;

// Parameter values compare by their JSON text, so 1 and "1" stay apart.
const key = (v) => JSON.stringify(v === undefined ? null : v);

function distinctValues(rows, name) {
  const seen = new Map();
  for (const r of rows) {
    const v = (r.params || {})[name];
    if (!seen.has(key(v))) seen.set(key(v), v);
  }
  const values = [...seen.values()];
  return values.every(isNum) ? values.sort((a, b) => a - b) : values.sort((a, b) => String(a).localeCompare(String(b)));
}

// The grid's axes: the parameters whose values vary across its rows. A grid moves
// two levers; the one that changes from one cell number to the next is x, the
// other y. Everything else is fixed (shown beside the map). More than two varying
// parameters would not be a ParameterGrid; they are named in `extra`.
export function gridAxes(rows) {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.params || {})))].sort();
  const byCell = [...rows].sort((a, b) => a.cell - b.cell);
  const changes = (n) => byCell.reduce((k, r, i) => k + (i > 0 && key(r.params[n]) !== key(byCell[i - 1].params[n]) ? 1 : 0), 0);
  const varying = [];
  const fixed = {};
  for (const n of names) {
    const values = distinctValues(rows, n);
    if (values.length > 1) varying.push(n);
    else fixed[n] = values[0];
  }
  varying.sort((a, b) => changes(b) - changes(a) || a.localeCompare(b));
  const axis = (n) => (n ? { name: n, values: distinctValues(rows, n) } : null);
  return { x: axis(varying[0]), y: axis(varying[1]), fixed, extra: varying.slice(2) };
}

// Colour of a score on the symmetric scale [-extent, +extent].
export function scoreColour(score, extent) {
  if (!isNum(score)) return rgb(MID);
  const t = extent > 0 ? Math.max(-1, Math.min(1, score / extent)) : 0;
  const end = t < 0 ? NEG : POS;
  const k = Math.abs(t);
  return rgb(MID.map((m, i) => m + (end[i] - m) * k));
}

export function scoreExtent(rows) {
  const scores = rows.filter((r) => r.status !== 'FAILED' && isNum(r.score)).map((r) => Math.abs(r.score));
  return scores.length ? Math.max(...scores) : 0;
}

// The hover text of a cell: where it is and how it did.
export function cellTitle(row, axes) {
  const where = [`cell ${row.cell}`, ...[axes.x, axes.y].filter(Boolean).map((a) => `${a.name} ${value(row.params[a.name])}`)];
  if (row.status === 'FAILED') return `${where.join(' · ')}\nfailed: ${row.errorCode || 'ERROR'} ${row.errorMessage || ''}`.trim();
  const m = row.metrics || {};
  return [where.join(' · '),
    `score ${signedNum(row.score, 2)}${row.qualified ? '' : ' (not qualified)'}`,
    `${int(m.trades)} trades · Sharpe ${signedNum(m.sharpe, 2)} · PnL ${money(m.pnl)}`,
    `PF ${num(m.profit_factor, 2)} · DSR ${num(m.deflated_sharpe, 2)}`].join('\n');
}

const CELL_H = 36;
const GAP = 2;
const PAD_TOP = 6;
const PAD_BOTTOM = 42;
const CHAR_W = 7; // an 11.5 px label's average character width, for the margins

// The heat map of one grid's rows (any order) as an SVG element.
// `selectedCell`: the cell to outline; `currentCell`: the one clicked (a lighter
// mark); `onPick(row)`: a cell was clicked.
export function heatmapSvg(rows, { axes, selectedCell = null, currentCell = null, onPick = null } = {}) {
  const xs = axes.x ? axes.x.values : [null];
  const ys = axes.y ? axes.y.values : [null];
  const cellW = Math.max(52, Math.min(84, Math.floor(640 / xs.length)));
  const yLabelW = axes.y ? Math.max(...ys.map((v) => value(v).length)) * CHAR_W + 8 : 0;
  const padLeft = (axes.y ? 22 : 0) + yLabelW + 6;
  const width = padLeft + xs.length * cellW + 4;
  const height = PAD_TOP + ys.length * CELL_H + PAD_BOTTOM;
  const extent = scoreExtent(rows);
  const at = new Map(rows.map((r) => [`${key(axes.x && r.params[axes.x.name])}|${key(axes.y && r.params[axes.y.name])}`, r]));

  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `score heat map over ${[axes.x, axes.y].filter(Boolean).map((a) => a.name).join(' × ')}`,
    'data-cells': rows.length });
  root.append(svg('defs', {}, svg('pattern', { id: 'hm-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    svg('rect', { width: 6, height: 6, fill: '#eceef2' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#b0b4bf', 'stroke-width': 2 }))));

  const cx = (i) => padLeft + i * cellW;
  const cy = (j) => PAD_TOP + (ys.length - 1 - j) * CELL_H; // y grows upwards, like a chart
  const marks = [];
  ys.forEach((yv, j) => xs.forEach((xv, i) => {
    const row = at.get(`${key(xv)}|${key(yv)}`);
    const box = { x: cx(i) + GAP / 2, y: cy(j) + GAP / 2, width: cellW - GAP, height: CELL_H - GAP, rx: 3 };
    if (!row) {
      root.append(svg('g', { class: 'hm-missing' }, svg('title', {}, 'not in the grid (inconsistent parameters)'),
        svg('rect', { ...box, fill: 'none', stroke: '#cfd3dc', 'stroke-dasharray': '3 3' })));
      return;
    }
    const failed = row.status === 'FAILED';
    const t = extent > 0 && isNum(row.score) ? Math.abs(row.score) / extent : 0;
    const g = svg('g', { class: 'hm-cell', 'data-cell': row.cell, 'data-status': row.status || 'COMPLETED',
      'data-score': isNum(row.score) ? row.score : null, 'data-selected': row.cell === selectedCell ? '1' : null,
      tabindex: onPick ? 0 : null },
    svg('title', {}, cellTitle(row, axes)),
    svg('rect', { ...box, fill: failed ? 'url(#hm-hatch)' : scoreColour(row.score, extent) }),
    svg('text', { x: box.x + box.width / 2, y: box.y + box.height / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central',
      fill: failed ? '#4b5260' : t > 0.55 ? '#fff' : '#1c1d21' }, failed ? 'failed' : signedNum(row.score, 1)));
    if (onPick) {
      g.addEventListener('click', () => onPick(row));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(row); } });
    }
    root.append(g);
    if (row.cell === currentCell && row.cell !== selectedCell) {
      marks.push(svg('rect', { ...box, class: 'hm-current', fill: 'none', stroke: '#2f5bd3', 'stroke-width': 2, 'pointer-events': 'none' }));
    }
    if (row.cell === selectedCell) {
      marks.push(svg('rect', { ...box, class: 'hm-outline', fill: 'none', stroke: '#15171c', 'stroke-width': 2.5, 'pointer-events': 'none' }));
    }
  }));
  root.append(...marks); // last, so no neighbour paints over them

  const axisBase = PAD_TOP + ys.length * CELL_H;
  if (axes.x) {
    xs.forEach((v, i) => root.append(svg('text', { class: 'hm-tick', x: cx(i) + cellW / 2, y: axisBase + 14, 'text-anchor': 'middle' }, value(v))));
    root.append(svg('text', { class: 'hm-axis-title', x: padLeft + (xs.length * cellW) / 2, y: axisBase + 34, 'text-anchor': 'middle' }, axes.x.name));
  }
  if (axes.y) {
    ys.forEach((v, j) => root.append(svg('text', { class: 'hm-tick', x: padLeft - 6, y: cy(j) + CELL_H / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, value(v))));
    const midY = PAD_TOP + (ys.length * CELL_H) / 2;
    root.append(svg('text', { class: 'hm-axis-title', x: 12, y: midY, 'text-anchor': 'middle', transform: `rotate(-90 12 ${midY})` }, axes.y.name));
  }
  return root;
}

// The legend: the colour scale with its ends and the marks' meanings.
export function heatmapLegend(rows) {
  const extent = scoreExtent(rows);
  const keys = [el('span', { class: 'hm-key' }, el('span', { class: 'hm-swatch hm-swatch-selected' }), 'selected (best qualified)')];
  if (rows.some((r) => r.status === 'FAILED')) keys.push(el('span', { class: 'hm-key' }, el('span', { class: 'hm-swatch hm-swatch-failed' }), 'failed'));
  keys.push(el('span', { class: 'hm-key' }, el('span', { class: 'hm-swatch hm-swatch-missing' }), 'not in the grid'));
  return el('div', { class: 'hm-legend', id: 'research-heatmap-legend' },
    el('span', { class: 'hm-scale' }, el('span', {}, 'score'),
      el('span', { class: 'hm-scale-bar' },
        el('span', { class: 'hm-gradient', style: `background: linear-gradient(90deg, ${rgb(NEG)}, ${rgb(MID)}, ${rgb(POS)})` }),
        el('span', { class: 'hm-scale-ticks' }, el('span', {}, signedNum(-extent, 1)), el('span', {}, '0'), el('span', {}, signedNum(extent, 1))))),
    keys);
}
