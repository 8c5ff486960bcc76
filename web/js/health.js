// The system health drawer, on every page: fleet and backtest counters, providers,
// breaker, loop, and "Kickoff Testing Now". It reads only while open (the header dot
// reads the overall status now and then), and reads fast while a kickoff wave runs.

import { get, post } from './api.js';
import { int, stamp, time } from './format.js';
import { el, errorBox, setContent } from './ui.js';

const OPEN_POLL_MS = 2000;
const WAVE_POLL_MS = 1000;
const DOT_POLL_MS = 15000;
const WAVE_GIVE_UP_MS = 15 * 60 * 1000;

let drawer, body, dot, button;
let timer = null;
let wave = null; // {startedAt, start: counts, kickoff: response, seenWork}

export function initHealth() {
  button = document.getElementById('health-button');
  dot = document.getElementById('health-dot');
  drawer = el('aside', { id: 'health-drawer', class: 'drawer', 'aria-label': 'System health', hidden: true },
    el('div', { class: 'drawer-head' },
      el('h2', {}, 'System health'),
      el('button', { type: 'button', class: 'icon-button', id: 'health-close', 'aria-label': 'Close', onclick: close }, '×')),
    el('section', { class: 'kickoff' },
      el('button', { type: 'button', id: 'kickoff-button', class: 'primary', onclick: kickoff }, 'Kickoff Testing Now'),
      el('p', { class: 'small muted' }, 'Verifies the market-data providers in use and queues a baseline backtest for every bot without one.'),
      el('div', { id: 'kickoff-progress', class: 'kickoff-progress', 'aria-live': 'polite' })),
    (body = el('div', { id: 'health-body' }, el('p', { class: 'muted' }, 'Loading…'))));
  const scrim = el('div', { class: 'scrim', id: 'health-scrim', hidden: true, onclick: close });
  document.body.append(scrim, drawer);
  button.addEventListener('click', () => (drawer.hidden ? open() : close()));
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !drawer.hidden) close(); });
  // #health in the address opens the drawer, so the panel can be linked to.
  if (location.hash === '#health') open();
  pollDot();
}

function open() {
  drawer.hidden = false;
  document.getElementById('health-scrim').hidden = false;
  button.setAttribute('aria-expanded', 'true');
  schedule(0);
}

function close() {
  drawer.hidden = true;
  document.getElementById('health-scrim').hidden = true;
  button.setAttribute('aria-expanded', 'false');
  if (location.hash === '#health') history.replaceState(null, '', location.pathname + location.search);
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(tick, ms);
}

async function tick() {
  if (drawer.hidden && !wave) return;
  await load();
  if (!drawer.hidden || wave) schedule(wave ? WAVE_POLL_MS : OPEN_POLL_MS);
}

async function pollDot() {
  if (drawer.hidden) {
    try {
      const s = await get('/api/system/status');
      setDot(s.status);
      showKillSwitch(s.counts && s.counts.killSwitch);
    } catch { setDot('DOWN'); }
  }
  setTimeout(pollDot, DOT_POLL_MS);
}

// An engaged kill switch is a banner under the header, on every page.
function showKillSwitch(k) {
  let banner = document.getElementById('kill-switch-banner');
  if (!k || !k.engaged) { if (banner) banner.remove(); return; }
  if (!banner) {
    banner = el('div', { id: 'kill-switch-banner', class: 'kill-banner', role: 'alert' });
    document.querySelector('header.topbar').after(banner);
  }
  setContent(banner, JSON.stringify(k), el('strong', {}, 'Kill switch engaged'),
    ` — new entries are refused; working orders were cancelled (source ${k.source}${k.reason ? `: ${k.reason}` : ''}, since ${stamp(k.changedAt)}).`);
}

function setDot(status) {
  dot.dataset.status = String(status || 'unknown').toLowerCase();
  button.title = `System status: ${status}`;
}

async function load() {
  const [system, scheduler, autonomy] = await Promise.allSettled([
    get('/api/system/status'), get('/api/scheduler/status'), get('/api/_proof/autonomy')]);
  if (system.status === 'rejected') {
    setDot('DOWN');
    setContent(body, 'err:' + system.reason.message, errorBox(system.reason, { title: 'System status unavailable' }));
    return;
  }
  const s = system.value;
  setDot(s.status);
  showKillSwitch(s.counts && s.counts.killSwitch);
  if (wave) trackWave(s.counts);
  const key = JSON.stringify([s, scheduler.value, autonomy.value, scheduler.reason?.message, autonomy.reason?.message]);
  setContent(body, key,
    statusLine(s),
    counters(s.counts),
    fleet(s.counts),
    loopSection(autonomy),
    schedulerSection(scheduler, s.counts),
    providers(s.integrations),
    stages(s.stages));
}

const yesNo = (v) => el('span', { class: v ? 'yes' : 'no' }, v ? 'yes' : 'no');
const row = (label, ...v) => el('div', { class: 'kv-row' }, el('dt', {}, label), el('dd', {}, v));
const section = (title, ...children) => el('section', { class: 'drawer-section' }, el('h3', {}, title), children);

function statusLine(s) {
  return el('p', { class: 'status-line' },
    el('span', { class: `status status-${String(s.status).toLowerCase()}`, 'data-system-status': s.status }, s.status),
    ` version ${s.version} · checked ${time(s.now)}`);
}

function counters(counts) {
  const b = counts.backtests || {};
  const box = (name, label) => el('div', { class: `counter counter-${name}` },
    el('span', { class: 'counter-value', id: `count-${name}`, 'data-count': b[name] ?? 0 }, int(b[name] ?? 0)),
    el('span', { class: 'counter-label' }, label));
  return section('Backtests', el('div', { class: 'counters' },
    box('queued', 'queued'), box('running', 'running'), box('completed', 'completed'), box('failed', 'failed')));
}

function fleet(c) {
  return section('Fleet', el('dl', { class: 'kv' },
    row('Bots seeded', el('span', { id: 'count-bots' }, int(c.bots))),
    row('Active bots', int(c.activeBots)),
    row('Bots with a baseline', int(c.botsWithBaseline)),
    row('Workers alive', int(c.workersAlive))));
}

function loopSection(result) {
  if (result.status === 'rejected') return section('Autonomy loop', errorBox(result.reason));
  const a = result.value;
  const next = a.lastTickAt && a.tickIntervalSec ? new Date(Date.parse(a.lastTickAt) + a.tickIntervalSec * 1000).toISOString() : null;
  const d = a.lastDecisionSummary || {};
  const reasons = (d.reasonsTop || []).map((r) => `${r.reasonCode} ×${r.count}`).join(', ');
  return section('Autonomy loop', el('dl', { class: 'kv' },
    row('Loop enabled', el('span', { id: 'loop-enabled', 'data-enabled': String(a.loopEnabled) }, yesNo(a.loopEnabled))),
    row('Last planner tick', el('span', { title: stamp(a.lastTickAt) }, time(a.lastTickAt))),
    row('Next planner tick', a.loopEnabled ? el('span', { title: stamp(next) }, time(next), ` (every ${a.tickIntervalSec} s)`) : 'paused'),
    row('Last decision', d.botsEvaluated !== undefined ? `${d.botsEvaluated} bots evaluated, ${d.jobsEnqueued} jobs queued, ${d.blocked} blocked` : '—'),
    reasons ? row('Top reasons', el('span', { class: 'small' }, reasons)) : null));
}

function schedulerSection(result, counts) {
  const br = counts.breaker || {};
  const breaker = [
    row('Breaker', el('span', { class: `breaker breaker-${String(br.state).toLowerCase()}`, id: 'breaker-state' }, br.state || '—'),
      br.consecutiveFailures ? ` · ${br.consecutiveFailures} consecutive failures` : ''),
    br.openedAt ? row('Opened', stamp(br.openedAt)) : null,
    br.closesAt ? row('Closes', stamp(br.closesAt)) : null,
  ];
  if (result.status === 'rejected') return section('Scheduler', el('dl', { class: 'kv' }, breaker), errorBox(result.reason));
  const s = result.value;
  const queue = (s.queue || []).map((q) => `${q.jobType} ${q.status.toLowerCase()} ${q.count}`).join(', ') || 'empty';
  const alive = (s.workers || []).filter((w) => w.state === 'RUNNING');  // worker_state judges it
  return section('Scheduler', el('dl', { class: 'kv' },
    row('Backtests running', `${s.runningBacktests} of ${s.backtestConcurrency} allowed`),
    row('Job queue', queue),
    row('Workers', alive.length ? alive.map((w) => `${w.workerId} (${w.runningJobs}/${w.slots} busy, seen ${time(w.lastSeenAt)})`).join('; ') : 'none running'),
    breaker,
    s.breaker && s.breaker.lastErrorCode ? row('Last breaker error', s.breaker.lastErrorCode) : null));
}

function providers(integrations) {
  const md = (integrations && integrations.marketData) || {};
  const rows = (md.providers || []).map((p) =>
    el('tr', { 'data-provider': p.provider },
      el('td', {}, p.provider, el('div', { class: 'small muted' }, p.role)),
      el('td', {}, yesNo(p.configured)),
      el('td', {}, yesNo(p.verified)),
      el('td', { title: stamp(p.lastUsedAt) }, p.lastUsedAt ? time(p.lastUsedAt) : 'never'),
      el('td', { class: 'num' }, int(p.calls24h))));
  const broker = integrations && integrations.broker;
  return section('Market data',
    el('p', { class: 'small' }, `Chain: ${(md.chain || []).join(' → ') || 'none'} · ${md.status || '—'}`,
      md.usingSyntheticDefault ? el('span', { class: 'source source-synthetic' }, 'synthetic bars') : null),
    el('div', { class: 'table-wrap' }, el('table', { class: 'compact' },
      el('thead', {}, el('tr', {}, ['Provider', 'Configured', 'Verified', 'Last use', '24 h'].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows))),
    broker ? el('p', { class: 'small' }, `Broker ${broker.provider}: ${broker.configured ? 'configured' : 'not configured'}, `,
      `${broker.connected ? 'connected' : 'not connected'}; live trading `,
      el('strong', {}, broker.liveTrading), broker.reasonCode ? ` (${broker.reasonCode})` : '') : null);
}

function stages(st) {
  if (!st) return null;
  return section('Stages', el('div', { class: 'stage-status' },
    ['LAB', 'PAPER', 'SHADOW', 'CANARY', 'LIVE'].filter((k) => st[k]).map((k) =>
      el('span', { class: `status status-${st[k].status.toLowerCase()}`, title: st[k].reasonCode || '' },
        `${k} ${st[k].status}${st[k].reasonCode ? ' · ' + st[k].reasonCode : ''}`))));
}

// ---------------------------------------------------------------- kickoff

const progress = () => document.getElementById('kickoff-progress');

async function kickoff() {
  const btn = document.getElementById('kickoff-button');
  btn.disabled = true;
  btn.textContent = 'Kicking off…';
  progress().replaceChildren(el('p', { class: 'muted' }, 'Verifying providers and queueing baselines…'));
  try {
    const res = await post('/api/kickoff', {});
    wave = { startedAt: Date.now(), start: res.counts.backtests, kickoff: res, seenWork: false, done: false };
    progress().dataset.wave = 'running';
    trackWave(res.counts);
    if (drawer.hidden) open(); else schedule(WAVE_POLL_MS);
  } catch (err) {
    progress().replaceChildren(errorBox(err, { title: 'Kickoff failed' }));
    progress().dataset.wave = 'failed';
    resetButton();
  }
}

function resetButton() {
  const btn = document.getElementById('kickoff-button');
  btn.disabled = false;
  btn.textContent = 'Kickoff Testing Now';
}

function trackWave(counts) {
  const b = counts.backtests;
  const w = wave;
  const k = w.kickoff;
  const queuedNow = (k.baselines && k.baselines.enqueued) || 0;
  const already = (k.baselines && k.baselines.alreadyQueued) || 0;
  if (b.queued + b.running > 0) w.seenWork = true;
  const completed = b.completed - w.start.completed;
  const failed = b.failed - w.start.failed;
  const secs = Math.round((Date.now() - w.startedAt) / 1000);
  const finished = b.queued === 0 && b.running === 0;
  const verified = (k.verified || []).map((v) =>
    el('li', { class: v.ok ? 'yes' : 'no' }, `${v.provider}: ${v.status}`, v.message ? ` — ${v.message}` : ''));

  let headline;
  if (finished && !w.seenWork && queuedNow === 0 && already === 0) {
    headline = 'Every active bot already has a baseline — nothing new to test. The loop keeps testing on its own.';
  } else if (finished) {
    headline = `Wave finished in ${secs} s: ${completed} completed, ${failed} failed.`;
  } else {
    headline = `Wave running (${secs} s): ${b.queued} queued → ${b.running} running → ${completed} completed${failed ? `, ${failed} failed` : ''}.`;
  }
  progress().replaceChildren(
    el('p', { class: 'wave-headline', id: 'kickoff-status' }, headline),
    el('p', { class: 'small' }, `Queued ${queuedNow} new baseline${queuedNow === 1 ? '' : 's'}${already ? `, ${already} already queued` : ''}.`),
    verified.length ? el('ul', { class: 'small verify-list' }, verified) : null);
  progress().dataset.queued = b.queued;
  progress().dataset.running = b.running;
  progress().dataset.completedDelta = completed;

  if (finished || Date.now() - w.startedAt > WAVE_GIVE_UP_MS) {
    progress().dataset.wave = 'finished';
    wave = null;
    resetButton();
  }
}

