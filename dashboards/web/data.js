// buildfarm page, data side: fetching from the scheduler's API or from the published JSON files, and
// turning either into the rows the page shows. No DOM here (app.js renders).
const priorityRank = { critical: 0, urgent: 0, high: 1, normal: 2, low: 3 };

export class HttpError extends Error {
  constructor(status, url) {
    super(`HTTP ${status} from ${url}`);
    this.status = status;
  }
}

export async function getJson(url, token) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { headers, cache: 'no-store', signal: AbortSignal.timeout(15000) });
  if (!response.ok) throw new HttpError(response.status, url);
  return response.json();
}

export const listOf = (value, key) => (Array.isArray(value) ? value : (value && value[key]) || []);

// The scheduler's API; messages are null (with a note) when the scheduler has no messages API.
export async function loadFromApi(token) {
  const [nodes, jobs] = await Promise.all([
    getJson('api/v1/nodes', token), getJson('api/v1/jobs?limit=200', token)]);
  let messages = null;
  let messagesNote = '';
  try {
    messages = listOf(await getJson('api/v1/messages/search?q=&limit=200', token), 'messages');
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    messagesNote = err.status === 404 ? 'Messages are not available on this scheduler.'
      : `Messages are not available (HTTP ${err.status}).`;
  }
  return { nodes: listOf(nodes, 'nodes'), jobs: listOf(jobs, 'jobs'), messages, messagesNote };
}

// The files a git publisher writes beside the page (a static site such as GitHub Pages).
export async function loadFromGit() {
  const names = await getJson('nodes/index.json');
  const statuses = await Promise.allSettled(
    names.map((name) => getJson(`nodes/${encodeURIComponent(name)}/status.json`)));
  const nodes = statuses.map((result, i) => (result.status === 'fulfilled' ? result.value
    : { server_id: names[i], status: 'offline', unreadable: true }));
  const optional = (url, key) => getJson(url).then((body) => listOf(body, key), () => null);
  const [jobs, messages] = await Promise.all([
    optional('coordination/jobs.json', 'jobs'), optional('coordination/messages.json', 'messages')]);
  const messagesNote = messages ? '' : 'Messages are not available (no coordination/messages.json).';
  return { nodes, jobs: jobs || [], messages, messagesNote };
}

// ---- turning either source into rows ----

const gib = 1024 ** 3;
const fmtGiB = (bytes) => `${(bytes / gib).toFixed(1)} GiB`;
export const fmtPercent = (ratio) => `${Math.round(ratio * 100)}%`;

function fmtDuration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

export function fmtAge(ms) {
  if (ms < 90 * 1000) return `${Math.round(ms / 1000)} s ago`;
  return `${Math.round(ms / 60000)} min ago`;
}

export const health = { ready: 'ok', online: 'ok', idle: 'ok', building: 'ok', cordoned: 'warn', draining: 'warn',
  maintenance: 'warn', down: 'bad', offline: 'bad' };

export function serverFromApi(node) {
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

export function serverFromStatus(doc) {
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

// `mode` is api or git: only the API has logs.
export function jobView(job, mode) {
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
    logUrl: mode === 'api' && job.id && job.started_at ? `api/v1/jobs/${encodeURIComponent(job.id)}/log` : '',
  };
}

function rankOf(priority) {
  if (typeof priority === 'number') return 10 - priority; // jobs' scale: 10 is most urgent
  return priorityRank[String(priority || 'normal').toLowerCase()] ?? 2;
}

// Unread first, then by priority, then newest first.
export function messageViews(messages) {
  return (messages || []).map((m) => ({
    id: m.id, from: m.from || '', to: m.to || '', subject: m.subject || '(no subject)', body: m.body || '',
    priority: m.priority == null ? 'normal' : String(m.priority), rank: rankOf(m.priority),
    read: Boolean(m.read), time: m.timestamp || m.created_at || '',
  })).sort((a, b) => (a.read - b.read) || (a.rank - b.rank) || b.time.localeCompare(a.time));
}
