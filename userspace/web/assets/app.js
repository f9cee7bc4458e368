// hashboardd's dashboard: one page, its parts shown by path, data from /api (docs/web.md).
'use strict';

const state = { session: null, status: null, page: 'overview' };
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function text(s) { return document.createTextNode(s); }

function notice(message, isError) {
  const n = $('notice');
  n.textContent = message;
  n.className = isError ? 'error' : '';
  n.hidden = !message;
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  // Every change is JSON (the server refuses other bodies: a cross-site form cannot send it).
  if (body === undefined && method === 'POST') body = {};
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET' && state.session && state.session.csrf)
    opts.headers['X-CSRF-Token'] = state.session.csrf;
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) throw new Error((data && data.error) || (res.status + ' ' + res.statusText));
  return data;
}

function ths(ghs) {
  if (ghs >= 1000) return (ghs / 1000).toFixed(2) + ' TH/s';
  return ghs.toFixed(1) + ' GH/s';
}

function duration(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + 'd ' : '') + h + 'h ' + m + 'm';
}

function pageFromPath() {
  const p = location.pathname.replace(/^\//, '');
  return p === '' ? 'overview' : p;
}

function show(page) {
  state.page = page;
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== 'page-' + page;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('current', a.dataset.page === page);
  render();
}

function loggedIn() { return state.session && state.session.logged_in; }

function renderWho() {
  document.body.classList.toggle('anonymous', !loggedIn());
  const who = $('who');
  who.textContent = '';
  if (loggedIn()) { who.textContent = 'logged in'; return; }
  const a = document.createElement('a');
  a.href = '/login';
  a.id = 'login-link';
  a.textContent = state.session && state.session.setup_required ? 'set a password' : 'log in';
  a.addEventListener('click', (e) => { e.preventDefault(); history.pushState({}, '', '/login'); show('login'); });
  who.appendChild(a);
}

function renderOverview(s) {
  const sum = s.summary;
  $('model').textContent = s.board_model || 'hashboardd';
  $('ov-hashrate').textContent = ths(sum.hashrate_ghs_5s);
  $('ov-avg').textContent = ths(sum.hashrate_ghs_avg);
  $('ov-shares').textContent = sum.accepted + ' / ' + sum.rejected;
  $('ov-eff').textContent = sum.efficiency_j_per_th != null ? sum.efficiency_j_per_th.toFixed(2) + ' J/TH' : '-';
  $('ov-power').textContent = sum.power_w ? sum.power_w.toFixed(0) + ' W' : '-';
  $('ov-uptime').textContent = duration(sum.elapsed_s);
  const safety = s.safety;
  $('ov-safety').textContent = safety.board_state + (safety.trip_reason ? ': ' + safety.trip_reason : '') +
    (safety.idle_no_pool ? ' (idle: no pool)' : '');
  const body = $('ov-devices').tBodies[0];
  body.textContent = '';
  for (const t of s.sensors) {
    const tr = body.insertRow();
    tr.insertCell().textContent = t.name;
    tr.insertCell().textContent = t.celsius != null ? t.celsius.toFixed(1) + ' \u00b0C' : 'no reading: ' + t.error;
  }
  for (const f of s.fans) {
    const tr = body.insertRow();
    tr.insertCell().textContent = f.name;
    tr.insertCell().textContent = Math.round(f.duty * 100) + ' %' + (f.rpm != null ? ', ' + Math.round(f.rpm) + ' rpm' : '');
  }
}

async function renderChart() {
  let h;
  try { h = await api('GET', '/api/history'); } catch (e) { return; }
  const chart = $('ov-chart');
  chart.textContent = '';
  const pts = h.samples;
  if (pts.length < 2) { svg('text', { x: 10, y: 80 }, chart).appendChild(text('collecting samples')); return; }
  const t0 = pts[0][0], t1 = pts[pts.length - 1][0];
  const max = Math.max(...pts.map((p) => p[1]), 1e-9);
  const xy = pts.map((p) => [10 + 580 * (p[0] - t0) / Math.max(t1 - t0, 1), 150 - 135 * p[1] / max]);
  svg('polyline', { points: xy.map((p) => p.join(',')).join(' '), fill: 'none', stroke: '#2e6fd1', 'stroke-width': 2 }, chart);
  svg('text', { x: 12, y: 14, 'font-size': 11 }, chart).appendChild(text(ths(max)));
}

// A chip's colour: red when dead, otherwise green shaded by the chosen metric
// (hashrate against the chain's best, error rate, temperature).
function chipColour(chip, metric, chain) {
  if (!chip.alive) return '#d23b3b';
  let v = 0;
  if (metric === 'hashrate') {
    // Against the chain's median: a chip at half of it is fully shaded, one within a
    // few per cent (a minute of nonces is noisy) stays green.
    const rates = chain.chips.filter((c) => c.alive).map((c) => c.hashrate_ghs).sort((a, b) => a - b);
    const median = Math.max(rates[Math.floor(rates.length / 2)] || 0, 1e-9);
    v = Math.min(1, Math.max(0, 2 * (1 - chip.hashrate_ghs / median) - 0.1));
  } else if (metric === 'errors') {
    const n = chip.valid + chip.hw_errors;
    v = n ? Math.min(1, 20 * chip.hw_errors / n) : 0;
  } else {
    const t = chip.temperature_c != null ? chip.temperature_c : chain.chip_temp_c;
    v = t != null ? Math.min(1, Math.max(0, (t - 40) / 50)) : 0;
  }
  const r = Math.round(46 + v * 200), g = Math.round(157 - v * 80), b = Math.round(75 - v * 40);
  return 'rgb(' + r + ',' + g + ',' + b + ')';
}

function renderBoard(s) {
  const metric = $('board-metric').value;
  const map = $('board-map');
  map.textContent = '';
  for (const chain of s.chains) {
    const div = document.createElement('div');
    div.className = 'chain';
    div.id = 'chain-' + chain.id;
    const h = document.createElement('h2');
    const broken = chain.chips_found < chain.chips_expected;
    h.textContent = 'Chain ' + chain.id + ' (' + chain.family + ', ' + chain.state + '): ' +
      chain.chips_found + ' of ' + chain.chips_expected + ' chips' +
      (broken ? ', broken after chip ' + (chain.chips_found - 1) : '');
    div.appendChild(h);
    const perRow = 32, size = 18;
    const rows = Math.max(1, Math.ceil(chain.chips_expected / perRow));
    const area = svg('svg', { viewBox: '0 0 ' + (perRow * size + 4) + ' ' + (rows * size + 4) }, div);
    for (let i = 0; i < chain.chips_expected; ++i) {
      const chip = chain.chips.find((c) => c.position === i);
      const x = 2 + (i % perRow) * size, y = 2 + Math.floor(i / perRow) * size;
      const r = svg('rect', { x, y, width: size - 3, height: size - 3, rx: 2, class: 'chip', 'data-position': i }, area);
      let tip;
      if (!chip) {
        r.setAttribute('fill', '#d23b3b');
        r.setAttribute('opacity', '0.45');
        r.setAttribute('data-state', 'missing');
        tip = 'chip ' + i + ': missing (the chain breaks before it)';
      } else {
        r.setAttribute('fill', chipColour(chip, metric, chain));
        r.setAttribute('data-state', chip.alive ? 'alive' : 'dead');
        tip = 'chip ' + i + ': ' + (chip.alive ? '' : 'DEAD, ') + ths(chip.hashrate_ghs) + ', ' +
          chip.freq_mhz.toFixed(0) + ' MHz, ' + chip.valid + ' nonces, ' + chip.hw_errors + ' errors' +
          (chip.temperature_c != null ? ', ' + chip.temperature_c.toFixed(1) + ' \u00b0C' : '');
      }
      svg('title', {}, r).appendChild(text(tip));
    }
    map.appendChild(div);
  }
}

function renderPools(s) {
  const body = $('pools-table').tBodies[0];
  body.textContent = '';
  for (const p of s.pools) {
    const tr = body.insertRow();
    tr.dataset.index = p.index;
    for (const v of [p.index, p.url, p.user, p.state + (p.active ? ' (active)' : ''), p.accepted, p.rejected])
      tr.insertCell().textContent = v;
    const cell = tr.insertCell();
    if (!loggedIn()) continue;
    for (const [label, method, path] of [['use', 'POST', '/switch'], [p.state === 'disabled' ? 'enable' : 'disable', 'POST', p.state === 'disabled' ? '/enable' : '/disable'], ['remove', 'DELETE', '']]) {
      const b = document.createElement('button');
      b.textContent = label;
      b.addEventListener('click', () => act(method, '/api/pools/' + p.index + path));
      cell.appendChild(b);
    }
  }
}

function renderTuning(s) {
  const t = s.tuning || { mode: 'off', state: 'off', sweep: [] };
  const facts = $('tuning-state');
  facts.textContent = '';
  const fact = (k, v) => {
    const dt = document.createElement('dt'); dt.textContent = k; facts.appendChild(dt);
    const dd = document.createElement('dd'); dd.textContent = v; facts.appendChild(dd);
  };
  fact('Mode', t.mode + (t.target != null ? ' (target ' + t.target + ')' : ''));
  fact('State', t.state + (t.error ? ': ' + t.error : ''));
  if (t.profile_serial) fact('Profile', t.profile_serial);
  if (t.hashrate_ths != null)
    fact('Result', t.hashrate_ths.toFixed(2) + ' TH/s, ' + t.power_w.toFixed(0) + ' W, ' + t.j_per_th.toFixed(2) + ' J/TH');

  // Every chip by its frequency, in chain order; blue slow, red fast.
  const map = $('tuning-map');
  map.textContent = '';
  const all = [];
  for (const c of s.chains) for (const chip of c.chips) all.push(chip.freq_mhz);
  const lo = Math.min(...all), hi = Math.max(...all);
  for (const chain of s.chains) {
    const div = document.createElement('div');
    div.className = 'chain';
    const h = document.createElement('h3');
    h.textContent = 'Chain ' + chain.id + ': ' + chain.freq_avg_mhz.toFixed(1) + ' MHz average' +
      (chain.voltage_mv != null ? ', ' + chain.voltage_mv.toFixed(0) + ' mV' : '');
    div.appendChild(h);
    const perRow = 32, size = 18;
    const rows = Math.max(1, Math.ceil(chain.chips.length / perRow));
    const area = svg('svg', { viewBox: '0 0 ' + (perRow * size + 4) + ' ' + (rows * size + 4) }, div);
    chain.chips.forEach((chip, i) => {
      const x = 2 + (i % perRow) * size, y = 2 + Math.floor(i / perRow) * size;
      const f = hi > lo ? (chip.freq_mhz - lo) / (hi - lo) : 0.5;
      const r = svg('rect', { x, y, width: size - 3, height: size - 3, rx: 2, class: 'chip-freq',
        fill: chip.alive ? 'hsl(' + (220 - 220 * f).toFixed(0) + ',70%,50%)' : '#d23b3b' }, area);
      svg('title', {}, r).appendChild(text('chip ' + chip.position + ': ' + chip.freq_mhz.toFixed(1) + ' MHz' + (chip.alive ? '' : ', DEAD')));
    });
    map.appendChild(div);
  }
  if (all.length) {
    const legend = document.createElement('p');
    legend.textContent = 'blue ' + lo.toFixed(0) + ' MHz ... red ' + hi.toFixed(0) + ' MHz';
    map.appendChild(legend);
  }

  // The V/F plot: TH/s (solid) and J/TH (dashed) against mV, each on its own scale.
  const plot = $('tuning-plot');
  plot.textContent = '';
  const pts = (t.sweep || []).slice().sort((a, b) => a.mv - b.mv);
  if (pts.length === 0) {
    plot.textContent = 'No tune has run since the daemon started.';
  } else {
    const W = 480, H = 220, L = 50, R = 50, T = 10, B = 30;
    const area = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, id: 'tuning-vf' }, plot);
    const mv0 = pts[0].mv, mv1 = pts[pts.length - 1].mv;
    const xs = (mv) => L + (mv1 > mv0 ? (mv - mv0) / (mv1 - mv0) : 0.5) * (W - L - R);
    const scale = (key) => {
      const v = pts.map((p) => p[key]);
      const a = Math.min(...v), b = Math.max(...v);
      return [a, b, (x) => H - B - (b > a ? (x - a) / (b - a) : 0.5) * (H - T - B)];
    };
    const [h0, h1, yh] = scale('hashrate_ths');
    const [j0, j1, yj] = scale('j_per_th');
    svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#888' }, area);
    for (const [key, y, style] of [['hashrate_ths', yh, ''], ['j_per_th', yj, '6 4']]) {
      svg('polyline', { points: pts.map((p) => xs(p.mv).toFixed(1) + ',' + y(p[key]).toFixed(1)).join(' '),
        fill: 'none', stroke: key === 'j_per_th' ? '#c60' : '#26a', 'stroke-width': 2, 'stroke-dasharray': style }, area);
      for (const p of pts) {
        const c = svg('circle', { cx: xs(p.mv), cy: y(p[key]), r: 3, fill: key === 'j_per_th' ? '#c60' : '#26a' }, area);
        svg('title', {}, c).appendChild(text(p.mv + ' mV: ' + p.hashrate_ths.toFixed(2) + ' TH/s, ' + p.j_per_th.toFixed(2) + ' J/TH, ' + p.median_mhz.toFixed(0) + ' MHz median'));
      }
    }
    const label = (x, y, s, anchor) => svg('text', { x, y, 'font-size': 11, 'text-anchor': anchor || 'middle' }, area).appendChild(text(s));
    label(xs(mv0), H - 12, mv0 + ' mV');
    label(xs(mv1), H - 12, mv1 + ' mV');
    label(L - 4, T + 10, h1.toFixed(1) + ' TH/s', 'end');
    label(L - 4, H - B, h0.toFixed(1), 'end');
    label(W - R + 4, T + 10, j1.toFixed(2) + ' J/TH', 'start');
    label(W - R + 4, H - B, j0.toFixed(2), 'start');
  }

  const body = $('tuning-table').tBodies[0];
  body.textContent = '';
  for (const c of s.chains) {
    const tr = body.insertRow();
    for (const v of [c.id, c.chips_found, c.freq_avg_mhz.toFixed(1), c.voltage_mv != null ? c.voltage_mv.toFixed(0) : '-',
      c.hashrate_ghs_5s.toFixed(1), c.hashrate_ideal_ghs.toFixed(1)])
      tr.insertCell().textContent = v;
  }
}

async function renderSettings() {
  if (!loggedIn()) return;
  try {
    const r = await api('GET', '/api/settings');
    const body = $('settings-table').tBodies[0];
    body.textContent = '';
    for (const e of r.settings) {
      const tr = body.insertRow();
      for (const v of [e.section, e.key, e.value]) tr.insertCell().textContent = v;
    }
  } catch (e) {
    notice(e.message, true);
  }
}

async function renderLogs() {
  try {
    const l = await api('GET', '/api/logs');
    $('logs-text').textContent = l.lines.map((x) => x.level + ': ' + x.text).join('\n');
  } catch (e) {
    $('logs-text').textContent = e.message;
  }
}

function render() {
  renderWho();
  if (state.page === 'login') {
    $('login-title').textContent = state.session && state.session.setup_required ? 'Set the password' : 'Log in';
    return;
  }
  if (state.page === 'logs') { renderLogs(); return; }
  if (state.page === 'settings') renderSettings();
  const s = state.status;
  if (!s) return;
  if (state.page === 'overview') { renderOverview(s); renderChart(); }
  if (state.page === 'board') renderBoard(s);
  if (state.page === 'pools') renderPools(s);
  if (state.page === 'tuning') renderTuning(s);
}

async function refresh() {
  try {
    state.session = await api('GET', '/api/session');
    if (state.session.logged_in || state.session.public_status) {
      state.status = await api('GET', '/api/status');
    } else if (state.page !== 'login') {
      notice('Log in to see the miner.', false);
    }
  } catch (e) {
    notice('No answer from the miner: ' + e.message, true);
    return;
  }
  render();
}

async function act(method, path, body) {
  try {
    await api(method, path, body);
    notice('Done.', false);
  } catch (e) {
    notice(e.message, true);
  }
  await refresh();
}

function wire() {
  for (const a of document.querySelectorAll('nav a')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      history.pushState({}, '', a.getAttribute('href'));
      show(a.dataset.page);
    });
  }
  window.addEventListener('popstate', () => show(pageFromPath()));
  $('board-metric').addEventListener('change', render);
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const setup = state.session && state.session.setup_required;
    try {
      state.session = await api('POST', setup ? '/api/setup' : '/api/login', { password: $('login-password').value });
      $('login-password').value = '';
      notice('Logged in.', false);
      history.pushState({}, '', '/');
      show('overview');
      await refresh();
    } catch (err) {
      notice(err.message, true);
    }
  });
  $('pool-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act('POST', '/api/pools', { url: $('pool-url').value, user: $('pool-user').value, password: $('pool-password').value });
  });
  $('tuning-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const raw = $('tuning-target').value;
    await act('POST', '/api/tuning', { mode: $('tuning-mode').value, target: raw === '' ? null : Number(raw) });
  });
  $('freq-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act('POST', '/api/chains/' + Number($('freq-chain').value) + '/frequency', { mhz: Number($('freq-mhz').value) });
  });
  $('password-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      state.session = await api('POST', '/api/password', { current: $('pw-current').value, new: $('pw-new').value });
      notice('Password changed.', false);
    } catch (err) {
      notice(err.message, true);
    }
  });
  $('logout').addEventListener('click', () => act('POST', '/api/logout'));
}

wire();
show(pageFromPath());
refresh();
setInterval(refresh, 3000);
