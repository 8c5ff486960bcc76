// The one way pages talk to the API. Every failure becomes an ApiError that carries
// the API's own code, message and suggested fix, so pages can show them verbatim
// instead of a blank panel.

export class ApiError extends Error {
  constructor(status, code, message, details, traceId) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
    this.traceId = traceId || null;
  }
  get suggestedFix() { return this.details.suggested_fix || null; }
}

// Server clock minus client clock, in ms, from the Date header of the last answer.
// Elapsed badges tick on the client from the server's `since`; without this a
// skewed client clock would show negative or inflated times. The header has a
// one-second resolution, so small differences are ignored to avoid jitter.
let clockSkewMs = 0;
export function serverNow() { return Date.now() + clockSkewMs; }

function noteServerDate(res) {
  const header = res.headers.get('Date');
  if (!header) return;
  const skew = Date.parse(header) - Date.now();
  if (Number.isFinite(skew)) clockSkewMs = Math.abs(skew) > 2000 ? skew : 0;
}

const ADMIN_TOKEN_KEY = 'gauntlet.adminToken';
export const adminToken = {
  get: () => sessionStorage.getItem(ADMIN_TOKEN_KEY),
  set: (value) => sessionStorage.setItem(ADMIN_TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(ADMIN_TOKEN_KEY),
};

export async function request(method, path, { body, admin = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (admin) {
    const token = adminToken.get();
    if (token) headers['X-Admin-Token'] = token;
  }
  let res;
  try {
    res = await fetch(path, {
      method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK_ERROR', `The API is unreachable (${e.message}).`,
      { suggested_fix: 'check that the stack is running: scripts/up' });
  }
  noteServerDate(res);
  let doc = null;
  const text = await res.text();
  if (text) {
    try { doc = JSON.parse(text); } catch { /* not JSON: nginx error page, handled below */ }
  }
  if (!res.ok) {
    const err = doc && doc.error;
    if (err) throw new ApiError(res.status, err.code, err.message, err.details, err.trace_id);
    throw new ApiError(res.status, `HTTP_${res.status}`, `${method} ${path} answered ${res.status} ${res.statusText}`);
  }
  return doc;
}

export const get = (path) => request('GET', path);
export const post = (path, body, opts = {}) => request('POST', path, { body: body === undefined ? {} : body, ...opts });

// Query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
