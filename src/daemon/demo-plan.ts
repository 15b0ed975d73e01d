// What `tandem demo` runs, as plain data: the loopback addresses of the VIP, the two directors,
// the three real servers and the (absent) SMTP server, and where the run files go. Everything
// lives in one 127.P.Q.0/24 of the loopback network (127.0.0 unless --prefix says otherwise), so
// a second demo, or a test, on another prefix never meets this one, and nothing needs root:
// Linux answers every 127.0.0.0/8 address on lo without configuration.
// The namespace form (--netns, root) is the seed documents' own network instead: 192.168.138.0/24
// on a bridge, one namespace per host, the VIP 192.168.138.200:80 moved by real VRRP, LVS-DR
// through the nftables data plane, real servers prepared with `tandem realserver`.

import { join } from 'node:path';

export interface DemoDirector {
  readonly id: 'a' | 'b';
  /** The VRRP source address (vrrp_transport udp) and the admin listener's host. */
  readonly address: string;
  readonly priority: number;
  readonly adminPort: number;
  /** The director's control socket, for tandemadm --control. */
  readonly control: string;
  /** The director's network namespace (netns form). */
  readonly ns?: string;
}

export interface DemoRealServer {
  /** 1-based, as the tour and `tandem demo rs stop N` name it. */
  readonly n: number;
  readonly address: string;
  readonly port: number;
  /** The real server's network namespace (netns form). */
  readonly ns?: string;
}

export interface DemoNetns {
  /** The namespace holding the LAN's bridge. */
  readonly lan: string;
  /** The client's namespace and address: where the tour's curl runs. */
  readonly client: { readonly ns: string; readonly address: string };
  /** Every namespace the demo creates, the bridge's first. */
  readonly all: readonly string[];
}

export interface DemoPlan {
  readonly form: 'loopback' | 'netns';
  /** The data plane the directors run: proxy (loopback) or nft (netns, LVS-DR). */
  readonly dataplane: 'proxy' | 'nft';
  readonly netns?: DemoNetns;
  readonly prefix: string;
  readonly vip: string;
  readonly port: number;
  readonly directors: readonly DemoDirector[];
  readonly realServers: readonly DemoRealServer[];
  /** Where the directors send their alert e-mail; nothing listens there (see demo-config.ts). */
  readonly smtp: { readonly address: string; readonly port: number };
  readonly runDir: string;
  /** The generated keepalived.conf both directors read. */
  readonly configFile: string;
  /** The demo's own control socket (`tandem demo rs stop 2` …). */
  readonly demoSocket: string;
}

export const DEFAULT_PREFIX = '127.0.0';
/** The HTTP port of the VIP and of every real server. */
export const DEMO_PORT = 8080;
/** Each director's status page, on the director's own address. */
export const DEMO_ADMIN_PORT = 9716;

/** True for a.b.c with a = 127 and b, c in 0..255: a /24 of the loopback network. */
export function isLoopbackPrefix(text: string): boolean {
  const m = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  return m !== null && Number(m[1]) <= 255 && Number(m[2]) <= 255;
}

/**
 * The run directory when --run-dir is not given: root's under /run, anyone else's under
 * $XDG_RUNTIME_DIR or /tmp, named per user so two users' demos never share one.
 */
export function defaultRunDir(
  uid: number | undefined = process.getuid?.(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (uid === 0) return '/run/tandem-demo';
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg?.startsWith('/')) return join(xdg, 'tandem-demo');
  return `/tmp/tandem-demo-${uid ?? 'user'}`;
}

export function demoPlan(prefix: string, runDir: string): DemoPlan {
  const at = (host: number): string => `${prefix}.${host}`;
  const director = (id: 'a' | 'b', host: number, priority: number): DemoDirector => ({
    id,
    address: at(host),
    priority,
    adminPort: DEMO_ADMIN_PORT,
    control: join(runDir, `${id}.sock`),
  });
  return {
    form: 'loopback',
    dataplane: 'proxy',
    prefix,
    vip: at(100),
    port: DEMO_PORT,
    directors: [director('a', 11, 150), director('b', 12, 100)],
    realServers: [1, 2, 3].map((n) => ({ n, address: at(100 + n), port: DEMO_PORT })),
    smtp: { address: at(25), port: 2525 },
    runDir,
    configFile: join(runDir, 'demo.conf'),
    demoSocket: join(runDir, 'demo.sock'),
  };
}

/** The seed network (seed 000's 192.168.138.0/24) as one namespace per host. */
export const NETNS_PREFIX = '192.168.138';
const NS = 'tdemo-';

export function demoNetnsPlan(runDir: string, dataplane: 'proxy' | 'nft' = 'nft'): DemoPlan {
  const at = (host: number): string => `${NETNS_PREFIX}.${host}`;
  // The seed's priorities: the master 100, the backup 80.
  const director = (id: 'a' | 'b', host: number, priority: number): DemoDirector => ({
    id,
    address: at(host),
    priority,
    adminPort: DEMO_ADMIN_PORT,
    control: join(runDir, `${id}.sock`),
    ns: `${NS}${id}`,
  });
  const directors = [director('a', 11, 100), director('b', 12, 80)];
  const realServers = [1, 2, 3].map((n) => ({
    n,
    address: at(2 + n),
    port: 80,
    ns: `${NS}rs${n}`,
  }));
  const client = { ns: `${NS}client`, address: at(100) };
  const lan = `${NS}lan`;
  return {
    form: 'netns',
    dataplane,
    netns: {
      lan,
      client,
      all: [lan, client.ns, ...directors.map((d) => d.ns ?? ''), ...realServers.map((r) => r.ns)],
    },
    prefix: NETNS_PREFIX,
    vip: at(200),
    port: 80,
    directors,
    realServers,
    smtp: { address: at(10), port: 25 },
    runDir,
    configFile: join(runDir, 'demo.conf'),
    demoSocket: join(runDir, 'demo.sock'),
  };
}
