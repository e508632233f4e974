// Dayu's web UI: plain JavaScript over dayu-server's /api/ (DayuWeb.java). The token lives in this
// tab's sessionStorage and goes in an Authorization header, never a cookie. The selected rollout is
// fetched every second (its batches and nodes move while one watches); the rest every five.
'use strict';

const TOKEN_KEY = 'dayu-token';
const $ = id => document.getElementById(id);
const state = { cluster: null, rollout: null, paramModule: null, diffRevision: null };

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** GET (or POST) one /api/ path; rejects with the server's words, and shows the login on 401. */
async function api(path, method = 'GET') {
  const headers = token() ? { Authorization: 'Bearer ' + token() } : {};
  const response = await fetch(path, { method, headers });
  const text = await response.text();
  if (response.status === 401) {
    showLogin('log in: ' + text.trim());
  }
  if (!response.ok) {
    throw new Error(response.status + ': ' + text.trim());
  }
  return JSON.parse(text);
}

function q(params) {
  return new URLSearchParams(params).toString();
}

function cell(row, text, attributes = {}) {
  const td = row.insertCell();
  td.textContent = text === undefined || text === null ? '' : String(text);
  Object.entries(attributes).forEach(([k, v]) => td.setAttribute(k, v));
  return td;
}

function fill(tableId, items, render) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  items.forEach(item => render(body.insertRow(), item));
}

function time(ms) {
  return ms && Number(ms) > 0 ? new Date(Number(ms)).toLocaleString() : '';
}

/** PARAM_SCOPE_NODE as the CLI says it: node. */
function scope(s) {
  return String(s || '').replace('PARAM_SCOPE_', '').toLowerCase();
}

function status(text) {
  $('status').textContent = text || '';
}

// ---- login --------------------------------------------------------------------------------------

function showLogin(message) {
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
}

async function logIn(given) {
  if (given !== undefined) {
    sessionStorage.setItem(TOKEN_KEY, given);
  }
  try {
    const clusters = await api('/api/clusters');
    $('login').hidden = true;
    $('app').hidden = false;
    $('who').textContent = token() ? 'logged in with a token' : 'authentication is off';
    fillClusters(clusters.clusters || []);
    await refreshAll();
  } catch (e) {
    // Without a token yet, a 401 only means "log in".
    showLogin(token() ? e.message : '');
  }
}

$('login-form').addEventListener('submit', event => {
  event.preventDefault();
  logIn($('token').value.trim());
});

$('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  $('token').value = '';
  showLogin('');
});

// ---- clusters, nodes, modules, parameters ---------------------------------------------------------

function fillClusters(clusters) {
  const select = $('cluster');
  select.replaceChildren(...clusters.map(c => new Option(c.name, c.name)));
  if (!clusters.some(c => c.name === state.cluster)) {
    state.cluster = clusters.length ? clusters[0].name : null;
  }
  select.value = state.cluster || '';
}

$('cluster').addEventListener('change', () => {
  state.cluster = $('cluster').value;
  state.rollout = null;
  state.diffRevision = null;
  refreshAll();
});

async function refreshCluster() {
  const info = await api('/api/cluster?' + q({ cluster: state.cluster }));
  fill('nodes', info.nodes || [], (row, n) => {
    row.dataset.host = n.node.host;
    cell(row, n.node.host);
    cell(row, n.node.rack);
    cell(row, n.node.state);
    cell(row, (n.node.roles || []).join(', '));
    cell(row, Object.entries(n.modules || {}).sort().map(([m, v]) => m + ' ' + v).join(', '));
    cell(row, time(n.node.lastSeenAtMs));
  });
}

async function refreshModules() {
  const modules = (await api('/api/modules')).modules || [];
  fill('modules', modules, (row, m) => {
    cell(row, m.name);
    cell(row, (m.versions || []).map(v => v.version + ' (' + (v.publishedBy || '') + ')').join(', '));
  });
  const select = $('param-module');
  const names = modules.map(m => m.name);
  if (select.options.length !== names.length) {
    select.replaceChildren(...names.map(n => new Option(n, n)));
  }
  if (!names.includes(state.paramModule)) {
    state.paramModule = names.length ? names[0] : null;
  }
  select.value = state.paramModule || '';
}

$('param-module').addEventListener('change', () => {
  state.paramModule = $('param-module').value;
  refreshParams().catch(e => status(e.message));
});

async function refreshParams() {
  if (state.paramModule) {
    const values = await api('/api/params?' + q({ cluster: state.cluster, module: state.paramModule }));
    fill('params', values.values || [], (row, v) => {
      cell(row, scope(v.scope));
      cell(row, v.target);
      cell(row, v.key);
      cell(row, v.value);
      cell(row, v.setIn);
    });
  }
  const history = (await api('/api/params/history?' + q({ cluster: state.cluster }))).revisions || [];
  fill('param-history', history, (row, r) => {
    row.dataset.revision = r.revision;
    row.className = 'pick' + (String(r.revision) === String(state.diffRevision) ? ' picked' : '');
    row.addEventListener('click', () => showDiff(r.revision));
    cell(row, r.revision);
    cell(row, r.author);
    cell(row, r.reason);
    cell(row, time(r.createdAtMs));
    cell(row, (r.changes || []).length);
  });
}

/** What revision {@code revision} changed: the diff from the one before. */
async function showDiff(revision) {
  state.diffRevision = revision;
  const to = Number(revision);
  const diff = await api('/api/params/diff?' + q({ cluster: state.cluster, from: to - 1, to }));
  $('param-diff').hidden = false;
  $('param-diff-title').textContent = 'Revision ' + (to - 1) + ' \u2192 ' + to;
  const body = document.querySelector('#param-diff tbody');
  body.replaceChildren();
  (diff.deltas || []).forEach(d => {
    const row = body.insertRow();
    cell(row, d.module);
    cell(row, scope(d.scope));
    cell(row, d.target);
    cell(row, d.key);
    cell(row, d.before === undefined ? '(unset)' : d.before, { class: 'before' });
    cell(row, d.after === undefined ? '(unset)' : d.after, { class: 'after' });
  });
  document.querySelectorAll('#param-history tbody tr')
    .forEach(tr => tr.classList.toggle('picked', tr.dataset.revision === String(revision)));
}

// ---- rollouts -----------------------------------------------------------------------------------

async function refreshRollouts() {
  const rollouts = (await api('/api/rollouts?' + q({ cluster: state.cluster }))).rollouts || [];
  if (state.rollout === null && rollouts.length) {
    state.rollout = rollouts[0].id;
  }
  fill('rollouts', rollouts, (row, r) => {
    row.dataset.id = r.id;
    row.className = 'pick' + (r.id === state.rollout ? ' picked' : '');
    row.addEventListener('click', () => {
      state.rollout = r.id;
      refreshRollouts().catch(e => status(e.message));
    });
    cell(row, r.id);
    cell(row, r.kind);
    cell(row, Object.entries(r.targets || {}).map(([m, v]) => m + ' ' + v).join(', '));
    cell(row, r.state + (r.paused ? ' (paused)' : '') + (r.awaitingApproval ? ' (awaiting approval)' : ''));
    cell(row, r.createdBy);
    cell(row, time(r.updatedAtMillis));
  });
  if (state.rollout !== null) {
    showRollout(await api('/api/rollout?' + q({ id: state.rollout })));
  }
}

const RUNNING = ['RUNNING', 'ROLLING_BACK'];

function showRollout(r) {
  const box = $('rollout');
  box.hidden = false;
  box.dataset.id = r.id;
  box.dataset.state = r.state;
  box.dataset.paused = Boolean(r.paused);
  box.dataset.awaiting = Boolean(r.awaitingApproval);
  $('rollout-title').textContent = 'Rollout ' + r.id + ': ' + r.kind + ' '
    + Object.entries(r.targets || {}).map(([m, v]) => m + ' ' + v).join(', ');
  $('rollout-state').textContent = r.state + (r.paused ? ', paused' : '')
    + (r.awaitingApproval ? ', awaiting approval of the next batch' : '')
    + (r.repairsPending ? ', repairs pending' : '') + (r.reason ? ': ' + r.reason : '');
  // The buttons the rollout's state allows (Rollout.java refuses the others anyway).
  $('pause').disabled = !RUNNING.includes(r.state) || Boolean(r.paused);
  $('resume').disabled = !r.paused;
  $('approve').disabled = !r.awaitingApproval;
  $('abort').disabled = r.state !== 'RUNNING';
  $('rollback').disabled = !['RUNNING', 'FAILED', 'ABORTED'].includes(r.state);

  const tasks = r.tasks || [];
  const phases = $('phases');
  phases.replaceChildren();
  (r.phases || []).forEach((phase, p) => {
    const h = document.createElement('h4');
    h.textContent = 'Phase ' + (p + 1) + ': ' + phase.module + ' \u2192 ' + (phase.version || '(removed)');
    const table = document.createElement('table');
    table.className = 'batches';
    (phase.batches || []).forEach((batch, b) => {
      const row = table.insertRow();
      row.dataset.batch = b;
      if (p === (r.currentPhase || 0) && b === (r.currentBatch || 0) && RUNNING.includes(r.state)) {
        row.className = 'current';
      }
      cell(row, 'batch ' + (b + 1));
      (batch.hosts || []).forEach(host => {
        const task = tasks.slice().reverse().find(t => t.host === host && (t.phase || 0) === p && t.module === phase.module);
        taskCell(row, host, task);
      });
    });
    phases.append(h, table);
  });
}

/** A node's task in a batch: its state and a bar of the steps done. */
function taskCell(row, host, task) {
  const done = task ? (task.stepsDone || 0) : 0;
  const steps = task ? (task.stepCount || 0) : 0;
  const taskState = task ? task.state : 'PENDING';
  const td = cell(row, '', { class: 'task ' + taskState.toLowerCase(), 'data-host': host, 'data-state': taskState,
    'data-steps': done + '/' + steps });
  const name = document.createElement('div');
  name.textContent = host + ' ' + taskState.toLowerCase() + (steps ? ' ' + done + '/' + steps : '');
  const bar = document.createElement('progress');
  bar.max = steps || 1;
  bar.value = done;
  td.append(name, bar);
  if (task && task.detail) {
    td.title = task.detail;
  }
}

document.querySelectorAll('#rollout button').forEach(button => button.addEventListener('click', async () => {
  try {
    showRollout(await api('/api/rollout/command?' + q({ id: state.rollout, verb: button.dataset.verb }), 'POST'));
    status('');
  } catch (e) {
    status(button.dataset.verb + ' refused: ' + e.message);
  }
}));

// ---- refreshing -----------------------------------------------------------------------------------

async function refreshAll() {
  if (!state.cluster) {
    status('no cluster yet: add one with `feitian dayu cluster add`');
    return;
  }
  try {
    await Promise.all([refreshRollouts(), refreshCluster(), refreshModules().then(refreshParams)]);
    status('');
  } catch (e) {
    status(e.message);
  }
}

let ticks = 0;
setInterval(() => {
  if ($('app').hidden) {
    return;
  }
  ticks++;
  (ticks % 5 === 0 ? refreshAll() : refreshRollouts().catch(e => status(e.message)));
}, 1000);

// Authentication may be off: then no token is needed and the page opens at once.
logIn();
