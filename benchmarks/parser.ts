/**
 * Request parsing speed: nodis's RequestParser, which yields latin1 string argv, against the
 * redis-parser package (as used by ioredis) returning Buffers, on the same pipelined bytes.
 * Kept as the record of why nodis parses requests itself.
 *
 *   npm run bench:parser [-- --commands N --runs N --chunk BYTES]
 *
 * The input alternates `SET key:NNNNNN value` and `GET key:NNNNNN` as RESP arrays, cut into
 * fixed-size chunks regardless of frame boundaries, as a socket delivers them. redis-parser is
 * measured twice: as is, and with each Buffer then turned into the latin1 string a handler
 * needs (keys must be strings to index a Map).
 */
import { RequestParser } from '../src/protocol/request-parser.js';
import { encodeCommand, formatCount, integerOption, markdownTable, median, RedisParser } from './lib.js';

/** Distinct commands in the input; passes over it add up to `--commands`. */
const DISTINCT_COMMANDS = 200_000;
/** SET has 3 arguments, GET 2. */
const ARGS_PER_COMMAND = 2.5;

interface Variant {
  name: string;
  /** Parses every chunk once; returns commands seen and a checksum of their argument lengths. */
  run(chunks: readonly Buffer[]): [number, number];
}

function buildInput(chunkSize: number): { chunks: Buffer[]; commands: number } {
  const frames: Buffer[] = [];
  for (let i = 0; i < DISTINCT_COMMANDS; i++) {
    const key = 'key:' + String(i >> 1).padStart(6, '0');
    frames.push(encodeCommand(i % 2 === 0 ? ['SET', key, 'value'] : ['GET', key]));
  }
  const bytes = Buffer.concat(frames);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) chunks.push(bytes.subarray(offset, offset + chunkSize));
  return { chunks, commands: DISTINCT_COMMANDS };
}

const requestParser: Variant = {
  name: 'nodis RequestParser (latin1 strings)',
  run(chunks) {
    const parser = new RequestParser({ maxBulkLength: () => 512 * 1024 * 1024, authRequired: () => false, queryBufferLimit: () => 1024 ** 3 });
    let commands = 0;
    let checksum = 0;
    for (const chunk of chunks) {
      parser.feed(chunk);
      let argv: string[] | null;
      while ((argv = parser.next()) !== null) {
        commands++;
        checksum += argv[argv.length - 1].length;
      }
    }
    if (parser.error !== null) throw new Error(parser.error);
    return [commands, checksum];
  },
};

/** redis-parser with Buffers; `toLatin1` also converts every argument as the server would have to. */
function redisParserVariant(name: string, toLatin1: boolean): Variant {
  return {
    name,
    run(chunks) {
      let commands = 0;
      let checksum = 0;
      const parser = new RedisParser({
        returnReply: toLatin1
          ? (reply) => {
            const args = reply as Buffer[];
            const argv = new Array<string>(args.length);
            for (let i = 0; i < args.length; i++) argv[i] = args[i].latin1Slice(0, args[i].length);
            commands++;
            checksum += argv[argv.length - 1].length;
          }
          : (reply) => {
            const args = reply as Buffer[];
            commands++;
            checksum += args[args.length - 1].length;
          },
        returnError: (error) => {
          throw error;
        },
        returnBuffers: true,
      });
      for (const chunk of chunks) parser.execute(chunk);
      return [commands, checksum];
    },
  };
}

const VARIANTS: Variant[] = [
  requestParser,
  redisParserVariant('redis-parser (Buffers)', false),
  redisParserVariant('redis-parser + latin1 strings', true),
];

function main(): void {
  const target = integerOption('commands', 4_000_000);
  const runs = integerOption('runs', 5);
  const chunkSize = integerOption('chunk', 16 * 1024);
  const { chunks, commands: perPass } = buildInput(chunkSize);
  const passes = Math.max(1, Math.round(target / perPass));
  const input: Buffer[] = [];
  for (let pass = 0; pass < passes; pass++) input.push(...chunks);
  const total = passes * perPass;
  const bytes = passes * chunks.reduce((sum, chunk) => sum + chunk.length, 0);

  const seconds = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
  let expected: number | null = null;
  // Run 0 warms the JIT and is not counted; the order rotates so no variant always goes first.
  for (let run = 0; run <= runs; run++) {
    for (let v = 0; v < VARIANTS.length; v++) {
      const variant = VARIANTS[(v + run) % VARIANTS.length];
      const started = process.hrtime.bigint();
      const [commands, checksum] = variant.run(input);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      if (commands !== total) throw new Error(`${variant.name} parsed ${commands} commands, expected ${total}`);
      if (expected !== null && checksum !== expected) throw new Error(`${variant.name} saw different arguments`);
      expected = checksum;
      if (run > 0) seconds.get(variant)!.push(elapsed);
    }
  }

  const baseline = median(seconds.get(requestParser)!);
  console.log(markdownTable(
    ['parser', 'commands/s', 'ns/command', 'vs RequestParser'],
    VARIANTS.map((variant) => {
      const time = median(seconds.get(variant)!);
      return [variant.name, formatCount(total / time), (time * 1e9 / total).toFixed(1), (time / baseline).toFixed(2) + 'x time'];
    }),
  ));
  const nsPerCommand = (variant: Variant) => (median(seconds.get(variant)!) * 1e9) / total;
  const conversion = nsPerCommand(VARIANTS[2]) - nsPerCommand(VARIANTS[1]);
  console.log();
  console.log(`Turning redis-parser's Buffers into latin1 strings costs ${conversion.toFixed(1)} ns/command ` +
    `(${(conversion / ARGS_PER_COMMAND).toFixed(1)} ns/argument).`);
  console.log(`${formatCount(total)} commands (${(bytes / 1024 / 1024).toFixed(0)} MB, SET/GET alternating) in ` +
    `${chunkSize}-byte chunks; median of ${runs} runs after a warm-up run; node ${process.version}.`);
}

main();
