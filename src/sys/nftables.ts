// libnftables (the library behind the `nft` command) through koffi: one context per data plane,
// in-process, so a ruleset update is one library call (≈0.4 ms) instead of spawning `nft -f -`
// (≈7 ms). Each nft_run_cmd_from_buffer call is one transaction: the kernel applies the whole
// buffer or none of it. Loaded lazily; unavailable (no koffi binary, no libnftables.so.1): null,
// and the nft data plane falls back to the `nft` command.

import { createRequire } from 'node:module';

/** nft_ctx_output_set_flags: NFT_CTX_OUTPUT_JSON (include/nftables/libnftables.h). */
const NFT_CTX_OUTPUT_JSON = 1 << 4;
/** nft_ctx_new flags: NFT_CTX_DEFAULT. */
const NFT_CTX_DEFAULT = 0;

export type NftCallResult =
  { readonly ok: true; readonly output: string } | { readonly ok: false; readonly error: string };

export interface Libnftables {
  /** Runs a script (commands or table blocks) as one transaction. */
  run(script: string): NftCallResult;
  /** Runs a command with JSON output (`list counters table netdev x`). */
  json(command: string): NftCallResult;
  close(): void;
}

type Fn = (...args: unknown[]) => unknown;

interface KoffiNft {
  load: (name: string) => { func: (sig: string) => Fn };
}

interface Binding {
  ctxNew: Fn;
  ctxFree: Fn;
  run: Fn;
  bufferOutput: Fn;
  bufferError: Fn;
  getOutput: Fn;
  getError: Fn;
  setFlags: Fn;
}

let binding: Binding | null | undefined;

function load(): Binding | null {
  if (binding !== undefined) return binding;
  try {
    // koffi is CommonJS; createRequire keeps it out of the ESM graph until first use.
    const koffi = createRequire(import.meta.url)('koffi') as KoffiNft;
    const lib = koffi.load('libnftables.so.1');
    binding = {
      ctxNew: lib.func('void *nft_ctx_new(uint32_t flags)'),
      ctxFree: lib.func('void nft_ctx_free(void *ctx)'),
      run: lib.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)'),
      bufferOutput: lib.func('int nft_ctx_buffer_output(void *ctx)'),
      bufferError: lib.func('int nft_ctx_buffer_error(void *ctx)'),
      getOutput: lib.func('const char *nft_ctx_get_output_buffer(void *ctx)'),
      getError: lib.func('const char *nft_ctx_get_error_buffer(void *ctx)'),
      setFlags: lib.func('void nft_ctx_output_set_flags(void *ctx, uint32_t flags)'),
    };
  } catch {
    binding = null;
  }
  return binding;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Two contexts (plain and JSON output) on libnftables, or null when it cannot be loaded. */
export function openLibnftables(): Libnftables | null {
  const b = load();
  if (b === null) return null;
  const open = (flags: number): unknown => {
    const ctx = b.ctxNew(NFT_CTX_DEFAULT);
    if (ctx === null) return null;
    b.bufferOutput(ctx);
    b.bufferError(ctx);
    b.setFlags(ctx, flags);
    return ctx;
  };
  const plain = open(0);
  const json = open(NFT_CTX_OUTPUT_JSON);
  if (plain === null || json === null) return null;
  let closed = false;
  const call = (ctx: unknown, script: string): NftCallResult => {
    if (closed) return { ok: false, error: 'libnftables context closed' };
    const rc = Number(b.run(ctx, script));
    // Read both buffers every time: each get also resets its buffer for the next call.
    const output = text(b.getOutput(ctx));
    const error = text(b.getError(ctx));
    return rc === 0 ? { ok: true, output } : { ok: false, error: error.trim() || `rc ${rc}` };
  };
  return {
    run: (script) => call(plain, script),
    json: (command) => call(json, command),
    close: () => {
      if (closed) return;
      closed = true;
      b.ctxFree(plain);
      b.ctxFree(json);
    },
  };
}
