import type { Client } from './client.js';

/** Runs a command. Replies go through `client.reply`; errors are thrown as CommandError. */
export type Handler = (client: Client, argv: string[]) => void;

export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'blocking' | 'loading'
  | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'fast' | 'no_auth' | 'may_replicate' | 'no_multi'
  | 'allow_busy' | 'no_mandatory_keys' | 'module' | 'movablekeys' | 'no_async_loading';

export type CommandGroup =
  | 'generic' | 'string' | 'list' | 'set' | 'sorted_set' | 'hash' | 'pubsub' | 'transactions'
  | 'connection' | 'server' | 'scripting' | 'hyperloglog' | 'cluster' | 'sentinel' | 'geo' | 'stream'
  | 'bitmap' | 'module';

/** A command as declared in a group module of `commands/`. */
export interface CommandSpec {
  /** Lower-case name; a subcommand's own name ("get" under "config"). */
  name: string;
  /** Redis arity: N = exactly N arguments including the name, -N = at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** Legacy key positions [first, last, step] as COMMAND INFO reports them; omitted = no keys. */
  keys?: readonly [number, number, number];
  /**
   * For a movablekeys command: the index of the argument that counts the keys right after it
   * (ZUNION's numkeys), as Redis's "keynum" key spec. Those keys follow any from `keys`.
   */
  keyCountAt?: number;
  group: CommandGroup;
  since: string;
  summary: string;
  complexity?: string;
  /** Absent on containers, which dispatch to their subcommands. */
  handler?: Handler;
  subcommands?: readonly CommandSpec[];
}

/** Per-command counters for INFO commandstats. */
export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** A command ready for dispatch: the spec plus what the dispatcher derives from it once. */
export class Command {
  /** "get", or "config|get" for a subcommand. */
  readonly fullName: string;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly subcommands: Map<string, Command> | null;
  readonly isWrite: boolean;
  /** May grow memory (flag denyoom): refused when memory is short. */
  readonly denyOom: boolean;
  /** Reads, writes or may replicate: what a MONITOR connection (a replica to Redis) may not run. */
  readonly touchesKeyspace: boolean;
  /** Admin commands, and those flagged skip_monitor, are not shown to MONITOR. */
  readonly hiddenFromMonitors: boolean;
  readonly noAuth: boolean;
  readonly noMulti: boolean;
  /** May run while the snapshot is loading (flag `loading`); others get -LOADING. */
  readonly allowedWhileLoading: boolean;
  readonly stats: CommandStats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };

  constructor(
    readonly spec: CommandSpec,
    readonly parent: Command | null = null,
  ) {
    this.fullName = parent === null ? spec.name : `${parent.spec.name}|${spec.name}`;
    [this.firstKey, this.lastKey, this.keyStep] = spec.keys ?? [0, 0, 0];
    this.isWrite = spec.flags.includes('write');
    this.denyOom = spec.flags.includes('denyoom');
    this.touchesKeyspace = this.isWrite || spec.flags.includes('readonly') || spec.flags.includes('may_replicate');
    this.hiddenFromMonitors = spec.flags.includes('admin') || spec.flags.includes('skip_monitor');
    this.noAuth = spec.flags.includes('no_auth');
    this.noMulti = spec.flags.includes('no_multi');
    this.allowedWhileLoading = spec.flags.includes('loading');
    if (spec.subcommands === undefined) {
      this.subcommands = null;
      if (spec.handler === undefined) throw new Error(`command ${this.fullName} has no handler`);
    } else {
      this.subcommands = new Map(spec.subcommands.map((sub) => [sub.name, new Command(sub, this)]));
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get arity(): number {
    return this.spec.arity;
  }

  get handler(): Handler {
    return this.spec.handler!;
  }

  /** Checks an argument count against the arity. */
  arityAccepts(argc: number): boolean {
    const arity = this.spec.arity;
    return arity >= 0 ? argc === arity : argc >= -arity;
  }

  /** Whether the command takes keys at all, in fixed positions or counted. */
  get hasKeys(): boolean {
    return this.firstKey !== 0 || this.spec.keyCountAt !== undefined;
  }

  /**
   * Positions of the key arguments in `argv`, as COMMAND GETKEYS reports them; empty when a
   * key count is not a number or names more keys than there are arguments.
   */
  keyPositions(argv: readonly string[]): number[] {
    const positions: number[] = [];
    const argc = argv.length;
    if (this.firstKey !== 0) {
      const last = this.lastKey < 0 ? argc + this.lastKey : this.lastKey;
      for (let i = this.firstKey; i <= last && i < argc; i += this.keyStep) positions.push(i);
    }
    const countAt = this.spec.keyCountAt;
    if (countAt === undefined) return positions;
    const count = countAt < argc && /^[0-9]{1,10}$/.test(argv[countAt]) ? Number(argv[countAt]) : 0;
    if (count < 1 || countAt + count >= argc) return [];
    for (let i = countAt + 1; i <= countAt + count; i++) positions.push(i);
    return positions;
  }
}

/**
 * The command table: every command of every group, looked up by name in any letter case.
 * It drives the dispatcher, COMMAND and its subcommands, and the README's command list.
 */
export class CommandTable {
  private readonly byName = new Map<string, Command>();
  readonly commands: readonly Command[];
  /**
   * The last name looked up and its command. A pipeline mostly repeats one command, and the
   * parser hands out the same string for the same name: one comparison instead of a Map probe.
   */
  private lastName = '';
  private lastCommand: Command | undefined = undefined;

  constructor(specs: readonly CommandSpec[]) {
    this.commands = specs.map((spec) => new Command(spec));
    for (const command of this.commands) {
      if (this.byName.has(command.name)) throw new Error(`command ${command.name} declared twice`);
      this.byName.set(command.name, command);
      // Clients send either case; keeping both spares a toLowerCase on the hot path.
      this.byName.set(command.name.toUpperCase(), command);
    }
  }

  /** The top-level command named `name` (any case), or undefined. */
  get(name: string): Command | undefined {
    if (name === this.lastName) return this.lastCommand;
    const command = this.byName.get(name) ?? this.byName.get(name.toLowerCase());
    if (command !== undefined) {
      this.lastName = name;
      this.lastCommand = command;
    }
    return command;
  }

  /** The command `argv` runs, resolving a container's subcommand; undefined when unknown. */
  resolve(argv: readonly string[]): Command | undefined {
    const command = this.get(argv[0]);
    if (command === undefined || command.subcommands === null || argv.length < 2) return command;
    return command.subcommands.get(argv[1].toLowerCase());
  }

  /** Every command and subcommand, parents before their children. */
  *all(): Iterable<Command> {
    for (const command of this.commands) {
      yield command;
      if (command.subcommands !== null) yield* command.subcommands.values();
    }
  }
}
