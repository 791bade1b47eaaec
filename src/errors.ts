/**
 * Every error text the server sends, in one place so each matches Redis 7 byte for byte.
 * Texts are stored without the leading '-' and without CRLF.
 */
export const Err = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  nanOrInfinity: 'ERR increment would produce NaN or Infinity',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  noPasswordSet: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  noSuchKey: 'ERR no such key',
  loading: 'LOADING Redis is loading the dataset in memory',
  oomHeap: "OOM command not allowed when used memory is near the heap limit (heap_limit in INFO memory)",
  misconf: "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
  dbIndexOutOfRange: 'ERR DB index is out of range',
  sourceDestinationSame: 'ERR source and destination objects are the same',
  invalidExpire: (command: string) => `ERR invalid expire time in '${command}' command`,
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  invalidCursor: 'ERR invalid cursor',
  noProto: 'NOPROTO unsupported protocol version',
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInsideMulti: 'ERR WATCH inside MULTI is not allowed',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  execAbortBecause: (why: string) => `EXECABORT Transaction discarded because of: ${why}`,
  wrongArity: (fullName: string) => `ERR wrong number of arguments for '${fullName}' command`,
  unknownSubcommand: (sub: string, container: string) =>
    `ERR unknown subcommand '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`,
  unknownCommand: (name: string, args: readonly string[]) => {
    let list = '';
    for (let i = 0; i < args.length && list.length < 128; i++) {
      list += `'${truncate(args[i], 128 - list.length)}' `;
    }
    return `ERR unknown command '${truncate(name, 128)}', with args beginning with: ${list}`;
  },
  protocol: (what: string) => `ERR Protocol error: ${what}`,
  maxClients: 'ERR max number of clients reached',
  protectedMode:
    "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.",
  intRange: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  unsupportedOption: (option: string) => `ERR Unsupported option ${option}`,
  expireNxWithOthers: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtAndLt: 'ERR GT and LT options at the same time are not compatible',
  hashNotInteger: 'ERR hash value is not an integer',
  hashNotFloat: 'ERR hash value is not a float',
  nanOrInfinityValue: 'ERR value is NaN or Infinity',
  outOfRange: 'ERR value is out of range',
  longRange: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  mustBePositive: 'ERR value is out of range, must be positive',
  indexOutOfRange: 'ERR index out of range',
  zaddXxAndNx: 'ERR XX and NX options at the same time are not compatible',
  zaddGtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  zaddIncrPairs: 'ERR INCR option supports a single increment-element pair',
  zaddNaN: 'ERR resulting score is not a number (NaN)',
  zsetMinMaxNotFloat: 'ERR min or max is not a float',
  zsetLexRange: 'ERR min or max not valid string range item',
  zrangeLimitByRank: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  zrangeWithScoresByLex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  zsetNeedsKeys: (command: string) => `ERR at least 1 input key is needed for '${command}' command`,
  weightNotFloat: 'ERR weight value is not a float',
  limitNegative: "ERR LIMIT can't be negative",
  numKeysPositive: 'ERR numkeys should be greater than 0',
  countPositive: 'ERR count should be greater than 0',
  lfuSelected: 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  lfuNotSelected: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  lposRankZero: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  lposCountNegative: "ERR COUNT can't be negative",
  lposMaxlenNegative: "ERR MAXLEN can't be negative",
  numKeysTooMany: "ERR Number of keys can't be greater than number of args",
  countTooLarge: 'ERR count is too large for one reply',
} as const;

function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/**
 * Thrown by handlers and argument parsers to answer a command with an error reply.
 * Deliberately not an Error subclass: no stack is captured, so a rejected command stays cheap.
 */
export class CommandError {
  constructor(readonly message: string) {}
}

export function fail(message: string): never {
  throw new CommandError(message);
}
