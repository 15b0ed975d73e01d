// The public surface of the ipvsadm-compatible renderers (shared/reference/ipvs.md §6.4):
// pure functions from a TableSnapshot (or ConnSnapshot list) to the exact text ipvsadm 1.31
// prints in numeric mode. Names are never resolved: `-L` renders as `-L -n`.

export {
  renderList,
  renderServiceEntry,
  renderServiceListing,
  listFormat,
  listHeader,
  listTitle,
} from './list.js';
export type { ListFormat, ListOptions, ServiceListing } from './list.js';
export { renderSave, renderServiceRules } from './save.js';
export { renderConnections, connRow, connTitle } from './conns.js';
export type { ConnListOptions } from './conns.js';
export { renderDaemons, renderTimeouts, renderVersion } from './status.js';
export type { SyncDaemonInfo } from './status.js';
export { compareDests, compareServices, glibcSort, sortDests, sortServices } from './sort.js';
export { addrPort, expireText, largeNumber, ntop } from './format.js';
