#!/usr/bin/env bash
# Regenerates the captured VRRP vectors of test/fixtures/vrrp/vectors.ts from a real keepalived
# (2.2.7 when written). Two network namespaces joined by one veth pair with fixed MACs and a fixed
# link-local address, so the captured bytes (incl. the IPv6 pseudo-header checksum the kernel
# fills) are the same on every run. keepalived runs in the first namespace with one instance per
# vector; tcpdump captures in the second; SIGTERM then makes every master send priority 0.
# Prints each distinct packet (IP id aside) as IP src, IP dst, TTL/hop limit, the IPv4 header and
# the hex of the VRRP message.
# Needs root, ip(8), tcpdump and keepalived. Everything created is removed on exit.
set -euo pipefail

tag="vc$$"
nsk="${tag}k"
nsc="${tag}c"
dir="$(mktemp -d)"
kpid=""
tpid=""

cleanup() {
  [ -n "$kpid" ] && kill "$kpid" 2>/dev/null || true
  [ -n "$tpid" ] && kill "$tpid" 2>/dev/null || true
  ip netns del "$nsk" 2>/dev/null || true
  ip netns del "$nsc" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$nsk"
ip netns add "$nsc"
ip link add "${tag}a" type veth peer name "${tag}b"
ip link set "${tag}a" netns "$nsk"
ip link set "${tag}b" netns "$nsc"
setup() { # ns ifname mac v4 v6ll
  ip -n "$1" link set "$2" name eth0
  ip -n "$1" link set eth0 address "$3"
  # No kernel-made link-local: ours is fixed so the IPv6 checksum is reproducible.
  ip netns exec "$1" sysctl -qw net.ipv6.conf.eth0.addr_gen_mode=1
  ip -n "$1" link set lo up
  ip -n "$1" link set eth0 up
  ip -n "$1" addr add "$4/24" dev eth0
  ip -n "$1" addr add "$5/64" dev eth0 nodad
}
setup "$nsk" "${tag}a" 02:00:00:00:00:01 10.0.0.1 fe80::1
setup "$nsc" "${tag}b" 02:00:00:00:00:02 10.0.0.2 fe80::2

cat >"$dir/keepalived.conf" <<'EOF'
global_defs {
  router_id capture
}
vrrp_instance V2_PASS {
  version 2
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 255
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    10.0.0.100/24
  }
}
vrrp_instance V2_TWO {
  version 2
  state MASTER
  interface eth0
  virtual_router_id 52
  priority 255
  advert_int 2
  virtual_ipaddress {
    10.0.0.101/24
    10.0.0.102/24
  }
}
vrrp_instance V3_MCAST {
  version 3
  state MASTER
  interface eth0
  virtual_router_id 53
  priority 255
  advert_int 0.5
  virtual_ipaddress {
    10.0.0.103/24
  }
}
vrrp_instance V3_UCAST {
  version 3
  state MASTER
  interface eth0
  virtual_router_id 54
  priority 255
  advert_int 1
  unicast_src_ip 10.0.0.1
  unicast_peer {
    10.0.0.2
  }
  virtual_ipaddress {
    10.0.0.104/24
  }
}
vrrp_instance V3_IPV6 {
  version 3
  state MASTER
  interface eth0
  virtual_router_id 55
  priority 255
  advert_int 1
  virtual_ipaddress {
    fe80::55/64
    2001:db8::55/64
  }
}
EOF

ip netns exec "$nsc" tcpdump -i eth0 -nn -U -w "$dir/vrrp.pcap" 'ip proto 112 or ip6 proto 112' \
  2>"$dir/tcpdump.err" &
tpid=$!
sleep 1
ip netns exec "$nsk" keepalived -n -l -D -P -f "$dir/keepalived.conf" \
  -p "$dir/keepalived.pid" -r "$dir/vrrp.pid" >"$dir/keepalived.log" 2>&1 &
kpid=$!
sleep 3
kill -TERM "$kpid"
wait "$kpid" || true
kpid=""
sleep 1
kill "$tpid"
wait "$tpid" || true
tpid=""

echo "# keepalived $(keepalived -v 2>&1 | head -1)"
echo "# config:"
sed 's/^/#   /' "$dir/keepalived.conf"
echo "# command: keepalived -n -l -D -P -f keepalived.conf -p keepalived.pid -r vrrp.pid"
# -xx prints link-layer bytes too; strip Ethernet (14) and the IP header (IPv4 IHL, IPv6 40).
tcpdump -r "$dir/vrrp.pcap" -nn -xx 2>/dev/null | awk '
  function hx(s,   i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
  function flush() {
    if (hex == "") return
    et = substr(hex, 25, 4)
    if (et == "0800") {
      ihl = hx(substr(hex, 30, 1)) * 4
      ip = substr(hex, 29)
      ttl = hx(substr(ip, 17, 2))
      src = sprintf("%d.%d.%d.%d", hx(substr(ip, 25, 2)), hx(substr(ip, 27, 2)), hx(substr(ip, 29, 2)), hx(substr(ip, 31, 2)))
      dst = sprintf("%d.%d.%d.%d", hx(substr(ip, 33, 2)), hx(substr(ip, 35, 2)), hx(substr(ip, 37, 2)), hx(substr(ip, 39, 2)))
      tot = hx(substr(ip, 5, 4))
      printf "ipv4 src=%s dst=%s ttl=%d iphdr=%s vrrp=%s\n", src, dst, ttl, substr(ip, 1, ihl * 2), substr(ip, ihl * 2 + 1, (tot - ihl) * 2)
    } else if (et == "86dd") {
      ip = substr(hex, 29)
      plen = hx(substr(ip, 9, 4))
      printf "ipv6 hl=%d src=%s dst=%s vrrp=%s\n", hx(substr(ip, 15, 2)), substr(ip, 17, 32), substr(ip, 49, 32), substr(ip, 81, plen * 2)
    }
    hex = ""
  }
  /^[0-9]/ { flush(); next }
  /^\t0x/ { line = $0; sub(/^\t0x[0-9a-f]+:  /, "", line); sub(/  .*$/, "", line); gsub(/ /, "", line); hex = hex line }
  END { flush() }
' | awk '{ key = $1 " " $2 " " $3 " " $NF } !seen[key]++'
echo "# keepalived log:"
sed 's/^/#   /' "$dir/keepalived.log"
