import type { Binding, Router } from './exchanges.js';
import type { Headers } from './types.js';

/**
 * Topic routing on a trie of binding-key words, as RabbitMQ's: `*` matches exactly one word and
 * `#` zero or more, words being separated by `.` (the empty key has no words, `a..b` has three).
 * Each (`#` node, word position) is explored once per publish, so keys like `#.#.#.#.x` cost
 * O(nodes × words) instead of exponential backtracking.
 */
class TopicNode<Q> {
  readonly words = new Map<string, TopicNode<Q>>();
  star: TopicNode<Q> | undefined;
  hash: TopicNode<Q> | undefined;
  /** The bindings whose key ends here. */
  readonly bindings = new Set<Binding<Q>>();

  constructor(readonly id: number) {}

  get unused(): boolean {
    return this.bindings.size === 0 && this.words.size === 0 && this.star === undefined && this.hash === undefined;
  }

  child(word: string): TopicNode<Q> | undefined {
    return word === '*' ? this.star : word === '#' ? this.hash : this.words.get(word);
  }

  setChild(word: string, node: TopicNode<Q> | undefined): void {
    if (word === '*') this.star = node;
    else if (word === '#') this.hash = node;
    else if (node === undefined) this.words.delete(word);
    else this.words.set(word, node);
  }
}

export class TopicRouter<Q> implements Router<Q> {
  private readonly root = new TopicNode<Q>(0);
  private nodeIds = 1;
  /** (`#` node, word index) pairs explored by the current route, as id × (words + 1) + index. */
  private readonly explored = new Set<number>();

  add(binding: Binding<Q>): void {
    let node = this.root;
    for (const word of wordsOf(binding.key)) {
      let next = node.child(word);
      if (next === undefined) node.setChild(word, next = new TopicNode<Q>(this.nodeIds++));
      node = next;
    }
    node.bindings.add(binding);
  }

  delete(binding: Binding<Q>): void {
    const words = wordsOf(binding.key);
    const path = [this.root];
    for (const word of words) {
      const next = path[path.length - 1].child(word);
      if (next === undefined) return;
      path.push(next);
    }
    path[path.length - 1].bindings.delete(binding);
    // Prune the branch back up to the first node still in use.
    for (let i = path.length - 1; i > 0 && path[i].unused; i--) path[i - 1].setChild(words[i - 1], undefined);
  }

  route(routingKey: string, _headers: Headers | undefined, out: Q[]): void {
    this.explored.clear();
    this.match(this.root, wordsOf(routingKey), 0, out);
  }

  /** Matches `words` from index `i` against the keys continuing below `node`. */
  private match(node: TopicNode<Q>, words: string[], i: number, out: Q[]): void {
    if (i === words.length) {
      for (const binding of node.bindings) out.push(binding.queue);
    } else {
      const literal = node.words.get(words[i]);
      if (literal !== undefined) this.match(literal, words, i + 1, out);
      if (node.star !== undefined) this.match(node.star, words, i + 1, out);
    }
    if (node.hash !== undefined) this.matchHash(node.hash, words, i, out);
  }

  /** `#` swallows words i..k-1 for each k; positions already tried from an earlier i are skipped. */
  private matchHash(hash: TopicNode<Q>, words: string[], i: number, out: Q[]): void {
    const stride = words.length + 1;
    for (let k = i; k <= words.length; k++) {
      const state = hash.id * stride + k;
      // Reaching (hash, k) before means every later k was tried from there too.
      if (this.explored.has(state)) return;
      this.explored.add(state);
      this.match(hash, words, k, out);
    }
  }
}

/** RabbitMQ splits the empty key into no words, anything else at every `.`. */
function wordsOf(key: string): string[] {
  return key === '' ? [] : key.split('.');
}
