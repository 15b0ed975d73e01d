// A ScriptSpawner for tests (src/vrrp/track-script.ts): records each run and lets the test end
// it with an exit status or a signal, so rise/fall, timeouts and overlap run on a ManualClock.
import type { ScriptExit, ScriptSpawner } from '../../src/vrrp/track-script.js';
import type { UserIds } from '../../src/sys/users.js';

export interface FakeRun {
  readonly argv: readonly string[];
  readonly ids: UserIds | undefined;
  readonly signals: string[];
  exited: boolean;
  exit(code: number): void;
  end(exit: ScriptExit): void;
}

export interface FakeSpawner extends ScriptSpawner {
  readonly runs: FakeRun[];
  /** Exit status given to every new run at once (undefined: the test ends runs by hand). */
  autoExit: number | undefined;
}

export function fakeSpawner(): FakeSpawner {
  const runs: FakeRun[] = [];
  const s: FakeSpawner = {
    runs,
    autoExit: undefined,
    spawn(argv, ids, onExit) {
      const run: FakeRun = {
        argv,
        ids,
        signals: [],
        exited: false,
        end(e) {
          if (run.exited) return;
          run.exited = true;
          onExit(e);
        },
        exit(code) {
          run.end({ type: 'exit', code });
        },
      };
      runs.push(run);
      if (s.autoExit !== undefined) run.exit(s.autoExit);
      return { kill: (sig) => run.signals.push(sig) };
    },
  };
  return s;
}
