// buildfarm page: servers, jobs and messages from the scheduler's API (bearer token kept in localStorage),
// or, on a static site such as GitHub Pages, from the JSON files the git publisher writes beside the page.
// No framework and no build step; every value from the data goes into the page as text, never as HTML.
'use strict';

(() => {
  const params = new URLSearchParams(location.search);
  const positive = (text, fallback) => (Number(text) > 0 ? Number(text) : fallback);
  // refresh (seconds) and backoff_ms tune the timers; the browser test shortens them.
  const config = {
    refreshMs: positive(params.get('refresh'), 120) * 1000,
    backoffBaseMs: positive(params.get('backoff_ms'), 2000),
    source: params.get('source') || 'auto', // auto | api | git
  };
  const storageKeys = { theme: 'buildfarm.theme', token: 'buildfarm.token' };
  const priorityRank = { critical: 0, urgent: 0, high: 1, normal: 2, low: 3 };

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

  class HttpError extends Error {
    constructor(status, url) {
      super(`HTTP ${status} from ${url}`);
      this.status = status;
    }
  }

  // ---- fetching ----

  function token() { return localStorage.getItem(storageKeys.token) || ''; }

  async function getJson(url, withToken) {
    const headers = { Accept: 'application/json' };
    if (withToken && token()) headers.Authorization = `Bearer ${token()}`;
    const response = await fetch(url, { headers, cache: 'no-store', signal: AbortSignal.timeout(15000) });
    if (!response.ok) throw new HttpError(response.status, url);
    return response.json();
  }

  const listOf = (value, key) => (Array.isArray(value) ? value : (value && value[key]) || []);

  async function loadFromApi() {
    const [nodes, jobs] = await Promise.all([
      getJson('api/v1/nodes', true), getJson('api/v1/jobs?limit=200', true)]);
    let messages = null;
    try {
      messages = listOf(await getJson('api/v1/messages/search?q=&limit=200', true), 'messages');
      state.messagesNote = '';
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      state.messagesNote = err.status === 404 ? 'Messages are not available on this scheduler.'
        : `Messages are not available (HTTP ${err.status}).`;
    }
    return { nodes: listOf(nodes, 'nodes'), jobs: listOf(jobs, 'jobs'), messages };
  }

  async function loadFromGit() {
    const names = await getJson('nodes/index.json', false);
    const statuses = await Promise.allSettled(
      names.map((name) => getJson(`nodes/${encodeURIComponent(name)}/status.json`, false)));
    const nodes = statuses.map((result, i) => (result.status === 'fulfilled' ? result.value
      : { server_id: names[i], status: 'offline', unreadable: true }));
    const optional = (url, key) => getJson(url, false).then((body) => listOf(body, key), () => null);
    const [jobs, messages] = await Promise.all([
      optional('coordination/jobs.json', 'jobs'), optional('coordination/messages.json', 'messages')]);
    state.messagesNote = messages ? '' : 'Messages are not available (no coordination/messages.json).';
    return { nodes, jobs: jobs || [], messages };
  }

  async function load() {
    if (state.mode === 'git') return loadFromGit();
    try {
      const data = await loadFromApi();
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
      state.raw = await load();
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

  // ---- turning either source into rows ----

  const gib = 1024 ** 3;
  const fmtGiB = (bytes) => `${(bytes / gib).toFixed(1)} GiB`;
  const fmtPercent = (ratio) => `${Math.round(ratio * 100)}%`;

  function fmtDuration(seconds) {
    if (seconds == null || !Number.isFinite(seconds)) return '';
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
    return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  }

  function fmtAge(ms) {
    if (ms < 90 * 1000) return `${Math.round(ms / 1000)} s ago`;
    return `${Math.round(ms / 60000)} min ago`;
  }

  const health = { ready: 'ok', online: 'ok', idle: 'ok', building: 'ok', cordoned: 'warn', draining: 'warn',
    maintenance: 'warn', down: 'bad', offline: 'bad' };

  function serverFromApi(node) {
    const m = node.metrics || {};
    const memTotal = node.capacity && node.capacity.memory_bytes;
    // Available can exceed the capacity the agent declared (e.g. a capacity override): never show negative use.
    const memUsed = memTotal && m.memory_available_bytes != null ? Math.max(0, memTotal - m.memory_available_bytes) : null;
    const rtts = Object.values(m.probe_rtt_seconds || {});
    return {
      name: node.name,
      state: node.state,
      cpu: m.cpu_utilization,
      memory: memUsed != null ? `${fmtGiB(memUsed)} of ${fmtGiB(memTotal)}` : '',
      memoryRatio: memUsed != null ? memUsed / memTotal : null,
      disk: m.disk_available_bytes != null ? `${fmtGiB(m.disk_available_bytes)} free` : '',
      temperature: m.temperature_celsius,
      latencyMs: rtts.length ? (rtts.reduce((a, b) => a + b, 0) / rtts.length) * 1000 : null,
      currentJob: (node.running_jobs || []).join(', '),
      age: m.age_seconds != null ? `metrics ${fmtDuration(m.age_seconds)} old` : 'no metrics',
    };
  }

  function serverFromStatus(doc) {
    const sys = doc.system || {};
    const memTotal = doc.capabilities && doc.capabilities.memory_gb;
    return {
      name: doc.server_id,
      state: doc.status,
      cpu: sys.cpu_usage != null ? sys.cpu_usage / 100 : null,
      memory: sys.memory_used_gb != null ? `${sys.memory_used_gb.toFixed(1)}${memTotal ? ` of ${memTotal}` : ''} GiB` : '',
      memoryRatio: memTotal && sys.memory_used_gb != null ? sys.memory_used_gb / memTotal : null,
      disk: sys.disk_free_gb != null ? `${sys.disk_free_gb.toFixed(1)} GiB free` : '',
      temperature: sys.temperature_celsius,
      latencyMs: sys.network_latency_ms,
      currentJob: doc.current_job ? doc.current_job.id || '' : '',
      age: doc.unreadable ? 'status.json unreadable'
        : doc.timestamp ? `status ${fmtAge(Date.now() - Date.parse(doc.timestamp))}` : '',
    };
  }

  function jobView(job) {
    let duration = job.duration_seconds;
    if (duration == null && job.started_at && job.status === 'running') {
      duration = (Date.now() - Date.parse(job.started_at)) / 1000;
    }
    return {
      id: job.id,
      state: job.status,
      node: job.assigned_to || '',
      branch: job.branch || '',
      duration: fmtDuration(duration),
      // Only a job that has started has a log.
      logUrl: state.mode === 'api' && job.id && job.started_at ? `api/v1/jobs/${encodeURIComponent(job.id)}/log` : '',
    };
  }

  function rankOf(priority) {
    if (typeof priority === 'number') return 10 - priority; // jobs' scale: 10 is most urgent
    return priorityRank[String(priority || 'normal').toLowerCase()] ?? 2;
  }

  function messageViews(messages) {
    return (messages || []).map((m) => ({
      id: m.id, from: m.from || '', to: m.to || '', subject: m.subject || '(no subject)', body: m.body || '',
      priority: m.priority == null ? 'normal' : String(m.priority), rank: rankOf(m.priority),
      read: Boolean(m.read), time: m.timestamp || m.created_at || '',
    })).sort((a, b) => (a.read - b.read) || (a.rank - b.rank) || b.time.localeCompare(a.time));
  }

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
    state.view.jobs = state.raw.jobs.map(jobView);
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
      $('log-text').textContent = response.ok ? (await response.text()) || '(empty log)' : `HTTP ${response.status}`;
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
})();
