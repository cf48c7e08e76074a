// The rundown as planned: GET /api/rundown (planned starts, back-times, cues, fps).
import { authHeaders } from './token.js';

// Resolves with the rundown, or null when the daemon cannot be reached or refuses.
export async function fetchRundown(token) {
  try {
    const res = await fetch('/api/rundown', { headers: authHeaders(token), cache: 'no-store' });
    if (!res.ok) return null;
    return await res.json();
  } catch {
    return null;
  }
}

// Whether a state's items are the rundown's items (a reload may have changed them).
export function sameItems(rundown, state) {
  if (!rundown || !state || !Array.isArray(state.items)) return false;
  if (rundown.items.length !== state.items.length) return false;
  return rundown.items.every((it, i) => it.id === state.items[i].id);
}
