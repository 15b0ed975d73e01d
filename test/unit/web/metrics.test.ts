import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter } from 'prom-client';
import { StatusMetrics, type WebStatus } from '../../../src/web/index.js';
import { parseProm, sampleValue, type Family } from '../../helpers/prom-parse.js';
import { fakeStatus } from '../../helpers/web-status.js';

async function scrape(status: WebStatus | (() => WebStatus)): Promise<Map<string, Family>> {
  const m = new StatusMetrics({
    status: () => Promise.resolve(typeof status === 'function' ? status() : status),
  });
  try {
    return parseProm(await m.scrape());
  } finally {
    m.close();
  }
}

describe('prom-parse', () => {
  test('reads HELP, TYPE, labels with escapes and special values', () => {
    const f = parseProm(
      [
        '# HELP a_total Backslash \\\\ and\\nnewline',
        '# TYPE a_total counter',
        'a_total{x="q\\"uote",y="back\\\\slash",z="new\\nline"} 3',
        'a_total{x="plain"} +Inf 1700000000000',
        '# a comment',
        '# TYPE h histogram',
        'h_bucket{le="+Inf"} 2',
        'h_sum 1.5e-3',
        'h_count 2',
        'untyped_one NaN',
        'untyped_two Nan',
        'untyped_three -inf',
      ].join('\n'),
    );
    const a = f.get('a_total')!;
    assert.equal(a.help, 'Backslash \\ and\nnewline');
    assert.equal(a.type, 'counter');
    assert.deepEqual(a.samples[0], {
      name: 'a_total',
      labels: { x: 'q"uote', y: 'back\\slash', z: 'new\nline' },
      value: 3,
    });
    assert.equal(a.samples[1]!.value, Infinity);
    assert.equal(f.get('h')!.samples.length, 3);
    assert.equal(sampleValue(f, 'h_sum'), 0.0015);
    assert.ok(Number.isNaN(sampleValue(f, 'untyped_one')));
    assert.ok(Number.isNaN(sampleValue(f, 'untyped_two')));
    assert.equal(sampleValue(f, 'untyped_three'), -Infinity);
  });

  test('rejects malformed lines', () => {
    for (const bad of [
      'a{x="unterminated} 1',
      'a{x="v" y="w"} 1',
      'a{x="v",x="w"} 1',
      'a 1two',
      'a{x="bad\\t"} 1',
      'a 1\na 2',
      '# TYPE a counter\n# TYPE a gauge',
      '# TYPE a bogus',
    ]) {
      assert.throws(() => parseProm(bad), Error, bad);
    }
  });
});

describe('StatusMetrics', () => {
  test('exports VRRP state, priorities, counters and rejections by reason', async () => {
    const f = await scrape(fakeStatus());
    const web = { instance: 'VI_WEB' };
    assert.equal(f.get('tandem_vrrp_state')?.type, 'gauge');
    assert.equal(sampleValue(f, 'tandem_vrrp_state', { ...web, state: 'MASTER' }), 1);
    assert.equal(sampleValue(f, 'tandem_vrrp_state', { ...web, state: 'BACKUP' }), 0);
    assert.equal(sampleValue(f, 'tandem_vrrp_state', { instance: 'VI_DNS', state: 'BACKUP' }), 1);
    assert.equal(sampleValue(f, 'tandem_vrrp_priority', { instance: 'VI_DNS' }), 100);
    assert.equal(sampleValue(f, 'tandem_vrrp_effective_priority', { instance: 'VI_DNS' }), 90);
    assert.equal(sampleValue(f, 'tandem_vrrp_vips', web), 1);
    assert.equal(f.get('tandem_vrrp_became_master_total')?.type, 'counter');
    assert.equal(sampleValue(f, 'tandem_vrrp_became_master_total', web), 2);
    assert.equal(sampleValue(f, 'tandem_vrrp_released_master_total', web), 1);
    assert.equal(sampleValue(f, 'tandem_vrrp_adverts_sent_total', web), 900);
    assert.equal(sampleValue(f, 'tandem_vrrp_adverts_received_total', { instance: 'VI_DNS' }), 800);
    assert.equal(sampleValue(f, 'tandem_vrrp_priority_zero_sent_total', web), 1);
    assert.equal(
      sampleValue(f, 'tandem_vrrp_adverts_rejected_total', { ...web, reason: 'ttl' }),
      2,
    );
    assert.equal(sampleValue(f, 'tandem_vrrp_unknown_vrid_total'), 3);
    assert.equal(sampleValue(f, 'tandem_vrrp_split_brain_active'), 0);
    assert.equal(sampleValue(f, 'tandem_vrrp_split_brain_episodes_total'), 1);
    assert.equal(sampleValue(f, 'tandem_vrrp_split_brain_probes_sent_total'), 40);
  });

  test('exports virtual and real servers: connections, totals, rates, weight, health', async () => {
    const st = fakeStatus({ down: ['10.0.1.2|80'] });
    const f = await scrape(st);
    const vs = { vs: 'tcp:10.0.0.1:80' };
    const rs1 = { ...vs, rs: '10.0.1.1:80' };
    const rs2 = { ...vs, rs: '10.0.1.2:80' };
    const v6 = { vs: 'udp:[2001:db8::53]:53', rs: '[2001:db8::1:1]:53' };
    assert.equal(sampleValue(f, 'tandem_real_server_active_connections', rs2), 6);
    assert.equal(sampleValue(f, 'tandem_real_server_inactive_connections', rs2), 2);
    assert.equal(sampleValue(f, 'tandem_real_server_weight', rs1), 3);
    assert.equal(sampleValue(f, 'tandem_real_server_up', rs1), 1);
    assert.equal(sampleValue(f, 'tandem_real_server_up', rs2), 0);
    assert.equal(sampleValue(f, 'tandem_real_server_up', v6), 1);
    assert.equal(sampleValue(f, 'tandem_real_server_connections_total', rs2), 2000);
    assert.equal(
      sampleValue(f, 'tandem_real_server_bytes_total', { ...rs1, direction: 'out' }),
      9e6,
    );
    assert.equal(
      sampleValue(f, 'tandem_real_server_packets_total', { ...rs1, direction: 'in' }),
      5000,
    );
    const d1 = st.table.services[0]!.dests[0]!;
    assert.equal(sampleValue(f, 'tandem_real_server_connections_per_second', rs1), d1.rates.cps);
    assert.equal(
      sampleValue(f, 'tandem_real_server_bytes_per_second', { ...rs1, direction: 'in' }),
      d1.rates.inbps,
    );
    assert.equal(sampleValue(f, 'tandem_virtual_server_active_connections', vs), 9);
    assert.equal(sampleValue(f, 'tandem_virtual_server_connections_total', vs), 3000);
    assert.equal(sampleValue(f, 'tandem_virtual_server_quorum_up', vs), 1);
    assert.equal(
      sampleValue(f, 'tandem_real_server_connect_failures_total', {
        rs: '10.0.1.1:80',
        reason: 'refused',
      }),
      2,
    );
    assert.equal(f.get('tandem_real_server_connections_per_second')?.type, 'gauge');
    assert.equal(f.get('tandem_real_server_connections_total')?.type, 'counter');
  });

  test('exports proxy counters, listeners, info, event-loop delay and process metrics', async () => {
    const f = await scrape(fakeStatus());
    assert.equal(sampleValue(f, 'tandem_proxy_accepted_total'), 3000);
    assert.equal(sampleValue(f, 'tandem_proxy_no_destination_total'), 4);
    assert.equal(sampleValue(f, 'tandem_proxy_listen_errors_total'), 1);
    assert.equal(sampleValue(f, 'tandem_proxy_relays'), 12);
    assert.equal(sampleValue(f, 'tandem_proxy_listener_up', { listener: 'tcp:10.0.0.1:80' }), 1);
    assert.equal(
      sampleValue(f, 'tandem_proxy_listener_up', { listener: 'udp:[2001:db8::53]:53' }),
      0,
    );
    assert.equal(sampleValue(f, 'tandem_info', { dataplane: 'proxy' }), 1);
    for (const q of ['p50', 'p99', 'max']) {
      const v = sampleValue(f, `tandem_event_loop_delay_${q}_seconds`);
      assert.ok(v !== undefined && v >= 0 && v < 10, `${q}: ${v}`);
    }
    assert.ok(f.has('process_cpu_user_seconds_total'));
    assert.ok(f.has('nodejs_heap_size_used_bytes'));
    // Every family declares its help and type.
    for (const fam of f.values()) assert.ok(fam.help && fam.type, fam.name);
  });

  test('label values are escaped and series of removed servers disappear', async () => {
    const odd = 'VI_"odd"\\name\nx';
    let st = fakeStatus();
    const m = new StatusMetrics({ status: () => Promise.resolve(st) });
    try {
      const vrrp = st.vrrp!;
      st = { ...st, vrrp: { ...vrrp, instances: [{ ...vrrp.instances[0]!, name: odd }] } };
      let f = parseProm(await m.scrape());
      assert.equal(sampleValue(f, 'tandem_vrrp_priority', { instance: odd }), 150);
      assert.equal(sampleValue(f, 'tandem_vrrp_priority', { instance: 'VI_WEB' }), undefined);
      const { vrrp: dropped, ...rest } = st;
      assert.ok(dropped);
      st = { ...rest, table: { ...st.table, services: st.table.services.slice(1) } };
      f = parseProm(await m.scrape());
      assert.equal(
        sampleValue(f, 'tandem_real_server_weight', { vs: 'tcp:10.0.0.1:80', rs: '10.0.1.1:80' }),
        undefined,
      );
      assert.equal(f.get('tandem_vrrp_state')?.samples.length, 0);
    } finally {
      m.close();
    }
  });

  test('concurrent scrapes share one status read; a failing source rejects', async () => {
    let reads = 0;
    let fail = false;
    const m = new StatusMetrics({
      status: async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error('no status');
        return fakeStatus();
      },
      extraMetrics: (registry) => {
        new Counter({ name: 'tandem_extra_total', help: 'extra', registers: [registry] }).inc(7);
      },
    });
    try {
      const [a, b] = await Promise.all([m.scrape(), m.scrape()]);
      assert.equal(reads, 1);
      assert.equal(a, b);
      assert.equal(sampleValue(parseProm(a), 'tandem_extra_total'), 7);
      fail = true;
      await assert.rejects(m.scrape(), /no status/);
      fail = false;
      assert.ok((await m.scrape()).includes('tandem_vrrp_state'));
    } finally {
      m.close();
    }
  });
});
