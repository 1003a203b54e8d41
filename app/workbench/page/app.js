// Themis workbench page: plain DOM code, no library. Every value from the server goes in through textContent,
// never innerHTML. The page talks only to its own origin (the server's CSP enforces it).
'use strict';

const $ = (id) => document.getElementById(id);
const state = { campaigns: [], selected: null, sweep: null, run: null, events: null };

async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) {
    const err = new Error(data.error || `HTTP ${res.status}`);
    err.data = data;
    err.status = res.status;
    throw err;
  }
  return data;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function show(id, text) {
  const e = $(id);
  e.textContent = text || '';
  e.hidden = !text;
}

function fmtMs(v) {
  if (v === null || v === undefined) return '-';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}
const fmtInt = (v) => (v === null || v === undefined ? '-' : Number(v).toLocaleString('en'));
const fmtPct = (share) => `${(share * 100).toFixed(1)} %`;
// To the second: milliseconds only widened the campaigns table.
const fmtTime = (iso) => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '-');

// ---- campaigns ----

function renderCampaigns(list) {
  state.campaigns = list.campaigns;
  const body = $('campaigns').querySelector('tbody');
  body.replaceChildren();
  for (const c of list.campaigns) {
    const tr = document.createElement('tr');
    tr.dataset.campaignId = c.campaign_id;
    if (c.campaign_id === state.selected) tr.classList.add('selected');
    // The report link right after the name: the table may scroll sideways, the link must not scroll away (1400 px).
    const link = el('a', 'open');
    link.href = `/api/campaigns/${encodeURIComponent(c.campaign_id)}/report`;
    link.target = '_blank';
    link.rel = 'noopener';
    link.className = 'report-link';
    link.addEventListener('click', (e) => e.stopPropagation());
    const td = document.createElement('td');
    td.append(link);
    tr.append(
      el('td', c.name, 'name'), td, el('td', c.campaign_id, 'id'), el('td', c.backend, `swatch backend-${c.backend}`),
      el('td', c.status, `status-${c.status}`),
      el('td', `${fmtInt(c.stored_trials)} / ${fmtInt(c.planned_trials)}`, 'num'),
      el('td', fmtInt(c.succeeded_trials), 'num'), el('td', fmtInt(c.failed_trials), 'num'),
      el('td', fmtTime(c.started_at)), el('td', fmtTime(c.finished_at)),
    );
    tr.addEventListener('click', () => selectCampaign(c.campaign_id));
    body.append(tr);
  }
  $('campaigns-empty').hidden = list.campaigns.length > 0;
  show('campaigns-note', list.stale ? list.notice : '');
  if (!state.selected && list.campaigns.length > 0) state.selected = list.campaigns[0].campaign_id;
  renderSummary();
}

function selectCampaign(id) {
  state.selected = id;
  for (const tr of $('campaigns').querySelectorAll('tbody tr')) tr.classList.toggle('selected', tr.dataset.campaignId === id);
  renderSummary();
}

function renderSummary() {
  const c = state.campaigns.find((x) => x.campaign_id === state.selected);
  $('summary-box').hidden = !c;
  if (!c) return;
  $('summary-title').textContent = `${c.name} (${c.campaign_id})`;
  const body = $('summary').querySelector('tbody');
  body.replaceChildren();
  for (const r of c.summary) {
    const tr = document.createElement('tr');
    tr.dataset.mode = r.mode;
    tr.append(
      el('td', r.backend, `swatch backend-${r.backend}`), el('td', r.mode, `swatch mode-${r.mode}`), el('td', fmtInt(r.trials), 'num'), el('td', fmtInt(r.succeeded), 'num'),
      el('td', fmtPct(r.success_rate), 'num'),
      el('td', fmtMs(r.downtime_ms_p50), 'num'), el('td', fmtMs(r.downtime_ms_p95), 'num'),
      el('td', fmtMs(r.outage_ms_p50), 'num'), el('td', fmtMs(r.outage_ms_p95), 'num'),
      el('td', fmtMs(r.total_ms_p50), 'num'), el('td', fmtMs(r.total_ms_p95), 'num'),
    );
    body.append(tr);
  }
}

async function loadCampaigns() {
  try {
    renderCampaigns(await api('GET', '/api/campaigns'));
  } catch (e) {
    show('campaigns-note', `Cannot read campaigns: ${e.message}`);
  }
}

// ---- sweeps and runs ----

async function loadSweeps() {
  const select = $('sweep-select');
  try {
    const { sweeps } = await api('GET', '/api/sweeps');
    const keep = select.value;
    select.replaceChildren(el('option', sweeps.length ? '(choose a sweep)' : '(no *.yaml in the sweeps directory)'));
    select.firstChild.value = '';
    for (const s of sweeps) {
      const o = el('option', s.name);
      o.value = s.name;
      select.append(o);
    }
    if (keep && sweeps.some((s) => s.name === keep)) select.value = keep;
  } catch (e) {
    show('run-error', `Cannot list sweeps: ${e.message}`);
  }
}

function renderDiagnostics(box, diagnostics) {
  const ul = document.createElement('ul');
  for (const d of diagnostics) {
    const where = `${d.file}:${d.line}:${d.column}`;
    ul.append(el('li', d.path ? `${where}: ${d.path}: ${d.message}` : `${where}: ${d.message}`));
  }
  box.append(ul);
}

async function checkSweep(name) {
  const box = $('sweep-check');
  state.sweep = null;
  box.replaceChildren();
  box.hidden = !name;
  $('sweep-text-box').hidden = true;
  show('run-error', '');
  updateButtons();
  if (!name) return;
  try {
    const c = await api('GET', `/api/sweeps/${encodeURIComponent(name)}`);
    state.sweep = c;
    box.className = `check ${c.ok ? 'ok' : 'bad'}`;
    if (c.ok) {
      box.append(el('span', `${c.name}: ok — campaign '${c.campaign_name}' (${c.campaign_id}) on ${c.backend}: ` +
        `${fmtInt(c.points)} points × ${fmtInt(c.repetitions)} repetitions = ${fmtInt(c.trials)} trials`));
    } else {
      box.append(el('span', `${c.name} has ${c.diagnostics.length} problem(s):`));
      renderDiagnostics(box, c.diagnostics);
    }
    if (c.text !== null) {
      $('sweep-text').textContent = c.text;
      $('sweep-text-box').hidden = false;
    }
  } catch (e) {
    box.className = 'check bad';
    box.append(el('span', e.message));
  }
  updateButtons();
}

const active = (run) => !!run && (run.state === 'starting' || run.state === 'running');

function updateButtons() {
  const running = active(state.run);
  $('start-run').disabled = running || !state.sweep || !state.sweep.ok;
  $('cancel-run').disabled = !running || state.run.cancel_requested;
  const pill = $('run-pill');
  pill.textContent = running ? `running ${state.run.campaign_name}` : 'idle';
  pill.className = `pill ${running ? 'running' : 'idle'}`;
}

function renderRun(run) {
  state.run = run;
  $('run-box').hidden = !run;
  updateButtons();
  if (!run) return;
  const bar = $('run-progress');
  bar.max = Math.max(1, run.total_trials || 1);
  bar.value = run.total_trials ? run.done_trials : 0;
  const total = run.total_trials === null ? '?' : fmtInt(run.total_trials);
  let text = `run ${run.run_id} · ${run.sweep} → ${run.campaign_id} · ${run.state}` +
    `${run.cancel_requested && active(run) ? ' (cancelling)' : ''} · ${fmtInt(run.done_trials)} / ${total} trials stored` +
    (active(run) && run.computed_trials > run.done_trials ? ` (${fmtInt(run.computed_trials)} run)` : '') +
    (active(run) && run.phase === 'storing' ? ` · storing ${fmtInt(run.storing_trials)} trials…` : '') +
    ` · ${(run.elapsed_ms / 1000).toFixed(1)} s` + (run.rate_trials_s ? ` · ${fmtInt(run.rate_trials_s)} trials/s` : '');
  if (run.outcome) {
    text += ` · stored ${fmtInt(run.outcome.ran)} new` + (run.outcome.skipped ? `, ${fmtInt(run.outcome.skipped)} already stored` : '');
  }
  $('run-status').textContent = text;
  $('run-status').dataset.state = run.state;
  $('run-status').dataset.runId = String(run.run_id);
  $('run-status').dataset.done = String(run.done_trials);
  $('run-status').dataset.phase = run.phase || '';
  show('run-error', run.error ? `The run failed: ${run.error}` : '');
}

function follow(run) {
  if (state.events) state.events.close();
  renderRun(run);
  if (!active(run)) return;
  const es = new EventSource(`/api/runs/${run.run_id}/events`);
  state.events = es;
  const onInfo = (ev) => renderRun(JSON.parse(ev.data));
  es.addEventListener('snapshot', onInfo);
  es.addEventListener('progress', onInfo);
  es.addEventListener('end', (ev) => {
    es.close();
    state.events = null;
    renderRun(JSON.parse(ev.data));
    loadCampaigns();
  });
  es.onerror = () => {
    // The server closed the stream or went away: stop here (EventSource would retry forever) and ask once.
    es.close();
    state.events = null;
    api('GET', `/api/runs/${run.run_id}`).then((r) => (active(r) ? setTimeout(() => follow(r), 1000) : (renderRun(r), loadCampaigns())), () => {});
  };
}

async function startRun() {
  if (!state.sweep) return;
  show('run-error', '');
  const mode = document.querySelector('input[name="run-mode"]:checked').value;
  try {
    const run = await api('POST', '/api/runs', { sweep: state.sweep.name, mode });
    follow(run);
    loadCampaigns();
  } catch (e) {
    show('run-error', e.message);
    if (e.data && e.data.diagnostics) renderDiagnostics($('run-error'), e.data.diagnostics);
  }
}

async function cancelRun() {
  if (!active(state.run)) return;
  try {
    renderRun(await api('POST', `/api/runs/${state.run.run_id}/cancel`));
  } catch (e) {
    show('run-error', e.message);
  }
}

// ---- SQL ----

/** One result cell; fractional numbers show 6 significant digits, the exact value is in the tooltip. */
function sqlCell(v, numeric) {
  if (v === null) return el('td', 'NULL', 'null');
  if (typeof v === 'number' && !Number.isInteger(v)) {
    const td = el('td', String(Number(v.toPrecision(6))), 'num');
    td.title = String(v);
    return td;
  }
  return el('td', typeof v === 'object' ? JSON.stringify(v) : v, numeric ? 'num' : '');
}

function renderResult(r) {
  const table = $('sql-result');
  const head = document.createElement('tr');
  r.columns.forEach((c, i) => head.append(el('th', c, /INT|DOUBLE|FLOAT|DECIMAL|HUGEINT/.test(r.column_types[i]) ? 'num' : '')));
  table.tHead.replaceChildren(head);
  const body = table.tBodies[0];
  body.replaceChildren();
  const numeric = r.column_types.map((t) => /INT|DOUBLE|FLOAT|DECIMAL|HUGEINT/.test(t));
  for (const row of r.rows) {
    const tr = document.createElement('tr');
    row.forEach((v, i) => tr.append(sqlCell(v, numeric[i])));
    body.append(tr);
  }
  show('sql-info', `${fmtInt(r.row_count)} row${r.row_count === 1 ? '' : 's'}` +
    (r.truncated ? ` — only these are shown (the query returned more; at most ${fmtInt(r.max_rows)} rows and ${Math.round(r.max_bytes / 1048576)} MiB are sent)` : '') + ` · ${r.elapsed_ms} ms`);
}

async function runSql() {
  show('sql-error', '');
  show('sql-info', 'running…');
  try {
    renderResult(await api('POST', '/api/sql', { sql: $('sql-text').value }));
  } catch (e) {
    show('sql-info', '');
    show('sql-error', e.message);
  }
}

// ---- start ----

async function init() {
  $('refresh-campaigns').addEventListener('click', loadCampaigns);
  $('sweep-select').addEventListener('change', (e) => checkSweep(e.target.value));
  $('start-run').addEventListener('click', startRun);
  $('cancel-run').addEventListener('click', cancelRun);
  $('run-sql').addEventListener('click', runSql);
  $('sql-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runSql();
    }
  });
  try {
    const status = await api('GET', '/api/status');
    $('db-path').textContent = status.db;
    $('version').textContent = `themis ${status.version}`;
    if (status.run) follow(status.run);
  } catch (e) {
    show('campaigns-note', `Cannot reach the server: ${e.message}`);
  }
  await Promise.all([loadCampaigns(), loadSweeps()]);
  document.body.dataset.ready = 'true';
}

init();
