/**
 * Journal records are arrays of latin1 strings whose first element names the record type (see
 * Broker); how they are stored is the persistence layer's business. This module reads their fields.
 */

export function malformed(record: readonly string[], why: string): Error {
  return new Error(`malformed broker record ${record[0] === undefined ? '(empty)' : `'${record[0]}'`}: ${why}`);
}

/** Field `index` as a non-negative decimal integer. */
export function decimal(record: readonly string[], index: number): number {
  const text = field(record, index);
  const value = Number(text);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(value)) throw malformed(record, `field ${index} is not a number`);
  return value;
}

/** Field `index` as a flag: '1' or '0'. */
export function flag(record: readonly string[], index: number): boolean {
  const text = field(record, index);
  if (text !== '1' && text !== '0') throw malformed(record, `field ${index} is not 1 or 0`);
  return text === '1';
}

export function field(record: readonly string[], index: number): string {
  const text = record[index];
  if (typeof text !== 'string') throw malformed(record, `field ${index} is missing`);
  return text;
}

export function flagText(value: boolean): string {
  return value ? '1' : '0';
}
