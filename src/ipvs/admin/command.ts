// The typed result of reading an ipvsadm command line (shared/reference/ipvs.md §6.1, §6.2):
// one variant per ipvsadm command, with every default ipvsadm fills in already applied
// (scheduler wlc, persistence 360 s, weight 1, -g, the real-server port from the service, the
// host netmask, mcast interface eth0). Service and destination fields use the TableSnapshot
// vocabulary, so a command can be applied to a table and compared with a snapshot directly.

import type { Family } from '../../lib/inet.js';
import type { ServiceKey } from '../service-key.js';
import type { ForwardMethod, ServiceFlags, TunnelInfo } from '../snapshot.js';
import type { ListOptions } from '../render/list.js';

/** The service flags an add/edit sets (hashed is the kernel's own business). */
export type CommandServiceFlags = Omit<ServiceFlags, 'hashed'>;

export interface ServiceSpec {
  readonly scheduler: string;
  readonly flags: CommandServiceFlags;
  /** Persistence timeout in seconds; 0 when not persistent. */
  readonly timeout: number;
  /** IPv4 dotted mask, or IPv6 prefix length as text (as in ServiceSnapshot). */
  readonly netmask: string;
  readonly pe?: string;
}

export interface ServerAddress {
  readonly address: string;
  readonly family: Family;
  readonly port: number;
}

export interface ServerSpec extends ServerAddress {
  readonly method: ForwardMethod;
  readonly weight: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  /** Present for the tunnel method (ipip unless --tun-type says otherwise). */
  readonly tunnel?: TunnelInfo;
}

export type ListView = 'services' | 'service' | 'connections' | 'timeout' | 'daemon';

export interface DaemonSpec {
  readonly state: 'master' | 'backup';
  readonly mcastInterface: string;
  readonly syncId: number;
  readonly syncMaxlen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

export type IpvsadmCommand =
  | ({
      readonly command: 'add-service' | 'edit-service';
      readonly service: ServiceKey;
    } & ServiceSpec)
  | { readonly command: 'delete-service'; readonly service: ServiceKey }
  | {
      readonly command: 'add-server' | 'edit-server';
      readonly service: ServiceKey;
      readonly server: ServerSpec;
    }
  | {
      readonly command: 'delete-server';
      readonly service: ServiceKey;
      readonly server: ServerAddress;
    }
  | { readonly command: 'clear' }
  | {
      readonly command: 'list';
      readonly view: ListView;
      /** For view 'service'. */
      readonly service?: ServiceKey;
      /** -n; tandem prints numeric output either way. */
      readonly numeric: boolean;
      /** Layout flags for the renderers (persistentConn also widens `-c`). */
      readonly options: ListOptions;
    }
  | { readonly command: 'zero'; readonly service?: ServiceKey }
  | {
      readonly command: 'set-timeout';
      readonly tcp: number;
      readonly tcpfin: number;
      readonly udp: number;
    }
  | ({ readonly command: 'start-daemon' } & DaemonSpec)
  | {
      readonly command: 'stop-daemon';
      readonly state: 'master' | 'backup';
      readonly syncId?: number;
    }
  | { readonly command: 'save'; readonly numeric: boolean }
  | { readonly command: 'restore' }
  | { readonly command: 'help' }
  | { readonly command: 'version' };

/** An ipvsadm error: the message it prints to stderr and the exit status it ends with. */
export interface IpvsadmError {
  readonly message: string;
  readonly exitCode: number;
}

export type ParseResult =
  | { readonly ok: true; readonly command: IpvsadmCommand }
  | { readonly ok: false; readonly error: IpvsadmError };
