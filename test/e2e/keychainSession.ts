/**
 * A Jupyter server inside a private Secret Service session, for the tests that need a
 * real OS keychain: `dbus-run-session` gives the server its own session bus, and an
 * unlocked gnome-keyring on it answers `org.freedesktop.secrets`, so Python's `keyring`
 * picks `keyring.backends.SecretService.Keyring`. Nothing reaches the user's own keyring
 * or bus: HOME (where gnome-keyring keeps its encrypted `~/.local/share/keyrings`) is the
 * caller's folder.
 *
 * Stopping the server ends the session: dbus-run-session stops its bus when its command
 * exits, and gnome-keyring-daemon exits when its bus goes away. Starting again with the
 * same HOME and password unlocks the same keyring, as a user's login does.
 *
 * Node only (no Playwright, no Galata), so a plain script can drive it too.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The variable that carries the keyring's password to the session's shell (unset before exec). */
const PASSWORD_VARIABLE = 'JLGT_TEST_KEYRING_PASSWORD';

/** The shell run inside dbus-run-session: unlock (or create) the keyring, then become the command. */
const SESSION_SCRIPT = [
  `printf %s "$${PASSWORD_VARIABLE}" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 97`,
  `unset ${PASSWORD_VARIABLE}`,
  'exec "$@"'
].join('\n');

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf-8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Why this machine cannot run a private Secret Service ('' when it can). */
export function secretServiceMissing(): string {
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter(tool => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length
    ? `${missing.join(' and ')} not found: install the Debian packages "dbus" and "gnome-keyring"`
    : '';
}

/** The keyring's own files under HOME (encrypted by gnome-keyring). */
export function keyringFiles(home: string): string[] {
  const dir = path.join(home, '.local', 'share', 'keyrings');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter(entry => entry.isFile())
        .map(entry => path.join(dir, entry.name))
    : [];
}

export interface ISecretServiceProcessOptions {
  /** The program and its arguments: `exec`ed by the session's shell once the keyring is unlocked. */
  command: string;
  args: string[];
  cwd: string;
  /** The process's environment; HOME is required (its .cache and .local/share are created). */
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file. */
  logFile: string;
  /** The test keyring's password: the same HOME and password unlock the same keyring again. */
  password: string;
}

/** One run of a command inside its own D-Bus session with an unlocked gnome-keyring. */
export class SecretServiceProcess {
  exitCode: number | null = null;
  exitSignal: string | null = null;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private options: ISecretServiceProcessOptions) {}

  /** The pid of dbus-run-session, which is also the id of the process group of the whole session. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const { command, args, cwd, env, logFile, password } = this.options;
    const home = env.HOME;
    if (!home) {
      throw new Error('the Secret Service session needs HOME (its keyring lives there)');
    }
    const missing = secretServiceMissing();
    if (missing) {
      throw new Error(missing);
    }
    // gnome-keyring needs both to exist; XDG_* may point there or elsewhere.
    for (const dir of [
      env.XDG_CACHE_HOME || path.join(home, '.cache'),
      env.XDG_DATA_HOME || path.join(home, '.local', 'share')
    ]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    const sessionEnv: NodeJS.ProcessEnv = { ...env, [PASSWORD_VARIABLE]: password };
    // Never the caller's own session bus or keyring.
    delete sessionEnv.DBUS_SESSION_BUS_ADDRESS;
    delete sessionEnv.GNOME_KEYRING_CONTROL;
    const out = fs.openSync(logFile, 'a');
    this.exitCode = null;
    this.exitSignal = null;
    // detached: the session gets its own process group, which stop() can end as a whole.
    this.child = spawn('dbus-run-session', ['--', 'sh', '-c', SESSION_SCRIPT, 'sh', command, ...args], {
      cwd,
      env: sessionEnv,
      stdio: ['ignore', out, out],
      detached: true
    });
    fs.closeSync(out);
    const child = this.child;
    this.exited = new Promise(resolve => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
  }

  /** Wait up to `ms` for the session to end; true when it did. */
  async waitExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(false), ms);
    });
    // The timer is cleared: a pending one would keep a plain Node script alive for `ms`.
    return Promise.race([this.exited.then(() => true), timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * The live (not zombie) processes still in the session's process group, from /proc.
   * Zombies are left out: where pid 1 does not reap orphans, the bus's and keyring's
   * exited processes stay listed without running.
   */
  liveGroupMembers(): Array<{ pid: number; name: string }> {
    const pgid = this.pid;
    if (pgid === null || !fs.existsSync('/proc')) {
      return [];
    }
    const members: Array<{ pid: number; name: string }> = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) {
        continue;
      }
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf-8');
      } catch {
        continue; // exited meanwhile
      }
      // "pid (name) state ppid pgrp ...": the name may hold spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const [state, , pgrp] = stat.slice(close + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') {
        members.push({ pid: Number(entry), name: stat.slice(stat.indexOf('(') + 1, close) });
      }
    }
    return members;
  }

  /** Signal dbus-run-session only, or (group) every process of the session still in its group. */
  kill(signal: NodeJS.Signals, group = false): void {
    const pid = this.pid;
    if (pid === null) {
      return;
    }
    try {
      process.kill(group ? -pid : pid, signal);
    } catch {
      // already gone
    }
  }
}

export interface IKeychainLabServerOptions extends Omit<ISecretServiceProcessOptions, 'command'> {
  /** The server's URL, e.g. http://127.0.0.1:8897 (no trailing slash). */
  url: string;
  /** The `jupyter` executable (default: `jupyter` on the PATH of `env`). */
  jupyter?: string;
  /** How long start-up may take (default 90 s). */
  startTimeoutMs?: number;
}

/** `jupyter lab` inside a private Secret Service session; start and stop as often as needed. */
export class KeychainLabServer {
  readonly url: string;
  /** How long each start and stop took, in seconds, in order. */
  readonly timings: Array<{ action: 'start' | 'stop'; seconds: number; how?: string }> = [];
  private session: SecretServiceProcess | null = null;

  constructor(private options: IKeychainLabServerOptions) {
    this.url = options.url;
  }

  get running(): boolean {
    return !!this.session?.running;
  }

  get exitCode(): number | null {
    return this.session?.exitCode ?? null;
  }

  get exitSignal(): string | null {
    return this.session?.exitSignal ?? null;
  }

  /** Start and wait until /lab answers. */
  async start(): Promise<void> {
    const started = Date.now();
    const { url, jupyter, startTimeoutMs, ...rest } = this.options;
    const session = new SecretServiceProcess({ ...rest, command: jupyter ?? 'jupyter', args: ['lab', ...rest.args] });
    this.session = session;
    session.start();
    const deadline = Date.now() + (startTimeoutMs ?? 90_000);
    for (;;) {
      if (!session.running) {
        throw new Error(`jupyter lab exited during start-up:\n${tail(rest.logFile)}`);
      }
      try {
        const response = await fetch(`${url}/lab`);
        if (response.ok) {
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`jupyter lab did not answer on ${url}/lab:\n${tail(rest.logFile)}`);
      }
      await sleep(250);
    }
    this.timings.push({ action: 'start', seconds: (Date.now() - started) / 1000 });
  }

  /**
   * Stop as a user would (File > Shut Down, which also shuts its kernels and terminals
   * down); escalate only if it does not exit. Ending the server ends the session's bus
   * and keyring daemon. Returns how it stopped.
   */
  async stop(): Promise<string> {
    const session = this.session;
    if (!session || !session.running) {
      return 'not running';
    }
    const started = Date.now();
    let how = 'POST /api/shutdown';
    try {
      const response = await fetch(`${this.url}/api/shutdown`, { method: 'POST' });
      how += ` (${response.status})`;
    } catch (error) {
      how += ` (${(error as Error).message})`;
    }
    if (!(await session.waitExit(30_000))) {
      // The pid is dbus-run-session's, not the server's: signal the whole group (server, bus, keyring, kernels).
      session.kill('SIGTERM', true);
      how += ', then SIGTERM';
      if (!(await session.waitExit(15_000))) {
        session.kill('SIGKILL', true);
        how += ', then SIGKILL';
        await session.waitExit(5_000);
      }
    }
    // The bus and keyring daemon exit by themselves once the session ends; anything else
    // still there (a kernel or terminal the server left behind) is ended.
    let left = session.liveGroupMembers();
    for (let i = 0; i < 20 && left.length; i++) {
      await sleep(100);
      left = session.liveGroupMembers();
    }
    if (left.length) {
      session.kill('SIGKILL', true);
      how += `, then SIGKILL for what it left running (${left.map(m => m.name).join(', ')})`;
    }
    this.timings.push({ action: 'stop', seconds: (Date.now() - started) / 1000, how });
    return how;
  }
}
