// The control socket's public surface: the wire format, the daemon's server and the client that
// tandemadm and `tandem status` use.
export * from './protocol.js';
export { ControlServer, type ControlHandler, type ControlServerOptions } from './server.js';
export { ControlClient, ControlError, request, type ClientOptions } from './client.js';
export { defaultControlPath, type ControlPathContext } from './paths.js';
