// Public surface of the nftables kernel data plane (docs/nft.md): the plane, its runners, the
// configuration check the daemon runs when it is selected, and the pure ruleset builder.

export {
  NftDataPlane,
  DEFAULT_FLOWS_SIZE,
  interfaceExists,
  type NftPlaneOptions,
} from './plane.js';
export { commandRunner, defaultRunner, nftUsable, type NftRunner } from './runner.js';
export { checkNftConfig, unsupportedReason, serviceMethod, type NftMethod } from './support.js';
export {
  configuredVipInterfaces,
  hostAddresses,
  interfaceFor,
  type HostAddress,
  type InterfaceHints,
} from './interfaces.js';
export { buildRuleset, type Built, type BuildOptions } from './build.js';
export {
  DestNumbers,
  serviceId as nftServiceId,
  servicePrefix,
  isOwnTable,
  drTableName,
  NAT_TABLE,
} from './names.js';
export {
  diffRuleset,
  replaceScript,
  deleteScript,
  renderTable,
  type NftRuleset,
} from './ruleset.js';
export { slotTable, COUNTING_SCHEDULERS, type SlotTable } from './slots.js';
export { parseConntrack, parseCounters, parseMapEntries, countFlows } from './kernel-read.js';
export { netlinkReader, runnerReader, defaultReader, type KernelReader } from './reader.js';
