// The kernel IPVS data plane (docs/ipvs-kernel.md): the plane the daemon runs with
// `--dataplane ipvs`, and ipvsadm's commands on the kernel's table for tandemadm without a daemon.

export { IpvsDataPlane, DEFAULT_POLL_MS, type IpvsPlaneOptions } from './plane.js';
export { kernelBackend } from './kernel-admin.js';
export { wantedSyncDaemons } from './sync-daemons.js';
export { parseProcConns, readProcConns, PROC_IP_VS_CONN } from './proc-conns.js';
