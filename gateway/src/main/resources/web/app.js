// Pigeon's status page: the state arrives as a snapshot on /api/events, then as changes; no polling, no
// library. Every text from the gateway goes in through textContent (a device may send anything).
'use strict';

const WINDOW_MS = 10 * 60 * 1000; // what a plot shows
const SPACING_MS = 2000;          // as the gateway's history: at most a point per 2 s
const MAX_POINTS = 300;
const MAX_ALERTS = 20;
const SVG = 'http://www.w3.org/2000/svg';

const devices = new Map(); // name -> {card, badge, reason, list, readings: Map(name -> row)}
let clockSkew = 0;         // the gateway's clock minus this browser's
let startedAt = null;      // when the gateway started, on this browser's clock: the uptime ticks here

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function now() { return Date.now() + clockSkew; }

function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return s + ' s ago';
  if (s < 5400) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

function duration(s) {
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.floor(s / 60) + ' min';
  if (s < 172800) return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor(s % 86400 / 3600) + ' h';
}

function shown(r) {
  if (typeof r.value === 'boolean') return r.value ? 'ON' : 'OFF';
  if (typeof r.value === 'number') return String(r.value) + (r.unit ? ' ' + r.unit : '');
  return String(r.value);
}

// ---------------------------------------------------------------- the gateway's state

function setStatus(s) {
  if (s.time) clockSkew = Date.parse(s.time) - Date.now();
  $('client').textContent = s.client_id || '';
  $('version').textContent = 'Pigeon ' + (s.version || '');
  document.title = 'Pigeon ' + (s.client_id || '');
  setConnection(s.connection);
  startedAt = Date.now() - s.uptime_s * 1000;
  const facts = [
    ['broker', s.broker + (s.tls ? ' (TLS)' : '')],
    ['devices', s.devices_online + ' of ' + s.devices + ' online'],
    ['up', duration(s.uptime_s)],
    ['outbox', s.outbox + (s.outbox_state && s.outbox_state !== 'ok' && s.outbox_state !== 'memory'
      ? ' (' + s.outbox_state + ')' : '')],
    ['published', s.published],
    ['dropped', s.dropped],
    ['reconnects', s.reconnects],
    ['platform', s.platform],
  ];
  const dl = $('facts');
  dl.replaceChildren(...facts.map(([k, v]) => {
    const d = el('div');
    d.append(el('dt', null, k), el('dd', k === 'up' ? 'uptime' : null, String(v)));
    return d;
  }));
}

function setConnection(c) {
  if (!c) return;
  const link = $('link');
  link.className = 'badge ' + (c.connected ? 'online' : 'offline');
  link.textContent = c.connected ? 'broker connected' : 'broker unreachable';
  link.title = c.connected ? 'since ' + c.since : (c.reason || '') + ' (since ' + c.since + ')';
}

// ---------------------------------------------------------------- devices

function setDevices(list) {
  const main = $('devices');
  devices.clear();
  main.replaceChildren();
  if (list.length === 0) main.append(el('p', 'empty', 'No devices configured.'));
  for (const d of list) {
    const card = el('article', 'card');
    card.dataset.device = d.name;
    const h = el('h2', null, d.name);
    const badge = el('span', 'badge');
    h.append(el('small', null, d.driver + (d.kind === 'actuator' ? ' · actuator' : '')), badge);
    const reason = el('p', 'reason');
    const readings = el('div', 'readings');
    card.append(h, reason, readings);
    main.append(card);
    const dev = { card, badge, reason, readings, rows: new Map() };
    devices.set(d.name, dev);
    setAvailability(d.name, d.availability, d.reason);
    for (const r of d.readings) setReading(d.name, r);
  }
}

function setAvailability(name, availability, why) {
  const d = devices.get(name);
  if (!d) return;
  d.card.classList.toggle('offline', availability === 'offline');
  d.card.dataset.availability = availability;
  d.badge.className = 'badge ' + availability;
  d.badge.textContent = availability;
  d.reason.textContent = availability === 'offline' ? (why || '') : '';
  d.reason.hidden = availability !== 'offline';
}

function setReading(device, r) {
  const d = devices.get(device);
  if (!d) return;
  let row = d.rows.get(r.reading);
  if (!row) {
    row = { box: el('div', 'reading'), value: el('span', 'value'), age: el('span', 'age'), points: null, svg: null };
    row.box.dataset.reading = r.reading;
    row.box.append(el('span', 'name', r.reading), row.value, el('span'), row.age);
    d.readings.append(row.box);
    d.rows.set(r.reading, row);
    if (r.numeric) {
      row.points = [];
      row.svg = document.createElementNS(SVG, 'svg');
      row.svg.setAttribute('viewBox', '0 0 300 44');
      row.svg.setAttribute('preserveAspectRatio', 'none');
      row.svg.setAttribute('role', 'img');
      row.svg.setAttribute('aria-label', r.reading + ' over the last 10 minutes');
      row.svg.style.display = 'none';
      row.box.append(row.svg);
      loadHistory(device, r.reading, row);
    }
  }
  row.value.textContent = shown(r);
  row.time = Date.parse(r.time);
  row.age.textContent = age(now() - row.time);
  if (row.points && typeof r.value === 'number') {
    addPoint(row.points, row.time, r.value);
    plot(row);
  }
}

function addPoint(points, t, v) {
  const last = points[points.length - 1];
  if (last && t - last.added < SPACING_MS && t >= last.t) {
    last.t = t;
    last.v = v;
  } else if (!last || t > last.t) {
    points.push({ t, v, added: t });
  }
  while (points.length > MAX_POINTS || (points.length > 1 && points[0].t < now() - WINDOW_MS)) points.shift();
}

async function loadHistory(device, reading, row) {
  try {
    const q = 'api/history?device=' + encodeURIComponent(device) + '&reading=' + encodeURIComponent(reading);
    const res = await fetch(q, { cache: 'no-store' });
    if (!res.ok) return;
    const h = await res.json();
    const live = row.points.splice(0);
    for (const [t, v] of h.points) addPoint(row.points, t, v);
    for (const p of live) addPoint(row.points, p.t, p.v);
    plot(row);
  } catch (e) {
    // the plot starts from the live values
  }
}

// The last 10 minutes (or since the first value) as steps: a value holds until the next one, and until now.
function plot(row) {
  const pts = row.points;
  const svg = row.svg;
  svg.replaceChildren();
  svg.style.display = pts.length < 2 ? 'none' : '';
  if (pts.length < 2) return;
  const end = Math.max(now(), pts[pts.length - 1].t);
  const start = Math.max(end - WINDOW_MS, pts[0].t);
  const width = Math.max(end - start, 1);
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pts) { lo = Math.min(lo, p.v); hi = Math.max(hi, p.v); }
  const span = hi - lo || Math.abs(hi) || 1;
  const x = (t) => ((Math.max(t, start) - start) / width * 300).toFixed(1);
  const y = (v) => (hi === lo ? 22 : 40 - (v - lo) / span * 34).toFixed(1);
  const line = document.createElementNS(SVG, 'polyline');
  const xy = [x(pts[0].t) + ',' + y(pts[0].v)];
  for (let i = 1; i < pts.length; i++) {
    xy.push(x(pts[i].t) + ',' + y(pts[i - 1].v), x(pts[i].t) + ',' + y(pts[i].v));
  }
  xy.push(x(end) + ',' + y(pts[pts.length - 1].v));
  line.setAttribute('points', xy.join(' '));
  svg.append(line);
  const label = (text, yy) => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', '2');
    t.setAttribute('y', yy);
    t.textContent = text;
    svg.append(t);
  };
  label(String(+hi.toPrecision(6)), '9');
  if (hi !== lo) label(String(+lo.toPrecision(6)), '43');
}

// ---------------------------------------------------------------- alerts

function alertText(a) {
  if (a.device && a.availability) {
    return a.device + ' ' + a.availability + (a.reason ? ': ' + a.reason : '');
  }
  if (a.event === 'command_refused') return 'command for ' + a.device + ' refused: ' + a.reason;
  if (a.event === 'reconnected') return 'reconnected to the broker (lost since ' + a.since + ': ' + a.reason + ')';
  if (a.event === 'outbox_full') return 'outbox full: ' + a.dropped + ' message(s) dropped';
  return Object.entries(a).filter(([k]) => k !== 'time').map(([k, v]) => k + '=' + v).join(' ');
}

function addAlert(a, top) {
  const ol = $('alerts');
  const empty = ol.querySelector('.empty');
  if (empty) empty.remove();
  const li = el('li');
  const t = el('time', null, a.time ? new Date(a.time).toLocaleTimeString() : '');
  if (a.time) t.dateTime = a.time;
  li.append(t, document.createTextNode(alertText(a)));
  if (top) ol.prepend(li); else ol.append(li);
  while (ol.children.length > MAX_ALERTS) ol.lastElementChild.remove();
}

function setAlerts(list) {
  $('alerts').replaceChildren();
  for (const a of list.slice().reverse()) addAlert(a, false);
  if (list.length === 0) $('alerts').append(el('li', 'empty', 'none'));
}

// ---------------------------------------------------------------- the live feed

function listen() {
  const es = new EventSource('api/events');
  const on = (type, f) => es.addEventListener(type, (e) => f(JSON.parse(e.data)));
  on('status', setStatus);
  on('devices', (d) => setDevices(d.devices));
  on('alerts', (a) => setAlerts(a.alerts));
  on('reading', (r) => setReading(r.device, r));
  on('availability', (a) => setAvailability(a.device, a.availability, a.reason));
  on('alert', (a) => addAlert(a, true));
  on('connection', setConnection);
  es.onopen = () => { $('stream').textContent = 'live'; $('stream').className = 'live'; };
  es.onerror = () => { $('stream').textContent = 'reconnecting'; $('stream').className = 'starting'; };
}

// Ages tick on this browser's clock; nothing is fetched for it.
setInterval(() => {
  const up = document.querySelector('dd.uptime');
  if (up && startedAt !== null) up.textContent = duration(Math.floor((Date.now() - startedAt) / 1000));
  const t = now();
  for (const d of devices.values()) {
    for (const row of d.rows.values()) {
      if (row.time) row.age.textContent = age(t - row.time);
    }
  }
}, 1000);

listen();
