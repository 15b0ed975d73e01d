// placeholder until sys/vrrp-socket.ts lands
import type { OpenTransport } from './transport.js';
export const openRawTransport: OpenTransport = () =>
  Promise.resolve({ ok: false, code: 'ENOSYS', message: 'raw VRRP sockets are not available' });
