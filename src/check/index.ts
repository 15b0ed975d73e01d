// Public surface of the checker subsystem (house style §1).
export {
  CheckManager,
  type ManagerOptions,
  type PoolWriter,
  type ProbeFactory,
} from './manager.js';
export type { DesiredDest } from './health.js';
export type { CheckEvent, CheckEventListener } from './events.js';
export { checkerLabel, type Probe, type ProbeResult, type ProbeTarget } from './probe.js';
export { detectionBounds } from './state.js';
