// Feed page: activity events newest first, filtered by bot and type (kept in the
// address so a filtered feed can be linked), new events prepended as they arrive,
// older ones paged in with the API's keyset cursor (nextBefore).

import { get, query } from './api.js';
import { EVENT_TYPES, eventItem } from './events.js';
import { initHealth } from './health.js';
import { el, emptyState, errorBox, loading, renderHeader } from './ui.js';

const PAGE = 50;
const POLL_MS = 3000;

const root = document.getElementById('feed-root');
const errorSlot = document.getElementById('feed-error');
const more = document.getElementById('feed-more');
const botSelect = document.getElementById('filter-bot');
const typeSelect = document.getElementById('filter-type');
const live = document.getElementById('filter-live');

let list = null;
let newestId = null;
let nextBefore = null;
let generation = 0; // bumps on every filter change so late answers for old filters are dropped

const filters = () => ({ botId: botSelect.value, type: typeSelect.value });

async function loadFirst() {
  const mine = ++generation;
  list = null;
  newestId = null;
  root.replaceChildren(loading('Loading events…'));
  more.hidden = true;
  try {
    const doc = await get('/api/feed' + query({ ...filters(), limit: PAGE }));
    if (mine !== generation) return;
    errorSlot.replaceChildren();
    list = el('ol', { class: 'feed-list', id: 'feed-list' });
    appendEvents(doc.events);
    root.replaceChildren(doc.events.length ? list : emptyState(emptyMessage()));
    newestId = doc.events.length ? doc.events[0].id : 0;
    setCursor(doc.nextBefore);
  } catch (err) {
    if (mine === generation) root.replaceChildren(errorBox(err, { title: 'Could not load the feed' }));
  }
}

function emptyMessage() {
  const f = filters();
  if (f.botId || f.type) return 'No events match these filters yet.';
  return 'No activity yet — seed the starter pack on the Bots page, or press "Kickoff Testing Now" under System.';
}

function setCursor(before) {
  nextBefore = before ?? null;
  more.hidden = nextBefore === null;
}

function appendEvents(events) {
  for (const e of events) list.append(eventItem(e));
}

async function loadOlder() {
  if (nextBefore === null) return;
  const mine = generation;
  more.disabled = true;
  try {
    const doc = await get('/api/feed' + query({ ...filters(), limit: PAGE, before: nextBefore }));
    if (mine !== generation) return;
    appendEvents(doc.events);
    setCursor(doc.nextBefore);
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err, { title: 'Could not load older events' }));
  } finally {
    more.disabled = false;
  }
}

// New events: everything above the newest id we hold, fetched newest first.
async function pollNew() {
  if (!live.checked || document.hidden || newestId === null) return;
  const mine = generation;
  try {
    const doc = await get('/api/feed' + query({ ...filters(), limit: PAGE }));
    if (mine !== generation) return;
    errorSlot.replaceChildren();
    const arrivals = doc.events.filter((e) => e.id > newestId);
    if (!arrivals.length) return;
    if (!list || !list.isConnected) {
      list = el('ol', { class: 'feed-list', id: 'feed-list' });
      root.replaceChildren(list);
    }
    // Keep the reader's place: if they have scrolled down, compensate for the rows added above.
    const before = document.documentElement.scrollHeight;
    const atTop = window.scrollY < 40;
    const frag = document.createDocumentFragment();
    for (const e of arrivals) frag.append(eventItem(e));
    for (const node of frag.children) node.classList.add('arrived');
    list.prepend(frag);
    if (!atTop) window.scrollBy(0, document.documentElement.scrollHeight - before);
    newestId = arrivals[0].id;
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err, { title: 'Live update failed; showing what was loaded' }));
  }
}

async function fillBots() {
  try {
    const doc = await get('/api/bots');
    const bots = (doc.bots || []).slice().sort((a, b) => a.name.localeCompare(b.name));
    for (const b of bots) botSelect.append(el('option', { value: b.id }, b.status === 'ACTIVE' ? b.name : `${b.name} (${b.status.toLowerCase()})`));
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err, { title: 'Could not load the bot list for the filter' }));
  }
}

function syncAddress() {
  const f = filters();
  history.replaceState(null, '', location.pathname + query(f) + location.hash);
}

async function init() {
  renderHeader('feed.html');
  initHealth();
  for (const t of EVENT_TYPES) typeSelect.append(el('option', { value: t }, t));
  const params = new URLSearchParams(location.search);
  await fillBots();
  const wantBot = params.get('botId');
  const wantType = params.get('type');
  if (wantBot) {
    if (![...botSelect.options].some((o) => o.value === wantBot)) botSelect.append(el('option', { value: wantBot }, wantBot));
    botSelect.value = wantBot;
  }
  if (wantType) {
    if (!EVENT_TYPES.includes(wantType)) typeSelect.append(el('option', { value: wantType }, wantType));
    typeSelect.value = wantType;
  }
  for (const s of [botSelect, typeSelect]) s.addEventListener('change', () => { syncAddress(); loadFirst(); });
  document.getElementById('feed-filters').addEventListener('submit', (e) => e.preventDefault());
  more.addEventListener('click', loadOlder);
  await loadFirst();
  setInterval(pollNew, POLL_MS);
}

init();
