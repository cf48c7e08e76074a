// The token this browser presents: from a ?token= link (then kept and taken out of the
// address bar) or from localStorage.
const KEY = 'showcaller.token';

export function getToken() {
  try { return localStorage.getItem(KEY) || ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch { /* storage blocked: the token lives for this page only */ }
}

// Call first on every page: a ?token= in the address is stored, then removed from it so
// it does not linger on screen or in screenshots. Returns the token to use.
export function tokenFromUrl() {
  const u = new URL(location.href);
  if (u.searchParams.has('token')) {
    const t = u.searchParams.get('token').trim();
    setToken(t);
    u.searchParams.delete('token');
    history.replaceState(null, '', u.pathname + (u.search || '') + u.hash);
    if (!t) return '';
    return t;
  }
  return getToken();
}

// Headers for the HTTP API (GET /api/rundown needs a token only when viewing is locked).
export function authHeaders(token) {
  return token ? { authorization: `Bearer ${token}` } : {};
}
