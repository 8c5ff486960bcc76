// API reference page: renders the OpenAPI 3.1 contract from /api/openapi.json —
// operations grouped by tag with their parameters, request body, responses (status,
// description, error codes) and schemas. Everything is built with el() (textContent),
// never innerHTML: descriptions are shown as plain text.

import { get } from './api.js';
import { initHealth } from './health.js';
import { el, errorBox, renderHeader } from './ui.js';

const root = document.getElementById('api-root');
const errorSlot = document.getElementById('api-error');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let spec = null;

// A local $ref ('#/components/schemas/Bot') resolved against the document.
function resolve(node) {
  let seen = 0;
  while (node && node.$ref && seen++ < 20) {
    node = node.$ref.replace(/^#\//, '').split('/').reduce((o, k) => (o ? o[k] : undefined), spec);
  }
  return node || {};
}

const refName = (node) => (node && node.$ref ? node.$ref.split('/').pop() : null);

// A one-line type: "string (uuid)", "integer 1…200", "array of Bot", "BotSummary | null".
function typeText(schema) {
  if (!schema) return 'any';
  const name = refName(schema);
  if (name) return name;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(schema[key])) return schema[key].map(typeText).join(key === 'allOf' ? ' & ' : ' | ');
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  let text = types.map((t) => (t === 'array' ? `array of ${typeText(schema.items)}` : t)).join(' | ') || 'any';
  if (schema.format) text += ` (${schema.format})`;
  if (schema.enum) text += `: ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (schema.minimum !== undefined || schema.maximum !== undefined) text += ` ${schema.minimum ?? ''}…${schema.maximum ?? ''}`;
  if (schema.pattern) text += ` /${schema.pattern}/`;
  if (schema.maxLength !== undefined) text += ` ≤ ${schema.maxLength} chars`;
  return text;
}

// An object schema's fields as a table (one level; nested named schemas link to their section).
function fieldsTable(schema) {
  const s = resolve(schema);
  const props = s.properties || {};
  const names = Object.keys(props);
  if (!names.length) {
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return el('p', { class: 'small' }, 'A map: each value is ', el('code', {}, typeText(s.additionalProperties)), '.');
    }
    return el('p', { class: 'small muted' }, typeText(schema) + (s.additionalProperties === false ? ' (no fields)' : ''));
  }
  const required = new Set(s.required || []);
  return el('div', { class: 'table-wrap' }, el('table', { class: 'compact' },
    el('thead', {}, el('tr', {}, el('th', {}, 'field'), el('th', {}, 'type'), el('th', {}, 'required'), el('th', {}, 'notes'))),
    el('tbody', {}, names.map((n) => {
      const p = props[n];
      const name = refName(p) || (p.items && refName(p.items));
      return el('tr', { 'data-field': n },
        el('td', {}, el('code', {}, n)),
        el('td', {}, name ? el('a', { href: `#schema-${name}` }, typeText(p)) : typeText(p)),
        el('td', {}, required.has(n) ? 'yes' : ''),
        el('td', { class: 'small' }, resolve(p).description || ''));
    }))));
}

function parametersTable(parameters) {
  const list = (parameters || []).map(resolve);
  if (!list.length) return null;
  return el('div', {}, el('h3', {}, 'Parameters'), el('div', { class: 'table-wrap' }, el('table', { class: 'compact' },
    el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'in'), el('th', {}, 'type'), el('th', {}, 'default'), el('th', {}, 'notes'))),
    el('tbody', {}, list.map((p) => {
      const schema = resolve(p.schema);
      return el('tr', { 'data-parameter': p.name },
        el('td', {}, el('code', {}, p.name), p.required ? ' *' : ''),
        el('td', {}, p.in),
        el('td', {}, typeText(p.schema)),
        el('td', {}, schema.default !== undefined ? JSON.stringify(schema.default) : ''),
        el('td', { class: 'small' }, p.description || schema.description || ''));
    })))));
}

function bodySection(requestBody) {
  if (!requestBody) return null;
  const body = resolve(requestBody);
  const media = (body.content || {})['application/json'];
  if (!media) return null;
  return el('div', {},
    el('h3', {}, 'Request body', body.required ? '' : ' (optional)'),
    fieldsTable(media.schema),
    media.example !== undefined ? el('pre', { class: 'mono small' }, JSON.stringify(media.example, null, 2)) : null);
}

function responsesTable(responses) {
  const codes = Object.keys(responses || {});
  return el('div', {}, el('h3', {}, 'Responses'), el('div', { class: 'table-wrap' }, el('table', { class: 'compact' },
    el('thead', {}, el('tr', {}, el('th', {}, 'status'), el('th', {}, 'body'), el('th', {}, 'meaning'))),
    el('tbody', {}, codes.map((code) => {
      const r = resolve(responses[code]);
      const [type, media] = Object.entries(r.content || {})[0] || [];
      const name = media ? refName(media.schema) : null;
      return el('tr', { 'data-status': code },
        el('td', {}, el('code', {}, code)),
        el('td', {}, !media ? '—' : name ? el('a', { href: `#schema-${name}` }, name) : `${type}: ${typeText(media.schema)}`),
        el('td', { class: 'small' }, r.description || ''));
    })))));
}

function operationCard(path, method, op) {
  const id = op.operationId || `${method}-${path}`;
  const secured = (op.security || []).length > 0;
  return el('section', { class: 'card api-op', id: `op-${id}`, 'data-method': method.toUpperCase(), 'data-path': path },
    el('h2', {}, el('span', { class: `api-method api-${method}` }, method.toUpperCase()), ' ', el('code', {}, path)),
    el('p', {}, op.summary || ''),
    op.description ? el('p', { class: 'small muted api-desc' }, op.description) : null,
    secured ? el('p', { class: 'small' }, 'Needs the ', el('code', {}, 'X-Admin-Token'), ' header; nginx rate-limits these routes (429).') : null,
    parametersTable(op.parameters),
    bodySection(op.requestBody),
    responsesTable(op.responses));
}

function schemaCard(name, schema) {
  return el('section', { class: 'card', id: `schema-${name}`, 'data-schema': name },
    el('h2', {}, el('code', {}, name)),
    schema.description ? el('p', { class: 'small muted api-desc' }, schema.description) : null,
    fieldsTable(schema));
}

function render() {
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) if (item[method]) ops.push({ path, method, op: item[method] });
  }
  const tags = (spec.tags || []).map((t) => t.name);
  for (const { op } of ops) for (const t of op.tags || ['other']) if (!tags.includes(t)) tags.push(t);
  const toc = el('nav', { class: 'card api-toc', id: 'api-toc' }, el('h2', {}, `${ops.length} operations`),
    tags.map((tag) => {
      const mine = ops.filter((o) => (o.op.tags || ['other']).includes(tag));
      if (!mine.length) return null;
      return el('p', { class: 'small' }, el('strong', {}, tag), ': ',
        mine.map((o, i) => [i ? ' · ' : '', el('a', { href: `#op-${o.op.operationId}` }, `${o.method.toUpperCase()} ${o.path}`)]));
    }));
  const info = el('section', { class: 'card' }, el('h2', {}, `${spec.info.title} ${spec.info.version}`),
    el('p', { class: 'api-desc' }, spec.info.description || ''),
    el('p', { class: 'small muted' }, `OpenAPI ${spec.openapi}.`));
  const sections = tags.map((tag) => {
    const mine = ops.filter((o) => (o.op.tags || ['other']).includes(tag));
    if (!mine.length) return null;
    const about = (spec.tags || []).find((t) => t.name === tag);
    return el('div', { 'data-tag': tag }, el('h2', { class: 'api-tag' }, tag, about ? el('span', { class: 'muted small' }, ` — ${about.description}`) : null),
      mine.map((o) => operationCard(o.path, o.method, o.op)));
  });
  const schemas = Object.entries((spec.components || {}).schemas || {});
  root.replaceChildren(info, toc, ...sections,
    el('h2', { class: 'api-tag' }, 'Schemas'), schemas.map(([n, s]) => schemaCard(n, s)));
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

async function init() {
  renderHeader('api.html');
  initHealth();
  try {
    spec = await get('/api/openapi.json');
    render();
  } catch (err) {
    root.replaceChildren();
    errorSlot.replaceChildren(errorBox(err, { title: 'Could not load the API contract' }));
  }
}

init();
