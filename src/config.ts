import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import cron from 'node-cron';
import { formatEventFlags, parseEventFlags } from './keyspace/events.js';
import { splitArgs } from './protocol/split-args.js';

/** maxmemory-policy's values, as Redis's. */
export const MAXMEMORY_POLICIES = ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const;
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];

/**
 * Configuration parameters, their defaults and parsers. The same definitions serve the config
 * file, the command line (`--port 7000`), CONFIG GET, CONFIG SET and CONFIG REWRITE.
 */
export interface ConfigValues {
  port: number;
  bind: string[];
  'protected-mode': boolean;
  'tcp-backlog': number;
  'tcp-keepalive': number;
  timeout: number;
  maxclients: number;
  databases: number;
  requirepass: string;
  dir: string;
  dbfilename: string;
  save: string;
  'save-cron': string;
  rdbcompression: boolean;
  rdbchecksum: boolean;
  'stop-writes-on-bgsave-error': boolean;
  'hash-max-listpack-entries': number;
  'hash-max-listpack-value': number;
  'set-max-intset-entries': number;
  'zset-max-listpack-entries': number;
  'zset-max-listpack-value': number;
  'list-max-listpack-size': number;
  loglevel: 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
  logfile: string;
  'proto-max-bulk-len': number;
  'client-query-buffer-limit': number;
  'client-output-buffer-limit': OutputBufferLimits;
  hz: number;
  'notify-keyspace-events': number;
  appendonly: boolean;
  appendfilename: string;
  appendfsync: 'always' | 'everysec' | 'no';
  'auto-aof-rewrite-percentage': number;
  'auto-aof-rewrite-min-size': number;
  'aof-load-truncated': boolean;
  maxmemory: number;
  'maxmemory-policy': MaxmemoryPolicy;
  'maxmemory-samples': number;
  'maxmemory-eviction-tenacity': number;
  'lfu-log-factor': number;
  'lfu-decay-time': number;
  'mq-journal-filename': string;
  'mq-max-memory': number;
}

export type ConfigName = keyof ConfigValues;

/** One client class's output limit: disconnect at `hard` bytes, or above `soft` for over `softSeconds`; 0 = none. */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type ClientClass = 'normal' | 'replica' | 'pubsub';
export type OutputBufferLimits = Record<ClientClass, OutputBufferLimit>;

interface Param<K extends ConfigName> {
  name: K;
  default: string;
  /** CONFIG SET may change it while running. */
  mutable: boolean;
  /** What it does, for the README's table of options. */
  description: string;
  /** Older names that still work (Redis 7 keeps the "ziplist" names of the "listpack" options). */
  aliases: readonly string[];
  /** `current` is the value being replaced, for options set a part at a time. */
  parse(args: readonly string[], current?: ConfigValues[K]): ConfigValues[K];
  format(value: ConfigValues[K]): string;
  /** The value as CONFIG REWRITE writes it: quoted strings, memory in units. */
  rewrite(value: ConfigValues[K]): string;
}

/** Raised for a value that does not parse; the message is Redis's explanation. */
export class ConfigError extends Error {}

function integer(min: number, max: number) {
  return {
    parse(args: readonly string[]): number {
      const n = parseStrictInteger(one(args));
      if (n === undefined) throw new ConfigError("argument couldn't be parsed into an integer");
      if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
      return n;
    },
    format: (value: number) => String(value),
  };
}

function memory(min: number, max: number) {
  return {
    parse(args: readonly string[]): number {
      const n = parseMemory(one(args));
      if (n === undefined) throw new ConfigError("argument must be a memory value");
      if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
      return n;
    },
    format: (value: number) => String(value),
    rewrite: formatMemory,
  };
}

/** Accepts `codec`'s range but stores the value clamped to [min, max], as Redis does for hz. */
function clamped(codec: ReturnType<typeof integer>, min: number, max: number) {
  return { parse: (args: readonly string[]) => Math.min(max, Math.max(min, codec.parse(args))), format: codec.format, rewrite: codec.format };
}

const yesNo = {
  parse(args: readonly string[]): boolean {
    const text = one(args).toLowerCase();
    if (text === 'yes') return true;
    if (text === 'no') return false;
    throw new ConfigError("argument must be 'yes' or 'no'");
  },
  format: (value: boolean) => (value ? 'yes' : 'no'),
};

const text = {
  parse: (args: readonly string[]) => one(args),
  format: (value: string) => value,
  rewrite: quote,
};

function oneOf<T extends string>(...values: T[]) {
  return {
    parse(args: readonly string[]): T {
      const choice = one(args).toLowerCase();
      if (!(values as string[]).includes(choice)) throw new ConfigError('argument(s) must be one of the following: ' + values.join(', '));
      return choice as T;
    },
    format: (value: T) => value,
  };
}

const addresses = {
  parse(args: readonly string[]): string[] {
    const list = args.flatMap((arg) => arg.split(' ')).filter((a) => a !== '');
    if (list.length === 0 || list.length > 16) throw new ConfigError('Too many bind addresses specified.');
    return list;
  },
  format: (value: string[]) => value.join(' '),
};

/** Save points: pairs of "<seconds> <changes>", or "" for none. */
const savePoints = {
  parse(args: readonly string[]): string {
    const words = args.flatMap((arg) => arg.split(' ')).filter((w) => w !== '');
    if (words.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
    for (const word of words) {
      if (parseStrictInteger(word) === undefined || parseStrictInteger(word)! < 0) throw new ConfigError('Invalid save parameters');
    }
    return words.join(' ');
  },
  format: (value: string) => value,
  rewrite: (value: string) => (value === '' ? '""' : value),
};

/**
 * client-output-buffer-limit: `<class> <hard> <soft> <soft seconds>` groups, as Redis's; classes
 * not named keep their limits. `slave` is the older name of `replica`.
 */
const outputBufferLimits = {
  parse(args: readonly string[], current?: OutputBufferLimits): OutputBufferLimits {
    const words = args.flatMap((arg) => arg.split(' ')).filter((w) => w !== '');
    if (words.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
    const limits = { ...current } as OutputBufferLimits;
    for (let i = 0; i < words.length; i += 4) {
      const name = words[i].toLowerCase();
      const clientClass = name === 'slave' ? 'replica' : name;
      if (clientClass !== 'normal' && clientClass !== 'replica' && clientClass !== 'pubsub') {
        throw new ConfigError('Invalid client class specified in buffer limit configuration.');
      }
      const hard = parseMemory(words[i + 1]);
      const soft = parseMemory(words[i + 2]);
      const softSeconds = parseStrictInteger(words[i + 3]);
      if (hard === undefined || soft === undefined || softSeconds === undefined || softSeconds < 0) {
        throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      }
      limits[clientClass] = { hard, soft, softSeconds };
    }
    return limits;
  },
  format: (limits: OutputBufferLimits) => (['normal', 'replica', 'pubsub'] as const)
    .map((c) => `${c === 'replica' ? 'slave' : c} ${limits[c].hard} ${limits[c].soft} ${limits[c].softSeconds}`).join(' '),
};

/** dir: an existing directory, as Redis's chdir() checks it. */
const directory = {
  parse(args: readonly string[]): string {
    const path = one(args);
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      throw new ConfigError('No such file or directory');
    }
    if (!isDirectory) throw new ConfigError('Not a directory');
    return path;
  },
  format: (value: string) => value,
  rewrite: quote,
};

/** dbfilename, appendfilename: a name inside `dir`, never a path. */
function fileName(option: string) {
  return {
    parse(args: readonly string[]): string {
      const name = one(args);
      if (name.includes('/')) throw new ConfigError(`${option} can't be a path, just a filename`);
      return name;
    },
    format: (value: string) => value,
    rewrite: quote,
  };
}

/** save-cron: a cron expression (node-cron syntax, optional seconds field), or "" for none. */
const cronExpression = {
  parse(args: readonly string[]): string {
    const expression = one(args).trim();
    if (expression !== '' && !cron.validate(expression)) throw new ConfigError('Invalid cron expression');
    return expression;
  },
  format: (value: string) => value,
  rewrite: quote,
};

/** notify-keyspace-events: class letters, kept as Redis's NOTIFY_* flags. */
const eventClasses = {
  parse(args: readonly string[]): number {
    const flags = parseEventFlags(one(args));
    if (flags === undefined) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return flags;
  },
  format: formatEventFlags,
  rewrite: (flags: number) => quote(formatEventFlags(flags)),
};

function param<K extends ConfigName>(
  name: K,
  defaultValue: string,
  mutable: boolean,
  codec: { parse(args: readonly string[], current?: ConfigValues[K]): ConfigValues[K]; format(value: ConfigValues[K]): string; rewrite?(value: ConfigValues[K]): string },
  description: string,
  aliases: readonly string[] = [],
): Param<K> {
  return { name, default: defaultValue, mutable, description, aliases, parse: codec.parse, format: codec.format, rewrite: codec.rewrite ?? codec.format };
}

export const PARAMS: readonly Param<ConfigName>[] = [
  param('port', '6379', false, integer(0, 65535), 'TCP port; `0` picks a free port (logged at start-up)'),
  param('bind', '127.0.0.1', false, addresses, 'addresses to listen on (the first one is used)'),
  param('protected-mode', 'yes', true, yesNo, 'refuse clients from other hosts while no password is set'),
  param('tcp-backlog', '511', false, integer(0, 2147483647), 'listen backlog'),
  param('tcp-keepalive', '300', true, integer(0, 2147483647), 'TCP keepalive interval in seconds (0 = off)'),
  param('timeout', '0', true, integer(0, 2147483647), 'close clients idle for this many seconds (0 = never)'),
  param('maxclients', '10000', true, integer(1, 2147483647), 'connections beyond this get `-ERR max number of clients reached`'),
  param('databases', '16', false, integer(1, 2147483647), 'number of databases'),
  param('requirepass', '', true, text, 'password of the `default` user (none by default)'),
  param('dir', '.', true, directory, 'directory of the snapshot file (must exist)'),
  param('dbfilename', 'dump.rdb', true, fileName('dbfilename'), 'snapshot file name, inside `dir`'),
  param('save', '3600 1 300 100 60 10000', true, savePoints, 'save points `<seconds> <changes>`: a background save once that many changes are that old (`""` for none)'),
  param('save-cron', '', true, cronExpression, 'also save in the background at these times, a cron expression such as `"*/15 * * * *"` (`""` for none)'),
  param('rdbcompression', 'yes', true, yesNo, 'LZF-compress strings longer than 20 bytes in snapshots, as Redis'),
  param('rdbchecksum', 'yes', true, yesNo, 'end snapshots with a CRC64 and check it when loading'),
  param('stop-writes-on-bgsave-error', 'yes', true, yesNo, 'refuse writes with `-MISCONF` after a failed background save, while save points are set'),
  param('loglevel', 'notice', true, oneOf('debug', 'verbose', 'notice', 'warning', 'nothing'), '`debug`, `verbose`, `notice`, `warning` or `nothing`'),
  param('logfile', '', false, text, 'file to log to (stdout when empty)'),
  param('proto-max-bulk-len', '536870912', true, memory(1024 * 1024, Number.MAX_SAFE_INTEGER), 'largest accepted bulk string (`512mb` style units accepted)'),
  param('client-query-buffer-limit', '1073741824', true, memory(1024 * 1024, Number.MAX_SAFE_INTEGER), 'a client whose pending request grows beyond this is disconnected'),
  param('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', true, outputBufferLimits, 'per client class (`normal`, `replica`, `pubsub`): `<hard> <soft> <soft seconds>`; a client whose unsent replies reach the hard limit, or stay above the soft one for longer, is disconnected'),
  param('hz', '10', true, clamped(integer(0, 2147483647), 1, 500), 'frequency of background jobs: active expiry, idle clients'),
  param('notify-keyspace-events', '', true, eventClasses, 'keyspace notifications to publish: class letters `K E g $ l s h z x e t m n d A`, as Redis (`""` = none)'),
  param('hash-max-listpack-entries', '512', true, integer(0, Number.MAX_SAFE_INTEGER), 'hashes with more fields than this leave the listpack encoding', ['hash-max-ziplist-entries']),
  param('hash-max-listpack-value', '64', true, memory(0, Number.MAX_SAFE_INTEGER), 'hashes with a longer field or value leave the listpack encoding', ['hash-max-ziplist-value']),
  param('set-max-intset-entries', '512', true, integer(0, Number.MAX_SAFE_INTEGER), 'sets of integers up to this size use the intset encoding'),
  param('zset-max-listpack-entries', '128', true, integer(0, Number.MAX_SAFE_INTEGER), 'sorted sets with more members than this leave the listpack encoding', ['zset-max-ziplist-entries']),
  param('zset-max-listpack-value', '64', true, memory(0, Number.MAX_SAFE_INTEGER), 'sorted sets with a longer member leave the listpack encoding', ['zset-max-ziplist-value']),
  param('list-max-listpack-size', '-2', true, integer(-5, 2147483647), 'list node size: positive = entries per node, -1..-5 = 4 KB..64 KB per node', ['list-max-ziplist-size']),
  param('appendonly', 'no', true, yesNo, 'log every write to the append-only file, loaded at start-up instead of the snapshot'),
  param('appendfilename', 'appendonly.aof', false, fileName('appendfilename'), 'append-only file name, inside `dir`'),
  param('appendfsync', 'everysec', true, oneOf('always', 'everysec', 'no'), '`always`: fsync before replying; `everysec`: once a second; `no`: leave it to the OS'),
  param('auto-aof-rewrite-percentage', '100', true, integer(0, 2147483647), 'rewrite the append-only file once it grew this many percent since the last rewrite (0 = never)'),
  param('auto-aof-rewrite-min-size', '67108864', true, memory(0, Number.MAX_SAFE_INTEGER), '... but not while it is smaller than this'),
  param('aof-load-truncated', 'yes', true, yesNo, 'load an append-only file whose last command was cut short, dropping that command'),
  param('maxmemory', '0', true, memory(0, Number.MAX_SAFE_INTEGER), 'memory budget: past it keys are evicted as maxmemory-policy says (0 = no limit)'),
  param('maxmemory-policy', 'noeviction', true, oneOf(...MAXMEMORY_POLICIES), 'what goes when maxmemory is reached: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl'),
  param('maxmemory-samples', '5', true, integer(1, 64), 'keys sampled per eviction: more is closer to true LRU/LFU, and slower'),
  param('maxmemory-eviction-tenacity', '10', true, integer(0, 100), 'how long one command may spend evicting (10: 0.5 ms; 100: no limit); the rest goes on between commands'),
  param('lfu-log-factor', '10', true, integer(0, 2147483647), 'how many hits raise an LFU counter by one (logarithmic)'),
  param('lfu-decay-time', '1', true, integer(0, 2147483647), 'minutes for an LFU counter to lose one (0: never)'),
  param('mq-journal-filename', 'mq-journal.aof', false, fileName('mq-journal-filename'), "the broker's journal of durable changes, inside `dir` (fsynced as `appendfsync` says, whatever `appendonly` is)"),
  param('mq-max-memory', '0', true, memory(0, Number.MAX_SAFE_INTEGER), 'refuse MQ.PUBLISH with -OOM once queued messages take this much (0 = no limit)'),
] as Param<ConfigName>[];

const BY_NAME = new Map(PARAMS.flatMap((p) => [p.name as string, ...p.aliases].map((name) => [name, p] as const)));

export function findParam(name: string): Param<ConfigName> | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export class Config {
  /**
   * Current values by name. Code run for every command reads them here by literal name: each
   * such read site stays monomorphic, where get()'s one keyed load, shared by every name, is
   * megamorphic (1-1.5% of the time per site at -P 16).
   */
  readonly values: ConfigValues;
  /** Where the configuration was read from, for INFO and CONFIG REWRITE; '' when none. */
  file = '';

  constructor() {
    // Built at once, the object keeps V8's fast properties; added one by one, it turns into a dictionary.
    this.values = Object.fromEntries(PARAMS.map((p) => [p.name, p.parse([p.default])])) as unknown as ConfigValues;
  }

  get<K extends ConfigName>(name: K): ConfigValues[K] {
    return this.values[name];
  }

  /** The value as CONFIG GET shows it. */
  format(p: Param<ConfigName>): string {
    return p.format(this.values[p.name]);
  }

  /** Parses and stores one directive; throws ConfigError when it does not parse. */
  apply(p: Param<ConfigName>, args: readonly string[]): void {
    const values = this.values as unknown as Record<string, unknown>;
    values[p.name] = (p.parse as (args: readonly string[], current: unknown) => unknown)(args, values[p.name]);
  }
}

/** A problem in the config file or on the command line: start-up stops with this message. */
export class StartupConfigError extends Error {}

/**
 * Builds the configuration from redis-server style arguments: an optional config file path,
 * then `--name value...` overrides.
 */
export function loadConfig(argv: readonly string[]): Config {
  const config = new Config();
  let rest = argv;
  const lines: { text: string; where: string }[] = [];
  if (rest.length > 0 && !rest[0].startsWith('--')) {
    config.file = rest[0];
    let content: string;
    try {
      content = readFileSync(rest[0], 'latin1');
    } catch (error) {
      throw new StartupConfigError(`Fatal error, can't open config file '${rest[0]}': ${(error as Error).message}`);
    }
    content.split('\n').forEach((line, index) => lines.push({ text: line, where: `${rest[0]}, at line ${index + 1}` }));
    rest = rest.slice(1);
  }
  // Redis joins "--name v1 v2" into the config line "name v1 v2", quoting each value.
  let current: string[] | null = null;
  const options: string[][] = [];
  for (const arg of rest) {
    if (arg.startsWith('--') && arg.length > 2) {
      current = [arg.slice(2)];
      options.push(current);
    } else if (current === null) {
      throw new StartupConfigError(`Invalid option '${arg}': options must start with '--'`);
    } else {
      current.push(arg);
    }
  }
  const saveLines: string[][] = [];
  const readLine = (args: string[], where: string, line: string) => {
    const p = findParam(args[0]);
    if (p === undefined) throw new StartupConfigError(badDirective(where, line, 'Bad directive or wrong number of arguments'));
    if (args.length < 2) throw new StartupConfigError(badDirective(where, line, 'wrong number of arguments'));
    // Like Redis, consecutive save lines accumulate points rather than replace each other.
    if (p.name === 'save') {
      saveLines.push(args.slice(1));
      args = ['save', ...saveLines.flat()];
    }
    try {
      config.apply(p, args.slice(1));
    } catch (error) {
      throw new StartupConfigError(badDirective(where, line, (error as Error).message));
    }
  };
  for (const { text, where } of lines) {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const args = splitArgs(trimmed);
    if (args === null) throw new StartupConfigError(badDirective(where, trimmed, 'Unbalanced quotes in configuration line'));
    readLine(args, where, trimmed);
  }
  for (const option of options) {
    // An empty value (`--save ""`) is a real argument, unlike an absent one.
    if (option.length === 1) option.push('');
    readLine(option, 'the command line', option.map((a) => (a === '' ? '""' : a)).join(' '));
  }
  return config;
}

function badDirective(where: string, line: string, reason: string): string {
  return `*** FATAL CONFIG FILE ERROR ***\nReading the configuration file, in ${where}\n>>> '${line}'\n${reason}`;
}

function one(args: readonly string[]): string {
  if (args.length !== 1) throw new ConfigError('wrong number of arguments');
  return args[0];
}

/** A plain decimal integer (optional '-'), as Redis's string2ll accepts. */
export function parseStrictInteger(text: string): number | undefined {
  if (!/^-?(0|[1-9][0-9]*)$/.test(text) || text === '-0') return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** "100", "10k", "5kb", "1mb", "2gb" (case-insensitive), as Redis's memtoull reads them. */
export function parseMemory(text: string): number | undefined {
  const match = /^(-?[0-9]+)(b|k|kb|m|mb|g|gb)?$/i.exec(text);
  if (match === null) return undefined;
  const units: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const n = Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()];
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Memory as Redis's rewriteConfigFormatMemory writes it: the largest exact unit. */
function formatMemory(bytes: number): string {
  for (const [unit, size] of [['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024]] as const) {
    if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A string in double quotes with C escapes, as Redis's sdscatrepr. */
export function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ch = value[i];
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 0x20 || c > 0x7e) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';

/**
 * CONFIG REWRITE, as Redis's rewriteConfig: each known directive's first line in the file takes
 * the running value and its later lines become blank, comments and unknown lines stay, and
 * settings that differ from their defaults but had no line are appended, after a signature
 * comment unless the file has one already. The file is replaced atomically.
 */
export function rewriteConfig(config: Config): void {
  let content = '';
  try {
    content = readFileSync(config.file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const written = new Set<string>();
  const lines: string[] = [];
  const source = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  let signed = false;
  for (const line of source) {
    const trimmed = line.trim();
    if (trimmed === REWRITE_SIGNATURE) signed = true;
    const args = trimmed === '' || trimmed.startsWith('#') ? null : splitArgs(trimmed);
    const p = args === null || args.length === 0 ? undefined : findParam(args[0]);
    if (p === undefined) {
      lines.push(line);
    } else if (written.has(p.name)) {
      lines.push('');
    } else {
      written.add(p.name);
      lines.push(`${p.name} ${p.rewrite(config.values[p.name])}`);
    }
  }
  for (const p of PARAMS) {
    if (written.has(p.name) || config.format(p) === p.format(p.parse([p.default]))) continue;
    if (!signed) lines.push(REWRITE_SIGNATURE);
    signed = true;
    lines.push(`${p.name} ${p.rewrite(config.values[p.name])}`);
  }
  const temp = `${config.file}.tmp-${process.pid}`;
  writeFileSync(temp, lines.join('\n') + '\n', 'latin1');
  renameSync(temp, config.file);
}
