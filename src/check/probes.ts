// Which probe runs each checker type. Types that cannot run yet return undefined (the manager
// logs them once and treats them as always up, as keepalived does with a checker it cannot run).

import type { ProbeFactory } from './manager.js';

export const probeFactory: ProbeFactory = () => undefined;
