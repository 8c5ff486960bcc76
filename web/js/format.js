// Number, money and time formatting shared by every page. Pure functions: no DOM.

const DASH = '—';

export function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }

export function num(v, digits = 2) {
  return isNum(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : DASH;
}

export function int(v) { return isNum(v) ? Math.round(v).toLocaleString('en-US') : DASH; }

// "+$2,322" / "−$4,268": whole dollars for lists, cents where precision matters (trades).
export function money(v, { cents = false, sign = true } = {}) {
  if (!isNum(v)) return DASH;
  const abs = Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: cents ? 2 : 0 });
  if (!sign) return `$${abs}`;
  if (v > 0) return `+$${abs}`;
  if (v < 0) return `−$${abs}`;
  return `$${abs}`;
}

export function pct(v, digits = 1) { return isNum(v) ? `${num(v, digits)}%` : DASH; }
export function ratioPct(v, digits = 1) { return isNum(v) ? pct(v * 100, digits) : DASH; }

// CSS class for a signed value, so gains and losses read at a glance.
export function signClass(v) { return !isNum(v) || v === 0 ? '' : v > 0 ? 'pos' : 'neg'; }

// Elapsed time for badges and job rows: "350ms", "3.2s", "42s", "1m 05s", "1h 05m".
// Sub-second and single-digit runs keep their precision: a 40 ms backtest is
// "40ms", never "0s".
export function elapsed(seconds) {
  const exact = Math.max(0, Number(seconds) || 0);
  if (exact < 1) return `${Math.round(exact * 1000)}ms`;
  if (exact < 10) return `${(Math.floor(exact * 10) / 10).toFixed(1)}s`;
  const s = Math.floor(exact);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// Duration between two instants, for job and backtest rows ("12s", "1m 05s").
export function duration(fromIso, toIso) {
  if (!fromIso || !toIso) return DASH;
  return elapsed((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}

const pad = (n) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Absolute local time: "15:47:54" today, "Nov 21 15:47" otherwise. Never a relative
// time: the UI shows when things happened, not a recency judgement.
export function time(iso, { seconds = true } = {}) {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${hm}`;
}

// A trade date as the API sends it ("2024-03-04"), shown as is: parsing it would
// read UTC midnight and could print the day before west of Greenwich.
export function tradeDate(d) {
  return typeof d === 'string' && /^\d{4}-\d{2}-\d{2}/.test(d) ? d.slice(0, 10) : DASH;
}

// A number with a true minus sign ("−4.10"), for intervals.
export function signedNum(v, digits = 2) { return isNum(v) ? num(v, digits).replace(/^-/, '−') : DASH; }

// A confidence interval "[−4.10, 38.20]"; "—" unless both ends are numbers.
export function interval(low, high, digits = 2) {
  return isNum(low) && isNum(high) ? `[${signedNum(low, digits)}, ${signedNum(high, digits)}]` : DASH;
}

export function date(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? DASH : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Full timestamp for hover titles.
export function stamp(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${date(iso)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function shortId(id) { return id ? String(id).slice(0, 8) : DASH; }

// "trades_count" → "trades count"; codes stay as they are elsewhere.
export function words(key) { return String(key).replace(/_/g, ' '); }

export function value(v) {
  if (v === null || v === undefined) return DASH;
  if (isNum(v)) return Number.isInteger(v) ? String(v) : num(v, Math.abs(v) >= 100 ? 1 : 3).replace(/\.?0+$/, '');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// Parameter changes {"name": {"from": x, "to": y}} as "name x→y, …" (mutations, lineage diffs).
export function changes(m) {
  return Object.entries(m || {}).map(([k, v]) => `${k} ${value(v.from)}→${value(v.to)}`).join(', ');
}
