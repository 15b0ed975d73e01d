// The status page's script, as text the page inlines. Plain ES2017 for any current browser: it
// builds the DOM with createElement and textContent only (names in the status come from the
// configuration and are never parsed as HTML), keeps the last SAMPLES rates per series for the
// sparklines, and starts a fetch every refresh interval, never while one is still running.
// Rows carry data-* attributes (data-instance, data-rs, data-health) for tests and scripts.

/** Samples kept per chart: two minutes at the default 2 s refresh. */
export const SAMPLES = 60;

const SCRIPT = String.raw`
(function () {
'use strict';
var series = new Map();
var SVG = 'http://www.w3.org/2000/svg';

function h(tag, attrs) {
  var el = document.createElement(tag);
  for (var k in attrs || {}) {
    if (k === 'text') el.textContent = attrs[k];
    else el.setAttribute(k, attrs[k]);
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c !== null && c !== undefined) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

function bracketed(a) { return a.indexOf(':') >= 0 ? '[' + a + ']' : a; }
function serviceKey(s) {
  if (s.fwmark !== 0 || !s.protocol) return 'fwmark:' + s.fwmark + (s.family === 'inet6' ? ':inet6' : '');
  return s.protocol.toLowerCase() + ':' + bracketed(s.address || '') + ':' + s.port;
}
function serviceTitle(s) {
  if (s.fwmark !== 0 || !s.protocol) return 'FWM ' + s.fwmark;
  return s.protocol + ' ' + bracketed(s.address || '') + ':' + s.port;
}

function si(n, unit) {
  var units = ['', 'k', 'M', 'G', 'T'];
  var i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  var text = i === 0 ? String(Math.round(n * 10) / 10) : n.toFixed(n < 10 ? 1 : 0);
  return text + ' ' + units[i] + unit;
}

function record(key, value) {
  var arr = series.get(key);
  if (!arr) { arr = []; series.set(key, arr); }
  arr.push(value);
  if (arr.length > SAMPLES) arr.shift();
  return arr;
}

function sparkline(key, value, unit) {
  var data = record(key, value);
  var w = 120, hgt = 26, step = w / (SAMPLES - 1), max = Math.max.apply(null, data.concat([1e-9]));
  var svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', hgt);
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + hgt);
  // Newest sample at the right edge; the window fills from the right as samples arrive.
  var pts = data.map(function (v, i) {
    var x = (SAMPLES - data.length + i) * step;
    return x.toFixed(1) + ',' + (hgt - 2 - (v / max) * (hgt - 5)).toFixed(1);
  });
  var bg = document.createElementNS(SVG, 'rect');
  bg.setAttribute('width', w); bg.setAttribute('height', hgt); bg.setAttribute('rx', 3);
  bg.setAttribute('fill', '#f0f3f8');
  var area = document.createElementNS(SVG, 'polygon');
  var x0 = ((SAMPLES - data.length) * step).toFixed(1);
  area.setAttribute('points', x0 + ',' + hgt + ' ' + pts.join(' ') + ' ' + w + ',' + hgt);
  area.setAttribute('fill', 'rgba(47,111,218,.18)');
  var line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', pts.join(' '));
  line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#2f6fda');
  line.setAttribute('stroke-width', '1.5'); line.setAttribute('stroke-linejoin', 'round');
  svg.appendChild(bg); svg.appendChild(area); svg.appendChild(line);
  return h('span', { 'class': 'spark', title: unit + ' over the last ' + data.length + ' samples (' +
      Math.round(data.length * REFRESH_MS / 1000) + ' s)' },
    svg, h('span', { 'class': 'val', text: si(value, unit) }));
}

function healthOf(checks) {
  var byVs = new Map(), byRs = new Map();
  (checks || []).forEach(function (c) {
    c.rs.forEach(function (r) {
      byVs.set(c.vs + '#' + r.rs, r.alive);
      byRs.set(r.rs, (byRs.has(r.rs) ? byRs.get(r.rs) : true) && r.alive);
    });
  });
  return function (vs, d) {
    var k = d.address + '|' + d.port;
    return byVs.has(vs + '#' + k) ? byVs.get(vs + '#' + k) : byRs.get(k);
  };
}

function renderVrrp(st) {
  var box = document.getElementById('vrrp');
  var list = st.vrrp ? st.vrrp.instances : [];
  if (list.length === 0) {
    box.replaceChildren(h('div', { 'class': 'empty', text: st.vrrp ? 'No instances.' : 'VRRP is not running.' }));
    return;
  }
  var head = h('tr', null);
  ['Instance', 'State', 'VRID', 'Priority', 'Master', 'VIPs', 'Sent', 'Received', 'Rejected', 'Became master']
    .forEach(function (t, i) { head.appendChild(h('th', { 'class': i >= 6 || i === 2 || i === 3 ? 'num' : '', text: t })); });
  var body = h('tbody', null);
  list.forEach(function (i) {
    var rejected = Object.keys(i.stats.rejected).reduce(function (a, k) { return a + i.stats.rejected[k]; }, 0);
    var prio = i.effectivePriority === i.priority ? String(i.priority) : i.effectivePriority + ' (' + i.priority + ')';
    body.appendChild(h('tr', { 'data-instance': i.name, 'data-state': i.state },
      h('td', { 'class': 'mono', text: i.name }),
      h('td', null, h('span', { 'class': 'badge ' + i.state, text: i.state })),
      h('td', { 'class': 'num', text: String(i.vrid) }),
      h('td', { 'class': 'num', text: prio }),
      h('td', { 'class': 'mono', text: i.state === 'MASTER' ? 'this node' : (i.masterAddress || '—') }),
      h('td', { 'class': 'mono', text: i.vips.join(', ') || '—' }),
      h('td', { 'class': 'num', text: String(i.stats.advertsSent) }),
      h('td', { 'class': 'num', text: String(i.stats.advertsReceived) }),
      h('td', { 'class': 'num', text: String(rejected) }),
      h('td', { 'class': 'num', text: String(i.stats.becameMaster) })));
  });
  box.replaceChildren(h('table', null, h('thead', null, head), body));
}

function renderServices(st) {
  var box = document.getElementById('services');
  var health = healthOf(st.checks);
  var seen = new Set();
  var quorum = new Map((st.checks || []).map(function (c) { return [c.vs, c.quorumUp]; }));
  var cards = st.table.services.map(function (s) {
    var key = serviceKey(s);
    seen.add(key);
    var q = quorum.get(key);
    var head = h('div', { 'class': 'head' },
      h('span', { 'class': 'title', text: serviceTitle(s) }),
      h('span', { 'class': 'sub', text: s.scheduler + (s.flags && s.flags.persistent ? ' · persistent ' + s.timeout + ' s' : '') +
        ' · ' + s.dests.length + ' real server' + (s.dests.length === 1 ? '' : 's') +
        (q === undefined ? '' : q ? ' · quorum up' : ' · quorum DOWN') }),
      h('span', { 'class': 'charts' },
        sparkline(key + '/cps', s.rates.cps, 'conn/s'),
        sparkline(key + '/bps', s.rates.inbps + s.rates.outbps, 'B/s')));
    var rows = h('tbody', null);
    s.dests.forEach(function (d) {
      var rs = bracketed(d.address) + ':' + d.port;
      var rkey = key + '>' + rs;
      seen.add(rkey);
      var alive = health(key, d);
      var draining = d.weight === 0 && d.activeConns + d.inactConns > 0;
      var state = alive === undefined ? 'unknown' : alive ? 'up' : 'down';
      rows.appendChild(h('tr', { 'data-rs': rs, 'data-vs': key, 'data-health': state },
        h('td', { 'class': 'mono', text: rs }),
        h('td', null, h('span', { 'class': 'badge ' + state, text: state === 'unknown' ? '—' : state.toUpperCase() }),
          draining ? h('span', { 'class': 'badge draining', text: 'DRAINING' }) : null),
        h('td', { 'class': 'num', text: String(d.weight) }),
        h('td', { 'class': 'num', text: String(d.activeConns) }),
        h('td', { 'class': 'num', text: String(d.inactConns) }),
        h('td', { 'class': 'num', text: String(d.stats.conns) }),
        h('td', null, sparkline(rkey + '/cps', d.rates.cps, 'conn/s')),
        h('td', null, sparkline(rkey + '/bps', d.rates.inbps + d.rates.outbps, 'B/s'))));
    });
    // A checked real server that failed is taken out of the table (as keepalived does unless
    // inhibit_on_failure): still list it, DOWN, so the page shows what is missing.
    var inTable = new Set(s.dests.map(function (d) { return d.address + '|' + d.port; }));
    var missing = 0;
    (st.checks || []).forEach(function (c) {
      if (c.vs !== key) return;
      c.rs.forEach(function (r) {
        if (inTable.has(r.rs) || r.alive) return;
        var cut = r.rs.lastIndexOf('|');
        var rs = bracketed(r.rs.slice(0, cut)) + ':' + r.rs.slice(cut + 1);
        missing++;
        rows.appendChild(h('tr', { 'data-rs': rs, 'data-vs': key, 'data-health': 'down' },
          h('td', { 'class': 'mono', text: rs }),
          h('td', null, h('span', { 'class': 'badge down', text: 'DOWN' })),
          h('td', { 'class': 'num', text: '—' }), h('td', { 'class': 'num', text: '—' }),
          h('td', { 'class': 'num', text: '—' }), h('td', { 'class': 'num', text: '—' }),
          h('td', null), h('td', null)));
      });
    });
    var cols = h('tr', null);
    [['Real server', ''], ['Health', ''], ['Weight', 'num'], ['Active', 'num'], ['Inactive', 'num'],
      ['Conns', 'num'], ['Conn rate', ''], ['Byte rate', '']]
      .forEach(function (c) { cols.appendChild(h('th', { 'class': c[1], text: c[0] })); });
    return h('div', { 'class': 'card', 'data-service': key }, head,
      s.dests.length + missing ? h('table', null, h('thead', null, cols), rows) : h('div', { 'class': 'empty', text: 'No real servers.' }));
  });
  // Forget the history of servers that left the table.
  Array.from(series.keys()).forEach(function (k) { if (!seen.has(k.slice(0, k.lastIndexOf('/')))) series.delete(k); });
  box.replaceChildren.apply(box, cards.length ? cards : [h('div', { 'class': 'card' }, h('div', { 'class': 'empty', text: 'No virtual servers.' }))]);
}

function renderProxy(st) {
  var box = document.getElementById('proxy');
  var p = st.proxy, kv = h('div', { 'class': 'kv' });
  if (!p) { box.replaceChildren(h('div', { 'class': 'empty', text: 'Kernel data plane: traffic is counted per real server above.' })); return; }
  var add = function (k, v) { kv.appendChild(h('span', null, k + ' ', h('b', { text: String(v) }))); };
  add('relays', p.relays); add('UDP flows', p.udpFlows);
  add('listeners', p.listeners.filter(function (l) { return l.listening; }).length + '/' + p.listeners.length);
  Object.keys(p.counters).forEach(function (k) { add(k, p.counters[k]); });
  box.replaceChildren(kv);
}

function renderBanners(st) {
  var box = document.getElementById('banners');
  var sb = st.vrrp ? st.vrrp.splitBrain.active : [];
  box.replaceChildren.apply(box, sb.map(function (e) {
    return h('div', { 'class': 'banner', text: 'Split brain: another node answers for ' + e.vip + ' (' + e.instance + ')' });
  }));
}

function render(st) {
  document.getElementById('meta').textContent =
    (st.pid ? 'pid ' + st.pid + ' · ' : '') + (st.dataplane ? st.dataplane + ' data plane' : '');
  renderBanners(st); renderVrrp(st); renderServices(st); renderProxy(st);
}

function tick() {
  var live = document.getElementById('live');
  var started = Date.now();
  fetch('status.json', { cache: 'no-store' })
    .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(function (st) {
      render(st);
      live.className = 'live ok';
      live.textContent = 'updated ' + new Date().toLocaleTimeString();
    })
    .catch(function (e) {
      live.className = 'live stale';
      live.textContent = 'stale: ' + e.message;
    })
    // Every REFRESH_MS from the start of the last fetch, so a change shows within one interval
    // plus one fetch; never two fetches at once.
    .then(function () { setTimeout(tick, Math.max(0, REFRESH_MS - (Date.now() - started))); });
}
tick();
})();
`;

/** The script with its constants; `refreshMs` is a number, so interpolating it is safe. */
export function pageScript(refreshMs: number): string {
  return `var REFRESH_MS = ${Math.max(250, Math.round(refreshMs))};\nvar SAMPLES = ${SAMPLES};\n${SCRIPT}`;
}
