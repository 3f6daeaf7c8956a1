// buildfarm page: servers, jobs and messages from the scheduler's API (bearer token kept in localStorage),
// or, on a static site such as GitHub Pages, from the JSON files the git publisher writes beside the page.
// No framework and no build step; every value from the data goes into the page as text, never as HTML.
// This file is the page side (state, rendering, keys); data.js fetches and shapes the data.
import {
  HttpError, fmtAge, fmtPercent, health, jobView, loadFromApi, loadFromGit, messageViews, serverFromApi,
  serverFromStatus,
} from './data.js';

const params = new URLSearchParams(location.search);
const positive = (text, fallback) => (Number(text) > 0 ? Number(text) : fallback);
// refresh (seconds) and backoff_ms tune the timers; the browser test shortens them.
const config = {
  refreshMs: positive(params.get('refresh'), 120) * 1000,
  backoffBaseMs: positive(params.get('backoff_ms'), 2000),
  source: params.get('source') || 'auto', // auto | api | git
};
const storageKeys = { theme: 'buildfarm.theme', token: 'buildfarm.token' };

const state = {
  mode: config.source === 'auto' ? null : config.source,
  raw: { nodes: [], jobs: [], messages: null },
  view: { servers: [], jobs: [], messages: [] },
  messagesNote: '',
  fetchedAt: 0, // ms since epoch of the last successful fetch
  lastFetchOk: null,
  failures: 0,
  needsToken: false,
  timer: 0,
  inFlight: false,
};

const $ = (id) => document.getElementById(id);

// ---- fetching ----

function token() { return localStorage.getItem(storageKeys.token) || ''; }

async function load() {
  if (state.mode === 'git') return loadFromGit();
  try {
    const data = await loadFromApi(token());
    state.mode = 'api';
    return data;
  } catch (err) {
    // Not served by the scheduler (a static site answers 404 for the API): read the published files.
    if (state.mode === null && err instanceof HttpError && err.status === 404) {
      state.mode = 'git';
      return loadFromGit();
    }
    throw err;
  }
}

async function refresh() {
  if (state.inFlight) return;
  state.inFlight = true;
  clearTimeout(state.timer);
  let delay = config.refreshMs;
  try {
    const { messagesNote, ...raw } = await load();
    state.raw = raw;
    state.messagesNote = messagesNote;
    state.fetchedAt = Date.now();
    state.lastFetchOk = true;
    state.failures = 0;
    state.needsToken = false;
    showError('');
    render();
  } catch (err) {
    state.lastFetchOk = false;
    state.failures += 1;
    if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
      state.mode = 'api';
      state.needsToken = true;
      $('token-error').textContent = token() ? `The scheduler refused this token (HTTP ${err.status}).` : '';
      delay = 0; // wait for a token rather than retrying
      showError('');
    } else {
      delay = Math.min(config.backoffBaseMs * 2 ** (state.failures - 1), config.refreshMs);
      showError(`Could not load data (${err.message}); retrying in ${Math.round(delay / 100) / 10} s.`);
    }
  } finally {
    state.inFlight = false;
    if (delay > 0) state.timer = setTimeout(refresh, delay);
    updateChrome();
  }
}

function showError(text) { $('error').textContent = text; }

// ---- rendering ----

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child != null && child !== '') node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const stateBadge = (value) => el('span', { class: `state state-${value}` }, value || 'unknown');
const searchText = (...parts) => parts.filter((p) => p != null).join(' ').toLowerCase();

function meter(ratio, text) {
  if (ratio == null || !Number.isFinite(ratio)) return text || '–';
  const bounded = Math.min(Math.max(ratio, 0), 1);
  const gauge = el('span', { class: 'gauge' },
    el('meter', { min: 0, max: 1, low: 0.7, high: 0.9, optimum: 0, value: bounded }), ` ${fmtPercent(bounded)}`);
  return text ? el('span', {}, gauge, ` · ${text}`) : gauge;
}

function renderServers() {
  const container = $('servers');
  container.replaceChildren(...state.view.servers.map((s) => {
    const rows = [
      ['CPU', meter(s.cpu)],
      ['Memory', meter(s.memoryRatio, s.memory)],
      ['Disk', s.disk || '–'],
      ['Temperature', s.temperature != null ? `${s.temperature.toFixed(1)} °C` : '–'],
      ['Latency', s.latencyMs != null ? `${s.latencyMs.toFixed(1)} ms` : '–'],
      ['Current job', s.currentJob || 'none'],
    ];
    return el('article', {
      class: `card health-${health[s.state] || 'unknown'}`,
      dataset: { search: searchText(s.name, s.state, s.currentJob) },
    },
    el('h3', {}, s.name, stateBadge(s.state)),
    el('dl', {}, ...rows.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)])),
    el('div', { class: 'muted' }, s.age));
  }));
  if (!state.view.servers.length) container.replaceChildren(el('p', { class: 'empty' }, 'No servers yet.'));
}

function renderJobs() {
  const rows = state.view.jobs.map((j) => el('tr', { dataset: { search: searchText(j.id, j.state, j.node, j.branch) } },
    el('td', { 'data-label': 'Job' }, j.id),
    el('td', { 'data-label': 'State' }, stateBadge(j.state)),
    el('td', { 'data-label': 'Node' }, j.node || '–'),
    el('td', { 'data-label': 'Branch' }, j.branch || '–'),
    el('td', { 'data-label': 'Duration' }, j.duration || '–'),
    el('td', { 'data-label': 'Log' }, j.logUrl ? el('a', { href: j.logUrl, class: 'log-link', dataset: { job: j.id } }, 'log') : '–')));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No jobs.')));
  $('jobs').replaceChildren(...rows);
}

function renderMessages() {
  const list = $('messages');
  if (state.raw.messages === null) {
    list.replaceChildren(el('li', { class: 'empty', id: 'messages-unavailable' }, state.messagesNote));
    return;
  }
  const items = state.view.messages.map((m) => el('li', {
    class: m.read ? 'read' : 'unread',
    dataset: { search: searchText(m.subject, m.body, m.from, m.to, m.priority) },
  },
  el('div', {}, el('span', { class: `priority priority-${m.priority.toLowerCase()}` }, m.priority),
    el('span', { class: 'subject' }, m.subject)),
  el('div', { class: 'muted' }, `${m.from} → ${m.to}${m.time ? ` · ${m.time}` : ''}${m.read ? '' : ' · unread'}`),
  m.body ? el('p', { class: 'body' }, m.body) : ''));
  list.replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, 'No messages.')]));
}

function render() {
  const fromApi = state.mode === 'api';
  state.view.servers = state.raw.nodes.map(fromApi ? serverFromApi : serverFromStatus)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  state.view.jobs = state.raw.jobs.map((job) => jobView(job, state.mode));
  state.view.messages = messageViews(state.raw.messages);
  renderServers();
  renderJobs();
  renderMessages();
  applySearch();
}

function applySearch() {
  const query = $('search').value.trim().toLowerCase();
  for (const [section, selector] of [['servers', '#servers [data-search]'], ['jobs', '#jobs [data-search]'],
    ['messages', '#messages [data-search]']]) {
    const items = [...document.querySelectorAll(selector)];
    let shown = 0;
    for (const item of items) {
      const match = !query || item.dataset.search.includes(query);
      item.classList.toggle('filtered-out', !match);
      shown += match ? 1 : 0;
    }
    $(`${section}-count`).textContent = query ? `(${shown} of ${items.length})` : `(${items.length})`;
  }
}

// fresh: the last fetch worked and its data is recent; stale: old data, or one failed fetch after good
// data; offline: fetches fail and the data (if any) is older than three refresh intervals.
function connectionState() {
  const age = state.fetchedAt ? Date.now() - state.fetchedAt : Infinity;
  const staleAfter = config.refreshMs * 1.5;
  if (state.lastFetchOk && age <= staleAfter) return 'fresh';
  if (state.lastFetchOk || age <= config.refreshMs * 3) return state.fetchedAt ? 'stale' : 'offline';
  return 'offline';
}

function updateChrome() {
  const quality = connectionState();
  const indicator = $('connection');
  indicator.dataset.state = quality;
  indicator.textContent = quality;
  $('updated').textContent = state.fetchedAt ? `updated ${fmtAge(Date.now() - state.fetchedAt)}` : '';
  $('token-form').hidden = !state.needsToken;
  $('forget-token').hidden = !token();
  $('source').textContent = state.mode === 'git' ? 'source: published JSON files'
    : state.mode === 'api' ? 'source: scheduler API' : 'source: detecting';
  $('interval').textContent = String(config.refreshMs / 1000);
}

// ---- actions ----

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  $('theme').textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
}

function toggleTheme() {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem(storageKeys.theme, next);
  applyTheme(next);
}

function exportJson() {
  const data = { exported_at: new Date().toISOString(), source: state.mode, fetched_at:
    state.fetchedAt ? new Date(state.fetchedAt).toISOString() : null, ...state.raw };
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const link = el('a', { href: url, download: `buildfarm-${stamp}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function showLog(jobId, url) {
  $('log-job').textContent = jobId;
  $('log-text').textContent = 'Loading…';
  $('log-panel').hidden = false;
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token()}` }, cache: 'no-store' });
    if (!response.ok) {
      // 410: retention deleted the log; the error sentence says when.
      const error = await response.json().catch(() => ({}));
      $('log-text').textContent = error.error ? `HTTP ${response.status}: ${error.error}` : `HTTP ${response.status}`;
    } else {
      // The scheduler answers at most 1 MiB per read; say when the log goes on.
      const text = (await response.text()) || '(empty log)';
      const size = Number(response.headers.get('X-Log-Size'));
      const next = Number(response.headers.get('X-Log-Next-Offset'));
      $('log-text').textContent = size > next ? `${text}\n… (${next} of ${size} bytes shown; build-cli logs ${jobId} prints all)` : text;
    }
  } catch (err) {
    $('log-text').textContent = `Could not load the log: ${err.message}`;
  }
  $('log-panel').scrollIntoView({ block: 'nearest' });
}

function onKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
    if (event.key === 'Escape' && document.activeElement === $('search')) {
      $('search').value = '';
      applySearch();
    }
    return;
  }
  const key = event.key.toLowerCase();
  if (key === 'r') refresh();
  else if (key === 'f') $('search').focus();
  else if (key === 't') toggleTheme();
  else return;
  event.preventDefault();
}

function start() {
  applyTheme(localStorage.getItem(storageKeys.theme)
    || (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'));
  $('theme').addEventListener('click', toggleTheme);
  $('refresh').addEventListener('click', refresh);
  $('export').addEventListener('click', exportJson);
  $('search').addEventListener('input', applySearch);
  $('log-close').addEventListener('click', () => { $('log-panel').hidden = true; });
  $('jobs').addEventListener('click', (event) => {
    const link = event.target.closest('a.log-link');
    if (!link) return;
    event.preventDefault(); // the log needs the bearer token, which a plain link cannot send
    showLog(link.dataset.job, link.getAttribute('href'));
  });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    localStorage.setItem(storageKeys.token, $('token').value.trim());
    $('token').value = '';
    refresh();
  });
  $('forget-token').addEventListener('click', () => {
    localStorage.removeItem(storageKeys.token);
    state.needsToken = true;
    updateChrome();
  });
  document.addEventListener('keydown', onKey);
  setInterval(updateChrome, 1000);
  updateChrome();
  refresh();
}

start();
