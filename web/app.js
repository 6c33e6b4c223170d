// rdrop explorer: the drawing pad, the two models' answers, and the runs'
// curves. Everything is computed by the server (rdrop's own C code); this
// file only draws. Charts are plain SVG.
'use strict';

const $ = (sel, el = document) => el.querySelector(sel);
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f6fb4', '#c9302c', '#2a8a2a', '#8a4fbf', '#d9822b', '#7a5230', '#c8569d', '#1a9aa8'];

const state = {
  runs: [], studies: [], listKey: '',
  slots: [null, null],      // run ids of model A and model B
  chosen: [false, false],   // the user picked the slot (keep it)
  shown: new Set(),         // runs whose curves are drawn
  shownSet: false,
  curves: new Map(),        // id -> {epochs_done, metrics}
  studyData: new Map(),
  drawn: false, busy: false, again: false,
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

const pct = (p, digits = 1) => (100 * p).toFixed(digits) + ' %';
const num = (v, digits = 4) => (v === null || v === undefined ? '–' : Number(v).toPrecision(digits));
const colorOf = (id) => COLORS[id % COLORS.length];

function setStatus(text, error = false) {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

// ---- the drawing pad -------------------------------------------------------

const pad = $('#pad');
const ctx = pad.getContext('2d');

function clearPad() {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, pad.width, pad.height);
  state.drawn = false;
  const seen = $('#seen').getContext('2d');
  seen.fillStyle = '#000';
  seen.fillRect(0, 0, 28, 28);
  for (const r of document.querySelectorAll('.model .result')) r.replaceChildren();
  setStatus('Draw a digit in the white square.');
}

function penStyle() {
  ctx.strokeStyle = '#000';
  ctx.lineWidth = pad.width / 14;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
}

function padPoint(ev) {
  const r = pad.getBoundingClientRect();
  return [(ev.clientX - r.left) * pad.width / r.width, (ev.clientY - r.top) * pad.height / r.height];
}

let last = null;
pad.addEventListener('pointerdown', (ev) => {
  ev.preventDefault();
  pad.setPointerCapture(ev.pointerId);
  last = padPoint(ev);
  penStyle();
  ctx.beginPath();
  ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
  ctx.fillStyle = '#000';
  ctx.fill();
  state.drawn = true;
});
pad.addEventListener('pointermove', (ev) => {
  if (!last) return;
  const p = padPoint(ev);
  penStyle();
  ctx.beginPath();
  ctx.moveTo(last[0], last[1]);
  ctx.lineTo(p[0], p[1]);
  ctx.stroke();
  last = p;
});
for (const type of ['pointerup', 'pointercancel']) {
  pad.addEventListener(type, () => {
    if (!last) return;
    last = null;
    predict();
  });
}

// Strokes in [0,1] coordinates: the example buttons (and keyboard users).
function drawStrokes(strokes) {
  clearPad();
  penStyle();
  for (const s of strokes) {
    ctx.beginPath();
    s.forEach(([x, y], i) => (i ? ctx.lineTo(x * pad.width, y * pad.height) : ctx.moveTo(x * pad.width, y * pad.height)));
    ctx.stroke();
  }
  state.drawn = true;
  predict();
}
const SEVEN = [[[0.28, 0.24], [0.72, 0.24], [0.62, 0.45], [0.46, 0.8]]];
const FOUR_OR_NINE = [[[0.5, 0.2], [0.38, 0.23], [0.34, 0.5], [0.66, 0.5]], [[0.62, 0.3], [0.6, 0.84]]];

$('#clear').addEventListener('click', clearPad);
$('#sample-7').addEventListener('click', () => drawStrokes(SEVEN));
$('#sample-49').addEventListener('click', () => drawStrokes(FOUR_OR_NINE));
pad.addEventListener('keydown', (ev) => {
  if (ev.key === 'Delete' || ev.key === 'Backspace') { ev.preventDefault(); clearPad(); }
});

// ---- masks ----------------------------------------------------------------

function seed() {
  const v = Number($('#seed').value);
  return Number.isInteger(v) && v >= 0 && v <= 4294967295 ? v : 1;
}
$('#new-masks').addEventListener('click', () => {
  const r = new Uint32Array(1);
  crypto.getRandomValues(r);
  $('#seed').value = String(r[0]);
  predict();
});
$('#seed').addEventListener('change', predict);
$('#k').addEventListener('change', predict);

// ---- predictions ------------------------------------------------------------

async function predict() {
  if (!state.drawn) return;
  const runs = state.slots.filter((id) => id !== null);
  if (!runs.length) { setStatus('No run with a checkpoint to ask yet.', true); return; }
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  $('#status').dataset.busy = '1';
  try {
    const image = pad.toDataURL('image/png').split(',')[1];
    const body = JSON.stringify({ image, runs, k: Number($('#k').value), seed: seed() });
    const res = await fetch('api/predict', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const data = await res.json();
    if (!res.ok) { setStatus(data.error || `error ${res.status}`, true); return; }
    showSeen(data.input);
    let i = 0;
    for (const slot of [0, 1]) {
      const box = document.querySelector(`.model[data-slot="${slot}"] .result`);
      if (state.slots[slot] === null) box.replaceChildren(el('p', { text: 'No run chosen.' }));
      else showModel(box, data.models[i++], data);
    }
    setStatus(`Seed ${data.seed}, ${data.k} sub-networks per model; computed in ${data.ms} ms.`);
    $('#models').dataset.seed = String(data.seed);
  } catch (e) {
    setStatus(`The server did not answer: ${e.message}`, true);
  } finally {
    state.busy = false;
    delete $('#status').dataset.busy;
    if (state.again) { state.again = false; predict(); }
  }
}

function showSeen(input) {
  const c = $('#seen').getContext('2d');
  const img = c.createImageData(28, 28);
  input.forEach((v, i) => { img.data.set([v, v, v, 255], 4 * i); });
  c.putImageData(img, 0, 0);
}

function barChart(probs, mc, best) {
  const W = 300, H = 150, top = 16, bottom = 20, bw = W / probs.length;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'bars', role: 'img' });
  const title = svg('title');
  title.textContent = 'Probabilities of the full network: ' + probs.map((p, j) => `${j}: ${pct(p)}`).join(', ');
  s.append(title);
  const y = (p) => top + (H - top - bottom) * (1 - p);
  probs.forEach((p, j) => {
    const x = j * bw;
    s.append(svg('rect', { x: x + 3, y: y(p), width: bw - 6, height: Math.max(0, y(0) - y(p)),
      class: j === best ? 'bar best' : 'bar', 'data-class': j, 'data-prob': p }));
    s.append(svg('line', { x1: x + 1, x2: x + bw - 1, y1: y(mc[j]), y2: y(mc[j]), class: 'mc' }));
    const label = svg('text', { x: x + bw / 2, y: H - 5, class: 'tick', 'text-anchor': 'middle' });
    label.textContent = j;
    s.append(label);
    if (p >= 0.05) {
      const t = svg('text', { x: x + bw / 2, y: y(p) - 3, class: 'value', 'text-anchor': 'middle' });
      t.textContent = Math.round(100 * p);
      s.append(t);
    }
  });
  s.append(svg('line', { x1: 0, x2: W, y1: y(0), y2: y(0), class: 'axis' }));
  return s;
}

function showModel(box, m, data) {
  const full = m.full, best = full.class;
  const votes = new Map();
  for (const s of m.subnets) votes.set(s.class, (votes.get(s.class) || 0) + 1);
  const voteText = [...votes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}×${n}`).join(', ');
  const grid = el('div', { class: 'subnets', role: 'list', 'aria-label': `${m.subnets.length} sub-networks` });
  m.subnets.forEach((s, i) => {
    const cell = el('div', { class: s.class === best ? 'subnet' : 'subnet differs', role: 'listitem',
      'data-class': s.class, 'data-conf': s.conf, title: `sub-network ${i + 1}: ${s.class} (${pct(s.conf)})` },
    el('span', { class: 'digit', text: String(s.class) }), el('span', { class: 'conf', text: pct(s.conf, 0) }));
    cell.style.setProperty('--conf', s.conf.toFixed(3));
    grid.append(cell);
  });
  const agree = Math.round(m.agree * m.subnets.length);
  box.replaceChildren(
    el('p', { class: 'run-name', text: `${m.name} (epoch ${m.epoch})` }),
    el('p', { class: 'full' }, 'Full network: ',
      el('strong', { class: 'full-class', 'data-class': best, text: String(best) }),
      ` (${pct(full.probs[best])})  ·  sub-networks' mean: ${m.mc.class} (${pct(m.mc.probs[m.mc.class])})`),
    barChart(full.probs, m.mc.probs, best),
    el('p', { class: 'agreement' },
      el('span', { class: 'agree', 'data-agree': m.agree, text: `${agree} of ${m.subnets.length} sub-networks agree with the full network` }),
      el('br'),
      el('span', { class: 'disagreement', 'data-value': m.disagreement === null ? '' : m.disagreement,
        text: `disagreement (test_kl of this drawing): ${num(m.disagreement, 3)}` }),
      el('br'), el('span', { class: 'votes', text: `votes: ${voteText}` })),
    grid);
  box.dataset.seed = String(data.seed);
}

// ---- runs, curves, studies --------------------------------------------------

async function getJSON(url) {
  const res = await fetch(url);
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || `error ${res.status}`);
  return data;
}

function runLabel(r) {
  const m = r.method === 'rdrop' ? `R-Drop α=${r.alpha}` : r.method;
  return `${r.name} (${m})`;
}

function fillSelects() {
  const usable = state.runs.filter((r) => r.checkpoint && !r.gone);
  const has = (id) => usable.some((r) => r.id === id);
  // by default a dropout run and an R-Drop run, when both are there
  const firstOf = (method) => usable.find((r) => r.method === method);
  const defaults = [firstOf('dropout') || usable[0], firstOf('rdrop') || usable.find((r) => r !== usable[0])];
  for (const slot of [0, 1]) {
    if (!state.chosen[slot] || !has(state.slots[slot])) state.slots[slot] = defaults[slot] ? defaults[slot].id : null;
    const sel = document.querySelector(`.model[data-slot="${slot}"] .run-select`);
    const opts = usable.map((r) => el('option', { value: r.id, text: runLabel(r) }));
    opts.unshift(el('option', { value: '', text: '(none)' }));
    sel.replaceChildren(...opts);
    sel.value = state.slots[slot] === null ? '' : String(state.slots[slot]);
  }
}

for (const slot of [0, 1]) {
  document.querySelector(`.model[data-slot="${slot}"] .run-select`).addEventListener('change', (ev) => {
    state.slots[slot] = ev.target.value === '' ? null : Number(ev.target.value);
    state.chosen[slot] = true;
    predict();
  });
}

function renderTable() {
  const rows = state.runs.map((r) => {
    const box = el('input', { type: 'checkbox', 'aria-label': `Show the curves of ${r.name}` });
    box.checked = state.shown.has(r.id);
    box.addEventListener('change', () => {
      if (box.checked) state.shown.add(r.id); else state.shown.delete(r.id);
      refreshCurves();
    });
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = colorOf(r.id);
    const tr = el('tr', { 'data-run': r.id, class: r.gone ? 'gone' : '' },
      el('td', {}, box, swatch),
      el('td', { class: 'name', text: r.name + (r.gone ? ' (gone)' : '') }),
      el('td', { text: r.method === 'rdrop' ? 'R-Drop' : r.method }),
      el('td', { text: r.alpha === null ? '–' : String(r.alpha) }),
      el('td', { text: r.dropout === null ? '–' : String(r.dropout) + (r.input_dropout ? ` (input ${r.input_dropout})` : '') }),
      el('td', { text: `${r.epochs_done}${r.epochs === null ? '' : ' / ' + r.epochs}` }),
      el('td', { text: r.seed === null ? '–' : String(r.seed) }),
      el('td', { text: r.architecture || '–' }),
      el('td', { text: r.test_err === null ? '–' : r.test_err.toFixed(2) + ' %' }),
      el('td', { text: num(r.test_kl, 3) }));
    return tr;
  });
  $('#run-table tbody').replaceChildren(...rows);
  if (!state.runs.length) $('#run-table tbody').append(el('tr', {}, el('td', { colspan: 10, text: 'No run folder found (yet).' })));
}

async function loadRuns() {
  let data;
  try {
    data = await getJSON('api/runs');
  } catch (e) {
    setStatus(`Cannot list the runs: ${e.message}`, true);
    return;
  }
  state.runs = data.runs;
  state.studies = data.studies;
  if (!state.shownSet) { // at first: every run when there are few, else the two models
    for (const r of state.runs.slice(0, 6)) state.shown.add(r.id);
    state.shownSet = true;
  }
  const key = JSON.stringify(data);
  const changed = key !== state.listKey;
  state.listKey = key;
  if (changed) {
    const before = state.slots.join();
    fillSelects();
    renderTable();
    if (state.slots.join() !== before) predict();
  }
  await refreshCurves();
  await refreshStudies();
}

async function refreshCurves() {
  for (const r of state.runs) {
    if (!state.shown.has(r.id)) continue;
    const have = state.curves.get(r.id);
    if (have && have.epochs_done === r.epochs_done) continue;
    try {
      const d = await getJSON(`api/runs/${r.id}`);
      state.curves.set(r.id, { epochs_done: d.epochs_done, metrics: d.metrics, name: d.name });
    } catch (e) {
      state.curves.delete(r.id);
    }
  }
  drawCharts();
}

const CHARTS = [
  ['test_err', 'Test error (%)'],
  ['train_loss', 'Training loss (R-Drop: cross-entropy + α × KL)'],
  ['test_kl', 'test_kl: disagreement of dropout sub-networks on the test set'],
  ['train_kl', "Training KL term (R-Drop's, before α)"],
];

function niceTicks(lo, hi, n = 4) {
  if (!(hi > lo)) { hi = lo + 1; }
  const step0 = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) ticks.push(+t.toPrecision(6));
  return ticks;
}

function lineChart(metric, title, series) {
  const W = 420, H = 220, L = 48, R = 10, T = 10, B = 30;
  let xmax = 1, ylo = Infinity, yhi = -Infinity;
  for (const s of series) s.values.forEach((v, i) => {
    if (v === null) return;
    xmax = Math.max(xmax, i + 1); ylo = Math.min(ylo, v); yhi = Math.max(yhi, v);
  });
  if (!isFinite(ylo)) return null;
  if (ylo === yhi) { ylo -= Math.abs(ylo) * 0.1 || 0.5; yhi += Math.abs(yhi) * 0.1 || 0.5; }
  const pad = (yhi - ylo) * 0.05;
  ylo = Math.max(ylo >= 0 ? 0 : -Infinity, ylo - pad); yhi += pad;
  const x = (e) => L + (W - L - R) * (xmax === 1 ? 0.5 : (e - 1) / (xmax - 1));
  const y = (v) => T + (H - T - B) * (1 - (v - ylo) / (yhi - ylo));
  const fig = el('figure', { class: 'chart', 'data-metric': metric });
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  for (const t of niceTicks(ylo, yhi)) {
    if (t < ylo || t > yhi) continue;
    s.append(svg('line', { x1: L, x2: W - R, y1: y(t), y2: y(t), class: 'grid' }));
    const lab = svg('text', { x: L - 4, y: y(t) + 4, class: 'tick', 'text-anchor': 'end' });
    lab.textContent = t;
    s.append(lab);
  }
  for (const t of niceTicks(1, xmax, Math.min(6, Math.max(1, xmax - 1)))) {
    if (t < 1 || t > xmax || !Number.isInteger(t)) continue;
    const lab = svg('text', { x: x(t), y: H - 12, class: 'tick', 'text-anchor': 'middle' });
    lab.textContent = t;
    s.append(lab);
  }
  const xl = svg('text', { x: (L + W - R) / 2, y: H - 1, class: 'tick', 'text-anchor': 'middle' });
  xl.textContent = 'epoch';
  s.append(xl);
  s.append(svg('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }));
  s.append(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
  for (const ser of series) {
    let d = '', pen = false;
    ser.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
      s.append(svg('circle', { cx: x(i + 1), cy: y(v), r: 2.2, fill: ser.color }));
    });
    if (d) s.append(svg('path', { d, stroke: ser.color, class: 'curve', 'data-run': ser.id }));
  }
  const legend = el('figcaption', {}, el('span', { class: 'chart-title', text: title }));
  for (const ser of series) {
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = ser.color;
    legend.append(el('span', { class: 'legend' }, sw, ser.name));
  }
  fig.append(s, legend);
  return fig;
}

function drawCharts() {
  const figs = [];
  for (const [metric, title] of CHARTS) {
    const series = [];
    for (const r of state.runs) {
      const c = state.curves.get(r.id);
      if (!state.shown.has(r.id) || !c || !c.metrics[metric]) continue;
      series.push({ id: r.id, name: r.name, color: colorOf(r.id), values: c.metrics[metric] });
    }
    const f = series.length ? lineChart(metric, title, series) : null;
    if (f) figs.push(f);
  }
  $('#charts').replaceChildren(...figs);
}

async function refreshStudies() {
  const parts = [];
  for (const st of state.studies) {
    if (!state.studyData.has(st.id)) {
      try { state.studyData.set(st.id, await getJSON(`api/studies/${st.id}`)); } catch (e) {
        parts.push(el('p', { class: 'error', text: `${st.name}: ${e.message}` }));
        continue;
      }
    }
    parts.push(studyTable(state.studyData.get(st.id)));
  }
  $('#studies').replaceChildren(...parts);
}

function studyTable(d) {
  const ms = (x, digits) => (x.mean === null ? '–' : x.mean.toFixed(digits) + (x.sd === null ? '' : ' ± ' + x.sd.toFixed(digits)));
  const grouped = d.arms.some((a) => a.group); // rdrop compare --group: an arm per group and config
  const head = el('tr', {}, ...[...(grouped ? ['Group'] : []), 'Arm', 'Method', 'α', 'Dropout', 'Train size', 'Epochs', 'Seeds',
    'Final test error (%)', 'Best test error (%)', 'test_kl', 'MC dropout error (%)'].map((t) => el('th', { scope: 'col', text: t })));
  const rows = d.arms.map((a) => el('tr', {},
    ...(grouped ? [el('td', { text: a.group })] : []), el('td', { text: a.config }), el('td', { text: a.method === 'rdrop' ? 'R-Drop' : a.method }),
    el('td', { text: a.alpha === null ? '–' : String(a.alpha) }), el('td', { text: a.dropout === null ? '–' : String(a.dropout) }),
    el('td', { text: a.train_size === null || a.train_size < 0 ? '–' : String(a.train_size) }), el('td', { text: String(a.epochs) }),
    el('td', { text: String(a.seeds) }), el('td', { text: ms(a.final_err, 2) }), el('td', { text: ms(a.best_err, 2) }),
    el('td', { text: ms(a.test_kl, 4) }), el('td', { text: ms(a.mc_err, 2) })));
  return el('div', { class: 'table-wrap study' },
    el('table', {}, el('caption', { text: `Study ${d.name}: results.csv, ${d.rows} runs, mean ± sd over seeds per arm` }),
      el('thead', {}, head), el('tbody', {}, ...rows)));
}

clearPad();
loadRuns();
setInterval(loadRuns, 5000); // a run still training gets its new epochs
