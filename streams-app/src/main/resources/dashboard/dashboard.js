// Pipeline dashboard: polls /api/status and /api/lag, keeps 5 minutes of history in memory
// (bounded), draws with plain canvas/SVG. No libraries, no external requests. On opening it
// draws the server's own last 5 minutes (/api/lag?history=true) before the first poll.
'use strict';

const POLL_MS = 2000;
const HISTORY_MS = 5 * 60 * 1000;
const MAX_POINTS = 400;          // per series; bounds memory if polling runs fast
const MAX_LAG_SERIES = 12;       // most-lagging partitions drawn; the table shows them all
const COLORS = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#1b7c83', '#953800',
                '#6e7781', '#0550ae', '#a40e26', '#116329'];

const series = { throughput: new Map(), lagRecords: new Map(), lagSeconds: new Map() };
let previousStatus = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
function fmt(v, digits) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (digits !== undefined) return v.toFixed(digits);
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(2) + 'M';
  if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  return String(Math.round(v * (Math.abs(v) < 1 ? 100 : 10)) / (Math.abs(v) < 1 ? 100 : 10));
}
function badgeClass(s) {
  s = String(s || '').toUpperCase();
  if (['RUNNING', 'CLOSED', 'OK', 'TRUE'].includes(s)) return 'badge ok';
  if (['REBALANCING', 'HALF_OPEN', 'HALF-OPEN', 'WARN', 'CREATED', 'PENDING_SHUTDOWN', 'STALL'].includes(s)) return 'badge warn';
  if (['ERROR', 'OPEN', 'ERR', 'STOP', 'NOT_RUNNING', 'PENDING_ERROR', 'FALSE', 'DEAD'].includes(s)) return 'badge bad';
  return 'badge unknown';
}

function push(map, key, t, v) {
  let s = map.get(key);
  if (!s) { s = []; map.set(key, s); }
  s.push([t, v]);
  while (s.length > MAX_POINTS || (s.length && s[0][0] < t - HISTORY_MS)) s.shift();
}
function prune(map, now) {
  for (const [k, s] of map) if (!s.length || s[s.length - 1][0] < now - HISTORY_MS) map.delete(k);
}

// ---- line chart on canvas ------------------------------------------------------------------
function drawLines(canvas, seriesMap, unit, keys) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 640, h = canvas.clientHeight || 220;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  const names = keys || [...seriesMap.keys()];
  const now = Date.now(), t0 = now - HISTORY_MS;
  let max = 0;
  for (const n of names) for (const [, v] of seriesMap.get(n) || []) if (v !== null && v > max) max = v;
  max = max <= 0 ? 1 : niceCeil(max);
  const left = 56, right = 8, top = 8, legendH = 16 * Math.ceil(names.length / 3), bottom = 24 + legendH;
  const pw = w - left - right, ph = h - top - bottom;
  g.strokeStyle = '#d0d7de'; g.fillStyle = '#656d76'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + ph - (ph * i) / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + pw, y); g.stroke();
    g.fillText(fmt((max * i) / 4) + (i === 4 && unit ? ' ' + unit : ''), 4, y + 4);
  }
  for (let m = 0; m <= 5; m++) g.fillText(m === 5 ? 'now' : '-' + (5 - m) + 'm', left + (pw * m) / 5 - 10, top + ph + 14);
  if (!names.length) { g.fillText('no data yet', left + pw / 2 - 30, top + ph / 2); return; }
  names.forEach((n, i) => {
    const color = COLORS[i % COLORS.length];
    g.strokeStyle = color; g.lineWidth = 1.8; g.beginPath();
    let started = false;
    for (const [t, v] of seriesMap.get(n) || []) {
      if (v === null) { started = false; continue; }
      const x = left + ((t - t0) / HISTORY_MS) * pw, y = top + ph - (v / max) * ph;
      if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
    }
    g.stroke();
    const lx = left + (i % 3) * (pw / 3), ly = top + ph + 34 + 16 * Math.floor(i / 3);
    g.fillStyle = color; g.fillRect(lx, ly - 8, 10, 3);
    g.fillStyle = '#1f2328'; g.fillText(n.length > 34 ? n.slice(0, 33) + '…' : n, lx + 14, ly - 3);
  });
}
function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

// ---- drops by reason: horizontal bars in SVG -----------------------------------------------
function drawDrops(pipelines) {
  const rows = [];
  for (const [name, p] of Object.entries(pipelines)) {
    const byReason = (p && typeof p.droppedByReason === 'object' && p.droppedByReason) || {};
    for (const [reason, v] of Object.entries(byReason)) rows.push({ pipeline: name, reason, value: num(v) || 0 });
  }
  const box = document.getElementById('drops-chart');
  box.replaceChildren();
  if (!rows.length) { box.append(el('p', { class: 'muted' }, 'no drops reported')); return; }
  rows.sort((a, b) => a.pipeline.localeCompare(b.pipeline) || b.value - a.value || a.reason.localeCompare(b.reason));
  const max = Math.max(1, ...rows.map(r => r.value));
  const rowH = 18, labelW = 190, width = 600, height = rows.length * rowH + 4;
  const s = svg('svg', { viewBox: `0 0 ${width} ${height}`, height: String(height) });
  const pipes = [...new Set(rows.map(r => r.pipeline))];
  rows.forEach((r, i) => {
    const y = i * rowH + 2, bw = ((width - labelW - 70) * r.value) / max;
    const bar = svg('g', { class: 'bar', 'data-pipeline': r.pipeline, 'data-reason': r.reason, 'data-value': String(r.value) });
    const label = svg('text', { x: '0', y: String(y + 12) }); label.textContent = `${r.pipeline} · ${r.reason}`;
    const rect = svg('rect', { x: String(labelW), y: String(y + 2), width: String(Math.max(r.value > 0 ? 2 : 0, bw)),
      height: String(rowH - 5), rx: '2', fill: COLORS[pipes.indexOf(r.pipeline) % COLORS.length] });
    const value = svg('text', { x: String(labelW + bw + 6), y: String(y + 12) }); value.textContent = fmt(r.value);
    bar.append(label, rect, value); s.append(bar);
  });
  box.append(s);
}

// ---- pipeline cards ------------------------------------------------------------------------
function meter(value, capacity) {
  const v = num(value), c = num(capacity);
  const frac = v !== null && c ? Math.min(1, v / c) : 0;
  const m = el('div', { class: 'meter' + (frac >= 1 ? ' full' : frac >= 0.8 ? ' high' : '') }, el('div'));
  m.firstChild.style.width = (frac * 100).toFixed(1) + '%';
  return el('div', {}, `${fmt(v)} / ${fmt(c)}` + (c ? ` (${(frac * 100).toFixed(0)}%)` : ''), m);
}

function renderPipelines(pipelines, rates) {
  const box = document.getElementById('pipelines');
  box.replaceChildren();
  for (const [name, p0] of Object.entries(pipelines)) {
    const p = p0 || {};
    const dl = el('dl', { class: 'kv' });
    const add = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
    const r = rates[name] || {};
    add('in / out per s', `${fmt(r.in, 1)} / ${fmt(r.out, 1)}`);
    add('records in / out', `${fmt(num(p.recordsIn))} / ${fmt(num(p.recordsOut))}`);
    if ('dlq' in p) add('dead-lettered', fmt(num(p.dlq)));
    if ('buffered' in p || 'bufferCapacityRecords' in p) add('buffer (records)', meter(p.buffered, p.bufferCapacityRecords));
    if ('bufferBytes' in p || 'bufferCapacityBytes' in p) add('buffer (bytes)', meter(p.bufferBytes, p.bufferCapacityBytes));
    if ('circuitState' in p) add('circuit breaker', el('span', { class: badgeClass(p.circuitState) }, p.circuitState));
    if (p.conservation && typeof p.conservation === 'object') {
      const c = p.conservation;
      add('conservation', el('span', { class: badgeClass(c.holds) , title: `in ${c.in} = out ${c.out} + dlq ${c.dlq} + dropped ${c.dropped} + buffered ${c.buffered}` },
        c.holds ? 'holds' : 'VIOLATED'));
    }
    // pipeline_store_entries: each store's own estimate, so the growth (or the retention at work) shows
    if (p.storeEntries && typeof p.storeEntries === 'object') {
      for (const [store, n] of Object.entries(p.storeEntries)) add(`entries · ${store}`, fmt(num(n)));
    }
    // orders' payment authorization: what waits in the parking (pipeline_parked_records / _keys)
    if (p.authorization && typeof p.authorization === 'object') {
      const a = p.authorization;
      if (a.enabled === false) add('payment authorization', el('span', { class: 'muted' }, 'off'));
      add('parked events', el('span', { class: 'parked-records', 'data-value': String(num(a.parkedRecords) ?? '') }, fmt(num(a.parkedRecords))));
      add('parked orders', el('span', { class: 'parked-keys', 'data-value': String(num(a.parkedKeys) ?? '') }, fmt(num(a.parkedKeys))));
      if ('circuitState' in a) add('authorization breaker', el('span', { class: badgeClass(a.circuitState) }, a.circuitState));
      if ('callP99Ms' in a) add('authorization call p99', `${fmt(num(a.callP99Ms), 1)} ms (${fmt(num(a.calls))} calls)`);
    }
    const known = new Set(['state', 'recordsIn', 'recordsOut', 'droppedByReason', 'dlq', 'buffered', 'bufferCapacityRecords',
      'bufferBytes', 'bufferCapacityBytes', 'circuitState', 'conservation', 'storeEntries', 'authorization']);
    for (const [k, v] of Object.entries(p)) if (!known.has(k) && (typeof v !== 'object' || v === null)) add(k, fmt(v));
    box.append(el('article', { class: 'card', 'data-pipeline': name },
      el('h3', {}, name, el('span', { class: badgeClass(p.state) }, p.state || 'unknown')), dl));
  }
  if (!box.children.length) box.append(el('p', { class: 'muted' }, 'no pipelines reported by /api/status'));
}

// ---- lag table -----------------------------------------------------------------------------
function renderLag(lag) {
  const tbody = document.querySelector('#lag-table tbody');
  tbody.replaceChildren();
  const errors = [];
  for (const [group, g] of Object.entries((lag && lag.groups) || {})) {
    if (g.error) errors.push(`${group}: ${g.error}`);
    for (const p of g.partitions || []) {
      tbody.append(el('tr', { 'data-group': group },
        el('td', {}, group), el('td', {}, p.topic), el('td', {}, p.partition),
        el('td', {}, p.committedOffset === null ? '–' : fmt(p.committedOffset)), el('td', {}, fmt(p.endOffset)),
        el('td', {}, fmt(p.lag)), el('td', {}, p.lagSeconds === null ? '?' : fmt(p.lagSeconds, 1)),
        el('td', {}, el('span', { class: badgeClass(p.status) }, p.status))));
    }
    if (!(g.partitions || []).length) {
      tbody.append(el('tr', { 'data-group': group }, el('td', {}, group), el('td', { colspan: '6' }, 'no partitions yet'),
        el('td', {}, el('span', { class: badgeClass(g.status) }, g.status))));
    }
  }
  document.getElementById('lag-errors').textContent = errors.join(' · ');
}

// ---- polling -------------------------------------------------------------------------------
async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function tick() {
  const now = Date.now();
  const [status, lag] = await Promise.allSettled([getJson('/api/status'), getJson('/api/lag')]);
  const problems = [];
  const pipelines = status.status === 'fulfilled' && status.value && status.value.pipelines ? status.value.pipelines : null;
  if (pipelines) {
    const rates = {};
    for (const [name, p] of Object.entries(pipelines)) {
      const prev = previousStatus && previousStatus.pipelines[name];
      const dt = previousStatus ? (now - previousStatus.at) / 1000 : 0;
      const rin = prev && dt > 0 && num(p.recordsIn) !== null && num(prev.recordsIn) !== null ? Math.max(0, (p.recordsIn - prev.recordsIn) / dt) : null;
      const rout = prev && dt > 0 && num(p.recordsOut) !== null && num(prev.recordsOut) !== null ? Math.max(0, (p.recordsOut - prev.recordsOut) / dt) : null;
      rates[name] = { in: rin, out: rout };
      if (rin !== null) push(series.throughput, `${name} in`, now, rin);
      if (rout !== null) push(series.throughput, `${name} out`, now, rout);
    }
    previousStatus = { at: now, pipelines };
    renderPipelines(pipelines, rates);
    drawDrops(pipelines);
  } else {
    problems.push(status.status === 'rejected' ? status.reason.message : '/api/status: no pipelines');
  }
  if (lag.status === 'fulfilled') {
    for (const [group, g] of Object.entries(lag.value.groups || {})) {
      for (const p of g.partitions || []) {
        const key = `${group} ${p.topic}-${p.partition}`;
        push(series.lagRecords, key, now, num(p.lag));
        push(series.lagSeconds, key, now, num(p.lagSeconds));
      }
    }
    renderLag(lag.value);
  } else {
    problems.push(lag.reason.message);
  }
  for (const m of Object.values(series)) prune(m, now);
  redraw();
  const conn = document.getElementById('conn');
  conn.className = problems.length ? 'badge bad' : 'badge ok';
  conn.textContent = problems.length ? 'degraded' : 'live';
  conn.title = problems.join('\n');
  document.getElementById('updated').textContent = 'updated ' + new Date(now).toLocaleTimeString();
}

function topKeys(map, n) {
  const last = s => (s.length ? s[s.length - 1][1] || 0 : 0);
  return [...map.keys()].sort((a, b) => last(map.get(b)) - last(map.get(a)) || a.localeCompare(b)).slice(0, n);
}

function redraw() {
  drawLines(document.getElementById('throughput-chart'), series.throughput, 'rec/s');
  drawLines(document.getElementById('lag-records-chart'), series.lagRecords, 'rec', topKeys(series.lagRecords, MAX_LAG_SERIES));
  drawLines(document.getElementById('lag-seconds-chart'), series.lagSeconds, 's', topKeys(series.lagSeconds, MAX_LAG_SERIES));
}

// Samples are oldest first and older than anything polled since, so the series stay in order.
function seed(history) {
  let prev = null;
  for (const h of history) {
    const dt = prev ? (h.at - prev.at) / 1000 : 0;
    for (const [name, p] of Object.entries(h.pipelines || {})) {
      const q = prev && prev.pipelines && prev.pipelines[name];
      if (!q || dt <= 0) continue;
      push(series.throughput, `${name} in`, h.at, Math.max(0, (p.recordsIn - q.recordsIn) / dt));
      push(series.throughput, `${name} out`, h.at, Math.max(0, (p.recordsOut - q.recordsOut) / dt));
    }
    for (const [group, partitions] of Object.entries(h.groups || {})) {
      for (const p of partitions || []) {
        const key = `${group} ${p.topic}-${p.partition}`;
        push(series.lagRecords, key, h.at, num(p.lag));
        push(series.lagSeconds, key, h.at, num(p.lagSeconds));
      }
    }
    prev = h;
  }
}

async function seedFromServer() {
  try {
    const lag = await getJson('/api/lag?history=true');
    seed(Array.isArray(lag.history) ? lag.history : []);
    redraw();
  } catch (e) {
    // the live polls report the problem; the charts then start empty as before
  }
}

async function loop() {
  try { await tick(); } catch (e) { document.getElementById('conn').textContent = 'error: ' + e.message; }
  setTimeout(loop, POLL_MS);
}
window.addEventListener('resize', redraw);
seedFromServer().then(loop);
