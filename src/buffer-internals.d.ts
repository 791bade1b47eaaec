// Node's Buffer has fast latin1 codecs that skip the argument checks of toString/write;
// they are stable but absent from @types/node.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(value: string, offset: number, length?: number): number;
  }
}
export {};
