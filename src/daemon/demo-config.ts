// The keepalived.conf of `tandem demo`, rendered from the plan: one file for both directors
// (`@a` / `@b` lines, chosen with --config-id as keepalived's -i), VRRP over UDP between the two
// directors' loopback addresses, the VIP held as proxy listeners, round robin over three real
// servers with HTTP_GET checks, and e-mail alerts to an SMTP server that is not there, so a
// failed real server shows keepalived's SMTP error line as the seed runbook does.
// examples/quickstart.conf is this text for the default prefix (a unit test keeps them equal).

import type { DemoPlan } from './demo-plan.js';

const HEADER = `! tandem quick start: what \`npm start\` (\`tandem demo\`) runs — a two-director HA cluster and
! three real servers on this machine's loopback addresses, without root. Directors a and b read
! this one file (--config-id a / b selects the @a / @b lines, as keepalived's -i). By hand, with
! three HTTP servers on 127.0.0.101-103:8080, in two terminals (add --control and --admin
! 127.0.0.11:9716 / 127.0.0.12:9716 to give each its own control socket and status page):
!   npx tandem -n -f examples/quickstart.conf --config-id a --dataplane proxy
!   npx tandem -n -f examples/quickstart.conf --config-id b --dataplane proxy
!   curl http://127.0.0.100:8080/            # answered by the real servers in turn
! Two tandem extensions make one machine enough: VRRP travels in UDP datagrams between
! 127.0.0.11 and 127.0.0.12 (vrrp_transport udp), and holding the VIP means owning its proxy
! listeners (vip_mode listener). On real directors drop both lines: VRRP then speaks IP
! protocol 112 and moves the address with gratuitous ARP, as keepalived does.
`;

function checker(): string {
  return `        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }`;
}

export function renderDemoConfig(plan: DemoPlan): string {
  return plan.form === 'netns' ? renderNetnsConfig(plan) : renderLoopbackConfig(plan);
}

function renderLoopbackConfig(plan: DemoPlan): string {
  const [a, b] = plan.directors;
  if (a === undefined || b === undefined) throw new Error('the demo has two directors');
  const servers = plan.realServers
    .map(
      (rs) => `    real_server ${rs.address} ${rs.port} {
        weight 1
${checker()}
    }`,
    )
    .join('\n');
  return `${HEADER}
${globalDefs(plan, '    ! Alerts go to an SMTP server nobody runs: each director logs "SMTP connection ERROR".\n')}
vrrp_instance VI_1 {
    state BACKUP
@a  priority ${a.priority}
@b  priority ${b.priority}
    virtual_router_id 51
    version 3
    advert_int 0.1
    vrrp_transport udp
    vip_mode listener
@a  unicast_src_ip ${a.address}
@a  unicast_peer { ${b.address} }
@b  unicast_src_ip ${b.address}
@b  unicast_peer { ${a.address} }
    virtual_ipaddress {
        ${plan.vip}
    }
}

! Every real server answers GET / with its own page. Stop one: its HTTP_GET fails and it leaves
! the pool within about 3 s (connect_timeout 1 + one retry after 1 s); it returns at the next
! check that succeeds (delay_loop 2).
virtual_server ${plan.vip} ${plan.port} {
    delay_loop 2
    lvs_sched rr
    lvs_method NAT
    protocol TCP

${servers}
}
`;
}

/** Both demos' global_defs: alerts to an SMTP server nobody runs, one router_id per director. */
function globalDefs(plan: DemoPlan, comment = ''): string {
  return `global_defs {
${comment}    notification_email {
        admin@example.com
    }
    notification_email_from tandem-demo@example.com
    smtp_server ${plan.smtp.address} ${plan.smtp.port}
    smtp_connect_timeout 2
@a  router_id director-a
@b  router_id director-b
}
`;
}

const NETNS_HEADER = `! tandem demo --netns: seed 000's cluster in network namespaces — two directors electing a
! master with VRRP (IP protocol 112 on eth0, PASS authentication, the seed's priorities 100 and
! 80), the VIP moved between them as an address with gratuitous ARP, LVS-DR to three real servers
! prepared with \`tandem realserver start\` (VIP on lo, arp_ignore / arp_announce), TCP_CHECKs, and
! alert e-mail to an SMTP server that is not there. Only the checker timers are shorter.
`;

function renderNetnsConfig(plan: DemoPlan): string {
  const [a, b] = plan.directors;
  if (a === undefined || b === undefined) throw new Error('the demo has two directors');
  const servers = plan.realServers
    .map(
      (rs) => `    real_server ${rs.address} ${rs.port} {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
            connect_port ${rs.port}
        }
    }`,
    )
    .join('\n');
  return `${NETNS_HEADER}
${globalDefs(plan)}
vrrp_instance VI_1 {
@a  state MASTER
@b  state BACKUP
    interface eth0
    virtual_router_id 51
@a  priority ${a.priority}
@b  priority ${b.priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        ${plan.vip}
    }
}

virtual_server ${plan.vip} ${plan.port} {
    delay_loop 2
    lvs_sched rr
    lvs_method DR
    protocol TCP

${servers}
}
`;
}
