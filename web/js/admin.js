// Admin actions: metrics reset (dry run first, then confirm), revert stages to LAB
// (the affected bots listed first, then confirm), and the loop switch. The admin
// token is asked once and kept in sessionStorage, so it leaves with the tab.

import { ApiError, adminToken, get, post } from './api.js';
import { int, stamp } from './format.js';
import { initHealth } from './health.js';
import { botHref, el, errorBox, link, renderHeader, stagePill } from './ui.js';

const $ = (id) => document.getElementById(id);
const TOKEN_ERRORS = new Set(['ADMIN_TOKEN_REQUIRED', 'ADMIN_TOKEN_INVALID']);

// ---------------------------------------------------------------- token

function showTokenState() {
  const has = Boolean(adminToken.get());
  $('token-form').hidden = has;
  $('token-set').hidden = !has;
}

function requireToken(resultSlot) {
  if (adminToken.get()) return true;
  resultSlot.replaceChildren(el('div', { class: 'notice' }, 'Enter the admin token above first.'));
  $('admin-token').focus();
  return false;
}

// A refused token is forgotten, so the next attempt asks again instead of repeating it.
function showError(slot, err, title) {
  if (err instanceof ApiError && TOKEN_ERRORS.has(err.code)) {
    adminToken.clear();
    showTokenState();
  }
  slot.replaceChildren(errorBox(err, { title }));
}

const plural = (n, word) => `${int(n)} ${word}${n === 1 ? '' : 's'}`;
const pre = (doc) => el('details', {}, el('summary', { class: 'small muted' }, 'response'), el('pre', {}, JSON.stringify(doc, null, 2)));

// ---------------------------------------------------------------- reset metrics

let dryRunFor = null; // the request the last dry run answered; confirm sends exactly this

function resetRequest() {
  const scopeKind = $('reset-scope').value;
  const scope = scopeKind === 'ALL' ? 'ALL' : [...$('reset-bots').selectedOptions].map((o) => o.value);
  return { scope, reasonCode: $('reset-reason').value.trim() };
}

function invalidateDryRun() {
  dryRunFor = null;
  $('reset-confirm').disabled = true;
}

async function resetDryRun() {
  const slot = $('reset-result');
  if (!requireToken(slot)) return;
  const req = resetRequest();
  if (Array.isArray(req.scope) && !req.scope.length) {
    slot.replaceChildren(el('div', { class: 'notice' }, 'Choose at least one bot, or scope "All bots".'));
    return;
  }
  $('reset-dry-run').disabled = true;
  try {
    const doc = await post('/api/admin/reset-metrics', { ...req, dryRun: true }, { admin: true });
    dryRunFor = req;
    slot.replaceChildren(el('div', { class: 'notice', id: 'reset-dry-run-result' },
      el('strong', {}, 'Dry run — nothing changed yet. '),
      `A reset now would cover ${int(doc.bots)} bot${doc.bots === 1 ? '' : 's'}, stop counting ${int(doc.sessionsExcluded)} completed session${doc.sessionsExcluded === 1 ? '' : 's'} `,
      `and leave ${int(doc.activeBotsNeedingBaseline)} active bot${doc.activeBotsNeedingBaseline === 1 ? '' : 's'} needing a new baseline. `,
      doc.previousResetAt ? `Previous reset: ${stamp(doc.previousResetAt)}. ` : 'No previous reset. ',
      `Reason ${doc.reasonCode}.`), pre(doc));
    $('reset-confirm').disabled = false;
  } catch (err) {
    invalidateDryRun();
    showError(slot, err, 'Dry run refused');
  } finally {
    $('reset-dry-run').disabled = false;
  }
}

async function resetConfirm() {
  const slot = $('reset-result');
  if (!dryRunFor || !requireToken(slot)) return;
  $('reset-confirm').disabled = true;
  try {
    const doc = await post('/api/admin/reset-metrics', { ...dryRunFor, dryRun: false }, { admin: true });
    slot.replaceChildren(el('div', { class: 'notice ok', id: 'reset-done' },
      el('strong', {}, 'Metrics reset. '), `${plural(doc.bots, 'bot')} counted from ${stamp(doc.resetAt)}; ${plural(doc.sessionsExcluded, 'older session')} no longer count. `,
      'The planner queues new baselines; watch the badges on the ', link('index.html', 'bots page'), '.'), pre(doc));
  } catch (err) {
    showError(slot, err, 'Reset refused');
  } finally {
    dryRunFor = null;
  }
}

// ---------------------------------------------------------------- revert stages

async function revertPreview() {
  const slot = $('revert-result');
  try {
    const doc = await get('/api/bots');
    const affected = doc.bots.filter((b) => !b.pinned && b.stage !== 'LAB' && ['PAPER', 'SHADOW', 'CANARY', 'LIVE'].includes(b.stage));
    slot.replaceChildren(affected.length
      ? el('div', { class: 'notice', id: 'revert-preview-result' },
        el('p', { style: 'margin:0 0 6px' }, el('strong', {}, `${affected.length} bot${affected.length === 1 ? '' : 's'} would go back to LAB:`)),
        el('ul', { class: 'small', style: 'margin:0' }, affected.map((b) => el('li', {}, link(botHref(b.id), b.name), ' ', stagePill(b.stage)))))
      : el('div', { class: 'notice', id: 'revert-preview-result' }, 'No non-pinned bot is above LAB: a revert would change nothing.'));
    $('revert-confirm').disabled = affected.length === 0;
  } catch (err) {
    showError(slot, err, 'Could not list the bots');
  }
}

async function revertConfirm() {
  const slot = $('revert-result');
  if (!requireToken(slot)) return;
  $('revert-confirm').disabled = true;
  try {
    const doc = await post('/api/admin/revert-stages', {}, { admin: true });
    slot.replaceChildren(el('div', { class: 'notice ok', id: 'revert-done' },
      el('strong', {}, `${int(doc.reverted)} bot${doc.reverted === 1 ? '' : 's'} reverted to LAB.`)), pre(doc));
  } catch (err) {
    showError(slot, err, 'Revert refused');
  }
}

// ---------------------------------------------------------------- loop

let loopEnabled = null;

async function loadLoop() {
  try {
    const a = await get('/api/_proof/autonomy');
    setLoop(a.loopEnabled);
  } catch (err) {
    $('loop-state').textContent = 'unknown';
    $('loop-result').replaceChildren(errorBox(err, { title: 'Could not read the loop state' }));
  }
}

function setLoop(enabled) {
  loopEnabled = enabled;
  $('loop-state').textContent = enabled ? 'on' : 'off';
  $('loop-state').dataset.enabled = String(enabled);
  const btn = $('loop-toggle');
  btn.disabled = false;
  btn.textContent = enabled ? 'Switch the loop off' : 'Switch the loop on';
  btn.className = enabled ? 'danger' : 'primary';
}

async function toggleLoop() {
  const slot = $('loop-result');
  if (loopEnabled === null || !requireToken(slot)) return;
  $('loop-toggle').disabled = true;
  try {
    const doc = await post('/api/admin/loop', { enabled: !loopEnabled }, { admin: true });
    setLoop(doc.loopEnabled);
    slot.replaceChildren(el('div', { class: 'notice ok' }, `Loop switched ${doc.loopEnabled ? 'on' : 'off'}${doc.changed === false ? ' (it already was)' : ''}.`), pre(doc));
  } catch (err) {
    $('loop-toggle').disabled = false;
    showError(slot, err, 'Loop switch refused');
  }
}

// ---------------------------------------------------------------- wiring

async function fillBots() {
  try {
    const doc = await get('/api/bots');
    for (const b of doc.bots.slice().sort((x, y) => x.name.localeCompare(y.name))) {
      $('reset-bots').append(el('option', { value: b.id }, `${b.name} (${b.stage}${b.status === 'ACTIVE' ? '' : ', ' + b.status.toLowerCase()})`));
    }
  } catch (err) {
    $('reset-result').replaceChildren(errorBox(err, { title: 'Could not load the bot list' }));
  }
}

function init() {
  renderHeader('admin.html');
  initHealth();
  showTokenState();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('admin-token').value.trim();
    if (!value) return;
    adminToken.set(value);
    $('admin-token').value = '';
    showTokenState();
  });
  $('token-forget').addEventListener('click', () => { adminToken.clear(); showTokenState(); });

  $('reset-scope').addEventListener('change', () => { $('reset-bots').hidden = $('reset-scope').value === 'ALL'; invalidateDryRun(); });
  $('reset-bots').addEventListener('change', invalidateDryRun);
  $('reset-reason').addEventListener('input', invalidateDryRun);
  $('reset-dry-run').addEventListener('click', resetDryRun);
  $('reset-confirm').addEventListener('click', resetConfirm);
  $('revert-preview').addEventListener('click', revertPreview);
  $('revert-confirm').addEventListener('click', revertConfirm);
  $('loop-toggle').addEventListener('click', toggleLoop);
  fillBots();
  loadLoop();
}

init();
