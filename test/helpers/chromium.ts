// Debian's headless Chromium for page tests, driven by playwright-core, with flags for a closed
// network: no background fetches, updates, sync or QUIC probing.

import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What in-page predicates touch: the project compiles without DOM types. */
export interface PageDom {
  readonly document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }>;
  };
}

/** A fresh profile under `dir`; close the context when done. */
export function launchChromium(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
    timeout: 30_000,
  });
}
