// The status page `/`: one self-contained HTML document (inline CSS and script, no external
// assets, no framework) that polls status.json and shows what `tandem status` shows: VRRP
// instances, virtual servers with their real servers, and small rate charts whose history lives
// only in the browser. The URL is relative so the page also works behind a path-prefix proxy.

import { pageScript } from './page-script.js';

export interface PageOptions {
  /** How often the page fetches status.json. */
  readonly refreshMs: number;
}

const CSS = `
:root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --mute:#6b7385; --line:#e2e5ea;
  --up:#1f8a4c; --down:#c8352b; --warn:#b7791f; --accent:#2f6fda; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
  background:var(--bg); color:var(--ink); }
header { display:flex; align-items:baseline; gap:16px; padding:12px 20px;
  background:#1d2330; color:#fff; }
header h1 { font-size:18px; margin:0; letter-spacing:.5px; }
header .meta { color:#b9c0cf; font-size:12px; }
header .live { margin-left:auto; font-size:12px; }
.live.ok::before, .live.stale::before { content:"\\25CF"; margin-right:6px; }
.live.ok::before { color:#43c17a; } .live.stale::before { color:#e0a030; }
main { padding:16px 20px; max-width:1200px; }
h2 { font-size:15px; margin:18px 0 8px; color:var(--mute); text-transform:uppercase;
  letter-spacing:.6px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px;
  margin-bottom:12px; overflow:hidden; }
.card .head { display:flex; flex-wrap:wrap; align-items:center; gap:12px; padding:8px 12px;
  border-bottom:1px solid var(--line); }
.card .head .title { font-weight:600; font-family:ui-monospace, monospace; }
.card .head .sub { color:var(--mute); font-size:12px; }
.card .head .charts { margin-left:auto; display:flex; gap:14px; }
table { border-collapse:collapse; width:100%; }
th, td { padding:5px 10px; text-align:left; border-bottom:1px solid var(--line);
  white-space:nowrap; }
th { font-size:11px; color:var(--mute); font-weight:600; text-transform:uppercase; }
tr:last-child td { border-bottom:none; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.mono { font-family:ui-monospace, monospace; }
.badge { display:inline-block; min-width:54px; text-align:center; padding:1px 8px;
  border-radius:10px; font-size:11px; font-weight:700; color:#fff; background:var(--mute); }
.badge.MASTER, .badge.up { background:var(--up); }
.badge.BACKUP { background:var(--accent); }
.badge.FAULT, .badge.down { background:var(--down); }
.badge.draining { background:var(--warn); }
.spark { display:inline-flex; align-items:center; gap:6px; font-size:11px; color:var(--mute); }
.spark svg { display:block; }
.spark .val { min-width:72px; font-variant-numeric:tabular-nums; }
.banner { padding:8px 12px; border-radius:6px; margin-bottom:12px; background:#fdecea;
  color:var(--down); border:1px solid #f5c2bd; }
.empty { color:var(--mute); padding:8px 12px; }
.kv { display:flex; flex-wrap:wrap; gap:6px 18px; padding:8px 12px; font-size:12px; }
.kv span b { font-variant-numeric:tabular-nums; }
`;

/** The whole page; the refresh interval is baked in and shown in the header. */
export function statusPage(options: PageOptions): string {
  const seconds = options.refreshMs / 1000;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tandem status</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>tandem</h1>
  <span class="meta" id="meta"></span>
  <span class="meta">refresh every ${seconds} s</span>
  <span class="live" id="live">loading…</span>
</header>
<main>
  <div id="banners"></div>
  <h2>VRRP instances</h2>
  <div class="card" id="vrrp"><div class="empty">loading…</div></div>
  <h2>Virtual servers</h2>
  <div id="services"><div class="empty">loading…</div></div>
  <h2>Proxy data plane</h2>
  <div class="card" id="proxy"><div class="empty">loading…</div></div>
</main>
<noscript><p>This page needs JavaScript; the same data is at <a href="status.json">status.json</a>
and <a href="metrics">metrics</a>.</p></noscript>
<script>${pageScript(options.refreshMs)}</script>
</body>
</html>
`;
}
