// The index (/): links to the views, the control token kept in this browser, a live check
// of what that token allows.
import { Connection } from './conn.js';
import { mountHealth } from './health.js';
import { tokenFromUrl, setToken } from './token.js';

const $ = (id) => document.getElementById(id);
let token = tokenFromUrl();
let conn = null;
const status = $('token-status');

function showRole(role, refused) {
  if (refused) {
    status.dataset.role = 'refused';
    status.textContent = 'The daemon refused this token: pages can view, not control.';
  } else if (role === 'control') {
    status.dataset.role = 'control';
    status.textContent = 'Control token accepted: the producer page can run the show.';
  } else if (!token) {
    status.dataset.role = 'none';
    status.textContent = conn && conn.hello && conn.hello.view_token_required
      ? 'No token in this browser, and this daemon needs one even to view.'
      : 'No token in this browser: pages can view, not control.';
  } else {
    status.dataset.role = role || 'none';
    status.textContent = 'This token allows viewing only.';
  }
}

conn = new Connection({
  token,
  onHello: (h) => {
    if (!conn.authPending) showRole(h.role, conn.authRefused);
    // The as-run log needs a token when viewing is locked.
    const q = h.view_token_required && token ? `?token=${encodeURIComponent(token)}` : '';
    $('asrun-csv').href = `/api/asrun.csv${q}`;
    $('asrun-json').href = `/api/asrun${q}`;
  },
  onState: (st) => {
    $('show-title').textContent = st.show.title;
    $('show-state').textContent = st.show.rehearsal ? `${st.show.state} \u00b7 rehearsal` : st.show.state;
  },
}).start();
mountHealth($('health'), conn);

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token-input').value.trim();
  $('token-input').value = '';
  setToken(token);
  conn.setToken(token);
});
$('token-clear').addEventListener('click', () => {
  token = '';
  setToken('');
  conn.setToken('');
  showRole(null, false);
});
