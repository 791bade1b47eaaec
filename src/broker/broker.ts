import { randomBytes } from 'node:crypto';
import { BrokerError, errors } from './errors.js';
import { EXCHANGE_TYPES, isExchangeType, type Binding as RoutedBinding, type ExchangeBehaviour, type ExchangeType, type Router } from './exchanges.js';
import { createMessage, deadLetterCopy, parsePublish, publishRecord } from './message.js';
import { argumentPairs, inequivalence, invalidArgument, settingsFromRecord, settingsOf, type QueueSettings } from './queue-settings.js';
import { decimal, field, flag, flagText, malformed } from './records.js';
import { SeqDeque } from './seq-deque.js';
import type {
  BrokerStats, DeathReason, DeclaredQueue, Delivery, ExchangeInfo, ExchangeOptions, Headers, Message, Owner, PublishProps, QueueInfo,
  QueueOptions,
} from './types.js';

/**
 * An in-memory message broker on RabbitMQ's model (exchanges, bindings, queues, acks, prefetch,
 * dead-lettering), with a pull API: `get` takes what is ready, `wait` parks a getter until
 * something is. It knows nothing of RESP, sockets or timers: user errors come back as
 * BrokerError values, time comes from `now`, and the server drives expiry with `tick` at
 * `nextDeadline`.
 *
 * Durable state is reported to `journal` as records, synchronously after each change:
 *   ['EXCHANGE', name, type, autoDelete]            ['EXCHANGE-DELETE', name]
 *   ['QUEUE', name, autoDelete, ...argument pairs]  ['QUEUE-DELETE', name]
 *   ['BIND', queue, exchange, key, ...header pairs] ['UNBIND', queue, exchange, key, ...header pairs]
 *   ['PUBLISH', seq, ...] (see publishRecord)       one per publish, naming all its durable queues
 *   ['DELIVER', queue, ...seqs]                     each message's delivery count + 1
 *   ['SETTLE', queue, ...seqs]                      the messages left the queue (acked, taken without
 *                                                   ack, purged, expired, dropped, dead-lettered)
 * Flags are '1' or '0', numbers decimal. Only durable things are journalled: durable exchanges other
 * than the predeclared ones, durable non-exclusive queues (an exclusive queue dies with its
 * connection, so with the server), bindings between those, and persistent messages in them.
 */
export class Broker {
  /** Bytes the memory estimate may reach; 0 for no limit. */
  maxMemory = 0;
  journal: Journal | undefined;
  private readonly now: () => number;
  private readonly exchanges = new Map<string, Exchange>();
  private readonly queues = new Map<string, Queue>();
  private readonly owners = new Map<Owner, OwnerState>();
  private seq = 0;
  private routeMark = 0;
  private memory = 0;
  private bindingCount = 0;
  private published = 0;
  private delivered = 0;
  private acked = 0;
  /** Queues that may have both ready messages and waiters, served before a public call returns. */
  private readonly due: Queue[] = [];
  /** Copies on their way to a dead-letter exchange: republished after the change that killed them. */
  private readonly deadLetters: Message[] = [];

  constructor(options: BrokerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.journal = options.journal;
    this.createExchange(DEFAULT_EXCHANGE, 'direct', true, false);
    for (const [name, type] of PREDECLARED) this.createExchange(name, type, true, false);
  }

  // Exchanges and bindings

  /** Creates exchange `name`, or checks that it has these properties; returns whether it was created. */
  declareExchange(name: string, type: string, options: ExchangeOptions = {}): boolean | BrokerError {
    const existing = this.exchanges.get(name);
    if (options.passive === true) return existing !== undefined ? false : errors.noExchange(name);
    if (name === DEFAULT_EXCHANGE) return errors.defaultExchange;
    if (!isExchangeType(type)) return errors.unknownExchangeType(type);
    const durable = options.durable === true;
    const autoDelete = options.autoDelete === true;
    if (existing !== undefined) {
      if (existing.type !== type) return errors.inequivalent('type', 'exchange', name, type, existing.type);
      if (existing.durable !== durable) return errors.inequivalent('durable', 'exchange', name, String(durable), String(existing.durable));
      if (existing.autoDelete !== autoDelete) return errors.inequivalent('auto_delete', 'exchange', name, String(autoDelete), String(existing.autoDelete));
      return false;
    }
    if (name.startsWith(RESERVED_PREFIX)) return errors.reservedExchange;
    this.createExchange(name, type, durable, autoDelete);
    return true;
  }

  /** Deletes an exchange and its bindings; returns 1, or 0 if there was none. */
  deleteExchange(name: string, ifUnused = false): number | BrokerError {
    if (name === DEFAULT_EXCHANGE) return errors.defaultExchange;
    if (name.startsWith(RESERVED_PREFIX)) return errors.reservedExchange;
    const exchange = this.exchanges.get(name);
    if (exchange === undefined) return 0;
    if (ifUnused && exchange.bindings.size > 0) return errors.exchangeInUse(name);
    this.removeExchange(exchange);
    return 1;
  }

  listExchanges(): ExchangeInfo[] {
    return Array.from(this.exchanges.values(), ({ name, type, durable, autoDelete }) => ({ name, type, durable, autoDelete }));
  }

  /** Binds `queue` to `exchange`; returns whether the binding is new. */
  bind(owner: Owner, queue: string, exchange: string, key: string, args: Headers = NO_HEADERS): boolean | BrokerError {
    const found = this.bindingEnds(owner, queue, exchange);
    if (found instanceof BrokerError) return found;
    const [source, destination] = found;
    const invalid = source.behaviour.validate(args);
    if (invalid !== undefined) return invalid;
    const id = bindingId(queue, key, args);
    if (source.bindings.has(id)) return false;
    this.addBinding(source, destination, key, args, id);
    return true;
  }

  /** Removes a binding; returns whether there was one (a missing one is no error, as in RabbitMQ). */
  unbind(owner: Owner, queue: string, exchange: string, key: string, args: Headers = NO_HEADERS): boolean | BrokerError {
    const found = this.bindingEnds(owner, queue, exchange);
    if (found instanceof BrokerError) return found;
    const binding = found[0].bindings.get(bindingId(queue, key, args));
    if (binding === undefined) return false;
    this.removeBinding(binding, true);
    return true;
  }

  private bindingEnds(owner: Owner, queue: string, exchange: string): [Exchange, Queue] | BrokerError {
    if (exchange === DEFAULT_EXCHANGE) return errors.defaultExchange;
    const source = this.exchanges.get(exchange);
    if (source === undefined) return errors.noExchange(exchange);
    const destination = this.accessible(owner, queue);
    return destination instanceof BrokerError ? destination : [source, destination];
  }

  // Queues

  /**
   * Creates queue `name` (a server-generated name for ''), or checks that an existing one has these
   * properties; `passive` only checks that it exists and may be used.
   */
  declareQueue(owner: Owner, name: string, options: QueueOptions = {}): DeclaredQueue | BrokerError {
    if (options.passive === true) {
      const queue = this.accessible(owner, name);
      return queue instanceof BrokerError ? queue : declared(queue);
    }
    const generated = name === '';
    if (generated) name = this.serverNamed();
    const settings = settingsOf(options);
    const invalid = invalidArgument(name, settings);
    if (invalid !== undefined) return invalid;
    const existing = this.queues.get(name);
    if (existing !== undefined) {
      if (lockedOut(existing, owner)) return errors.locked(name);
      return inequivalence(name, existing.settings, settings) ?? declared(existing);
    }
    if (!generated && name.startsWith(RESERVED_PREFIX)) return errors.reservedQueue(name);
    const queue = this.createQueue(name, settings, settings.exclusive ? owner : null);
    if (settings.exclusive) this.stateOf(owner).exclusive.add(queue);
    return declared(queue);
  }

  /** Deletes a queue with its ready and unacked messages; returns how many (0 if there was no queue). */
  deleteQueue(owner: Owner, name: string, ifUnused = false, ifEmpty = false): number | BrokerError {
    const queue = this.queues.get(name);
    if (queue === undefined) return 0;
    if (lockedOut(queue, owner)) return errors.locked(name);
    if (ifUnused && queue.consumers.size > 0) return errors.queueInUse(name);
    if (ifEmpty && queue.ready.size > 0) return errors.queueNotEmpty(name);
    const count = queue.ready.size + queue.unacked.size;
    this.removeQueue(queue);
    this.flush();
    return count;
  }

  /** Drops the ready messages (unacked ones stay); returns how many. */
  purge(owner: Owner, name: string): number | BrokerError {
    const queue = this.accessible(owner, name);
    if (queue instanceof BrokerError) return queue;
    const count = queue.ready.size;
    let record: string[] | undefined;
    for (const message of queue.ready) if (this.leaves(queue, message)) (record ??= ['SETTLE', name]).push(String(message.seq));
    queue.ready.clear();
    if (record !== undefined) this.journal!(record);
    return count;
  }

  info(owner: Owner, name: string): QueueInfo | BrokerError {
    const queue = this.accessible(owner, name);
    if (queue instanceof BrokerError) return queue;
    const { settings } = queue;
    return {
      durable: settings.durable,
      exclusive: settings.exclusive,
      autoDelete: settings.autoDelete,
      arguments: argumentPairs(settings),
      ready: queue.ready.size,
      unacked: queue.unacked.size,
      consumers: queue.consumers.size,
      published: queue.published,
      delivered: queue.delivered,
      acked: queue.acked,
      redelivered: queue.redelivered,
      deadLettered: queue.deadLettered,
      bindings: Array.from(queue.bindings, ({ exchange, key, args }) =>
        args.length === 0 ? { exchange: exchange.name, key } : { exchange: exchange.name, key, headers: args }),
    };
  }

  list(): string[] {
    return [...this.queues.keys()];
  }

  // Messages

  /**
   * Routes a message through `exchange`; returns the number of queues that got a copy. Refused
   * as a whole (nothing stored anywhere) when mandatory and unroutable, when a routed queue with
   * reject-publish overflow is full, or when the copies would pass maxMemory.
   */
  publish(exchange: string, routingKey: string, body: string, props: PublishProps = NO_PROPS, mandatory = false): number | BrokerError {
    const source = this.exchanges.get(exchange);
    if (source === undefined) return errors.noExchange(exchange);
    const targets = this.route(source, routingKey, props.headers);
    if (targets.length === 0 && mandatory) return errors.noRoute;
    for (const queue of targets) if (rejectsPublish(queue)) return errors.queueFull(queue.name);
    const message = createMessage(this.seq + 1, body, exchange, routingKey, props, this.now());
    if (this.maxMemory > 0 && this.memory + message.size * targets.length > this.maxMemory) return errors.memory;
    this.published++;
    if (targets.length === 0) return 0;
    this.seq++;
    this.store(message, targets);
    this.flush();
    return targets.length;
  }

  /**
   * Takes up to `count` ready messages, fewer if the owner's prefetch is reached. Without `noAck`
   * each stays unacked, owned by `owner`, until ack or nack; with it, it is settled at once.
   */
  get(owner: Owner, queue: string, count: number, noAck: boolean): Delivery[] | BrokerError {
    const source = this.accessible(owner, queue);
    if (source instanceof BrokerError) return source;
    const state = this.stateOf(owner);
    consume(state, source);
    const deliveries = this.take(source, state, count, noAck, this.now());
    this.flush();
    return deliveries;
  }

  /**
   * Parks a getter: the oldest eligible waiter of a queue gets messages as soon as there are some
   * (and its owner's prefetch allows), through one synchronous call of `onDeliver` (with [] if
   * the queue is deleted). If messages are ready already, that call happens before `wait` returns.
   * `onDeliver` must not call the broker.
   */
  wait(owner: Owner, queue: string, count: number, noAck: boolean, onDeliver: (deliveries: Delivery[]) => void): Waiter | BrokerError {
    const source = this.accessible(owner, queue);
    if (source instanceof BrokerError) return source;
    const state = this.stateOf(owner);
    consume(state, source);
    const waiter = new Waiter(state, source, count, noAck, onDeliver);
    source.waiters.add(waiter);
    state.waiters.add(waiter);
    this.markDue(source);
    this.flush();
    return waiter;
  }

  /** Stops a waiter (its timeout, or its client gone); returns whether it was still waiting. */
  cancel(waiter: Waiter): boolean {
    if (!waiter.queue.waiters.delete(waiter)) return false;
    waiter.state.waiters.delete(waiter);
    return true;
  }

  /** Acks deliveries of `queue` by tag; all must be the owner's unacked ones, or none is acked. */
  ack(owner: Owner, queue: string, tags: readonly number[]): number | BrokerError {
    return this.settle(owner, queue, tags, 'ack');
  }

  /**
   * Gives deliveries back: `requeue` returns each to its original place, flagged redelivered (or
   * dead-letters it once its delivery count reaches the queue's delivery limit); `deadletter`
   * dead-letters them as rejected.
   */
  nack(owner: Owner, queue: string, tags: readonly number[], mode: 'requeue' | 'deadletter'): number | BrokerError {
    return this.settle(owner, queue, tags, mode);
  }

  /** How many unacked deliveries the owner may hold; 0 for no limit. */
  setPrefetch(owner: Owner, prefetch: number): void {
    const state = this.stateOf(owner);
    state.prefetch = prefetch;
    this.wake(state);
    this.flush();
  }

  /**
   * Forgets a connection: cancels its waiters, deletes its exclusive queues, requeues its unacked
   * deliveries (to other waiters first) and deletes the auto-delete queues it was the last consumer of.
   */
  connectionClosed(owner: Owner): void {
    const state = this.owners.get(owner);
    if (state === undefined) return;
    this.owners.delete(owner);
    for (const waiter of state.waiters) waiter.queue.waiters.delete(waiter);
    state.waiters.clear();
    for (const queue of state.exclusive) this.removeQueue(queue);
    for (const pending of state.unacked.values()) {
      pending.source.unacked.delete(pending);
      this.requeue(pending.source, pending.message);
    }
    state.unacked.clear();
    for (const queue of state.consumed) {
      queue.consumers.delete(state);
      if (queue.settings.autoDelete && queue.consumers.size === 0) this.removeQueue(queue);
    }
    this.flush();
  }

  // Time

  /**
   * Dead-letters expired messages at the head of their queues and requeues deliveries unacked
   * for longer than their queue's ackTimeout, handling at most `budget` of them; returns whether
   * the budget ran out (call again soon: more may be due).
   */
  tick(budget = 1000): boolean {
    const now = this.now();
    let left = budget;
    for (const queue of this.queues.values()) {
      for (let head = queue.ready.peek(); left > 0 && head !== undefined && expired(head, now); head = queue.ready.peek()) {
        queue.ready.shift();
        this.deadLetter(queue, head, 'expired');
        left--;
      }
      for (const pending of queue.unacked) {
        if (left === 0 || pending.deadline > now) break;
        pending.holder.unacked.delete(pending.tag);
        queue.unacked.delete(pending);
        this.requeue(queue, pending.message);
        this.prefetchFreed(pending.holder);
        left--;
      }
      if (left === 0) break;
    }
    this.flush();
    return left === 0;
  }

  /** When `tick` next has work (ms), if ever: a scan of the queues' heads, O(queues). */
  nextDeadline(): number | undefined {
    let next = Infinity;
    for (const queue of this.queues.values()) {
      const head = queue.ready.peek();
      if (head !== undefined && head.expiresAt !== 0 && head.expiresAt < next) next = head.expiresAt;
      // Unacked deliveries are in delivery order, so the first is the first to time out.
      for (const pending of queue.unacked) {
        if (pending.deadline < next) next = pending.deadline;
        break;
      }
    }
    return next === Infinity ? undefined : next;
  }

  /** The memory estimate of the queued messages (what maxMemory limits), in O(1). */
  get memoryUsed(): number {
    return this.memory;
  }

  stats(): BrokerStats {
    let messagesReady = 0;
    let messagesUnacked = 0;
    for (const queue of this.queues.values()) {
      messagesReady += queue.ready.size;
      messagesUnacked += queue.unacked.size;
    }
    return {
      queues: this.queues.size,
      exchanges: this.exchanges.size,
      bindings: this.bindingCount,
      messagesReady,
      messagesUnacked,
      published: this.published,
      delivered: this.delivered,
      acked: this.acked,
      memory: this.memory,
    };
  }

  // Durability

  /**
   * Replays one journal record (start-up: nothing is journalled meanwhile). Messages that had been
   * delivered come back ready and redelivered. Throws an Error for a malformed record or one
   * that refers to something missing.
   */
  applyRecord(record: readonly string[]): void {
    const journal = this.journal;
    this.journal = undefined;
    try {
      this.replay(record);
    } finally {
      this.journal = journal;
    }
  }

  /**
   * The durable state as of this call, as records which replayed into a fresh broker rebuild it.
   * The message lists are copied now (a few ms per million messages) and their records made as
   * the iterator is read, so a snapshot can write them in slices: what changes meanwhile is not
   * in it.
   */
  durableRecords(): IterableIterator<string[]> {
    const topology: string[][] = [];
    for (const exchange of this.exchanges.values()) {
      if (exchange.journalled) topology.push(['EXCHANGE', exchange.name, exchange.type, flagText(exchange.autoDelete)]);
    }
    const durable = [...this.queues.values()].filter((queue) => queue.journalled);
    for (const queue of durable) topology.push(queueRecord(queue));
    for (const queue of durable) for (const binding of queue.bindings) if (binding.journalled) topology.push(bindingRecord('BIND', binding));
    // The messages as they are now, and the delivery counts that are not 0: their records are made later.
    const frozen = durable.map((queue) => {
      const messages = queue.ready.toArray();
      for (const { message } of queue.unacked) messages.push(message);
      const counts = new Map<Message, number>();
      for (const message of messages) if (message.deliveryCount > 0) counts.set(message, message.deliveryCount);
      return { names: [queue.name], messages, counts };
    });
    return (function* () {
      yield* topology;
      for (const { names, messages, counts } of frozen) {
        for (const message of messages) if (message.persistent) yield publishRecord(message, names, counts.get(message) ?? 0);
      }
    })();
  }


  private replay(record: readonly string[]): void {
    switch (record[0]) {
      case 'EXCHANGE': {
        const [name, type] = [field(record, 1), field(record, 2)];
        expectLength(record, 4);
        if (!isExchangeType(type)) throw malformed(record, `unknown exchange type '${type}'`);
        if (this.exchanges.has(name)) throw malformed(record, `exchange '${name}' exists`);
        this.createExchange(name, type, true, flag(record, 3));
        return;
      }
      case 'EXCHANGE-DELETE': {
        expectLength(record, 2);
        const exchange = this.exchanges.get(field(record, 1));
        if (exchange !== undefined) this.removeExchange(exchange);
        return;
      }
      case 'QUEUE': {
        const name = field(record, 1);
        if (this.queues.has(name)) throw malformed(record, `queue '${name}' exists`);
        this.createQueue(name, settingsFromRecord(record, flag(record, 2), 3), null);
        return;
      }
      case 'QUEUE-DELETE': {
        expectLength(record, 2);
        const queue = this.queues.get(field(record, 1));
        if (queue !== undefined) this.removeQueue(queue);
        return;
      }
      case 'BIND':
      case 'UNBIND': {
        const exchange = this.exchanges.get(field(record, 2));
        if (exchange === undefined) throw malformed(record, `no exchange '${record[2]}'`);
        const queue = this.replayedQueue(record, field(record, 1));
        const key = field(record, 3);
        if ((record.length - 4) % 2 !== 0) throw malformed(record, 'a header without a value');
        const args: Headers = [];
        for (let i = 4; i < record.length; i += 2) args.push([record[i], record[i + 1]]);
        const id = bindingId(queue.name, key, args);
        const binding = exchange.bindings.get(id);
        if (record[0] === 'UNBIND') {
          if (binding !== undefined) this.removeBinding(binding, true);
        } else if (binding === undefined) {
          this.addBinding(exchange, queue, key, args, id);
        }
        return;
      }
      case 'PUBLISH': {
        const { message, queues } = parsePublish(record);
        for (let i = 0; i < queues.length; i++) this.restore(this.replayedQueue(record, queues[i]), i === 0 ? message : { ...message });
        if (message.seq > this.seq) this.seq = message.seq;
        return;
      }
      case 'DELIVER':
      case 'SETTLE': {
        const queue = this.replayedQueue(record, field(record, 1));
        for (let i = 2; i < record.length; i++) {
          const seq = decimal(record, i);
          const message = record[0] === 'DELIVER' ? queue.ready.find(seq) : queue.ready.remove(seq);
          if (message === undefined) throw malformed(record, `no message ${seq} in queue '${queue.name}'`);
          if (record[0] === 'SETTLE') {
            this.memory -= message.size;
          } else {
            message.deliveryCount++;
            message.redelivered = true;
          }
        }
        return;
      }
      default:
        throw malformed(record, 'unknown record type');
    }
  }

  private replayedQueue(record: readonly string[], name: string): Queue {
    const queue = this.queues.get(name);
    if (queue === undefined || !queue.journalled) throw malformed(record, `no durable queue '${name}'`);
    return queue;
  }

  // Internals: exchanges, bindings, queues

  private createExchange(name: string, type: ExchangeType, durable: boolean, autoDelete: boolean): void {
    const exchange = new Exchange(name, type, durable, autoDelete);
    this.exchanges.set(name, exchange);
    if (exchange.journalled) this.journal?.(['EXCHANGE', name, type, flagText(autoDelete)]);
  }

  private removeExchange(exchange: Exchange): void {
    this.exchanges.delete(exchange.name);
    for (const binding of exchange.bindings.values()) binding.queue.bindings.delete(binding);
    this.bindingCount -= exchange.bindings.size;
    if (exchange.journalled) this.journal?.(['EXCHANGE-DELETE', exchange.name]);
  }

  private addBinding(exchange: Exchange, queue: Queue, key: string, args: Headers, id: string): void {
    const binding: Binding = {
      queue, exchange, key, args, id,
      journalled: exchange.durable && exchange.name !== DEFAULT_EXCHANGE && queue.journalled,
    };
    exchange.bindings.set(id, binding);
    exchange.router.add(binding);
    queue.bindings.add(binding);
    if (exchange.name !== DEFAULT_EXCHANGE) this.bindingCount++;
    if (binding.journalled) this.journal?.(bindingRecord('BIND', binding));
  }

  /** `journal` is false when a deleted queue takes its bindings along: QUEUE-DELETE says it all. */
  private removeBinding(binding: Binding, journal: boolean): void {
    const { exchange } = binding;
    exchange.bindings.delete(binding.id);
    exchange.router.delete(binding);
    binding.queue.bindings.delete(binding);
    if (exchange.name !== DEFAULT_EXCHANGE) this.bindingCount--;
    if (journal && binding.journalled) this.journal?.(bindingRecord('UNBIND', binding));
    if (exchange.autoDelete && exchange.bindings.size === 0) this.removeExchange(exchange);
  }

  private createQueue(name: string, settings: QueueSettings, exclusiveOwner: Owner | null): Queue {
    const queue = new Queue(name, settings, exclusiveOwner);
    this.queues.set(name, queue);
    if (queue.journalled) this.journal?.(queueRecord(queue));
    this.addBinding(this.exchanges.get(DEFAULT_EXCHANGE)!, queue, name, NO_HEADERS, bindingId(name, name, NO_HEADERS));
    return queue;
  }

  private removeQueue(queue: Queue): void {
    this.queues.delete(queue.name);
    if (queue.journalled) this.journal?.(['QUEUE-DELETE', queue.name]);
    for (const binding of queue.bindings) this.removeBinding(binding, false);
    for (const message of queue.ready) this.memory -= message.size;
    for (const pending of queue.unacked) {
      this.memory -= pending.message.size;
      pending.holder.unacked.delete(pending.tag);
      this.prefetchFreed(pending.holder);
    }
    for (const consumer of queue.consumers) consumer.consumed.delete(queue);
    if (queue.exclusiveOwner !== null) this.owners.get(queue.exclusiveOwner)?.exclusive.delete(queue);
    for (const waiter of queue.waiters) {
      waiter.state.waiters.delete(waiter);
      waiter.onDeliver([]);
    }
    queue.waiters.clear();
  }

  /** The queue, unless missing or exclusive to another owner. */
  private accessible(owner: Owner, name: string): Queue | BrokerError {
    const queue = this.queues.get(name);
    if (queue === undefined) return errors.noQueue(name);
    return lockedOut(queue, owner) ? errors.locked(name) : queue;
  }

  private stateOf(owner: Owner): OwnerState {
    let state = this.owners.get(owner);
    if (state === undefined) this.owners.set(owner, state = new OwnerState());
    return state;
  }

  private serverNamed(): string {
    let name;
    do name = SERVER_NAMED_PREFIX + randomBytes(16).toString('base64url');
    while (this.queues.has(name));
    return name;
  }

  // Internals: moving messages

  /** The queues bound to match, each once. */
  private route(exchange: Exchange, routingKey: string, headers: Headers | undefined): Queue[] {
    const targets: Queue[] = [];
    exchange.router.route(routingKey, headers, targets);
    if (targets.length > 1) {
      // Two bindings to one queue give it one copy: keep each queue's first appearance.
      const mark = ++this.routeMark;
      let kept = 0;
      for (const queue of targets) {
        if (queue.routeMark === mark) continue;
        queue.routeMark = mark;
        targets[kept++] = queue;
      }
      targets.length = kept;
    }
    return targets;
  }

  /** Puts a copy of `message` in each queue; it journals once for all its durable queues. */
  private store(message: Message, targets: readonly Queue[]): void {
    if (message.persistent && this.journal !== undefined) {
      let durable: string[] | undefined;
      for (const queue of targets) if (queue.journalled) (durable ??= []).push(queue.name);
      if (durable !== undefined) this.journal(publishRecord(message, durable));
    }
    for (let i = 0; i < targets.length; i++) this.enqueue(targets[i], i === 0 ? message : { ...message });
  }

  private enqueue(queue: Queue, message: Message): void {
    this.restore(queue, message);
    queue.published++;
    const maxLength = queue.settings.maxLength;
    // Only drop-head queues get here when full: publish refuses for reject-publish ones.
    if (maxLength !== undefined) while (queue.ready.size > maxLength) this.deadLetter(queue, queue.ready.shift()!, 'maxlen');
    this.markDue(queue);
  }

  /** Puts a message in place, with the expiry its queue gives it. */
  private restore(queue: Queue, message: Message): void {
    const ttl = queue.settings.ttl;
    const expiration = message.expiration;
    message.expiresAt = ttl === undefined && expiration === undefined ? 0
      // At least 1: 0 means never, even for a fake clock at 0.
      : Math.max(1, message.timestamp + Math.min(ttl ?? Infinity, expiration ?? Infinity));
    queue.ready.insert(message);
    this.memory += message.size;
  }

  private take(queue: Queue, state: OwnerState, count: number, noAck: boolean, now: number): Delivery[] {
    const limit = noAck || state.prefetch === 0 ? count : Math.min(count, state.prefetch - state.unacked.size);
    const deliveries: Delivery[] = [];
    let record: string[] | undefined;
    while (deliveries.length < limit) {
      const message = queue.ready.shift();
      if (message === undefined) break;
      if (expired(message, now)) {
        this.deadLetter(queue, message, 'expired');
        continue;
      }
      message.deliveryCount++;
      if (message.redelivered) queue.redelivered++;
      queue.delivered++;
      this.delivered++;
      const pending = new Pending(state.nextTag++, queue.name, message, message.redelivered, message.deliveryCount, queue, state, now + queue.settings.ackTimeout);
      if (noAck) {
        if (this.leaves(queue, message)) (record ??= ['SETTLE', queue.name]).push(String(message.seq));
      } else {
        state.unacked.set(pending.tag, pending);
        queue.unacked.add(pending);
        if (this.journal !== undefined && message.persistent && queue.journalled) (record ??= ['DELIVER', queue.name]).push(String(message.seq));
      }
      deliveries.push(pending);
    }
    if (record !== undefined) this.journal!(record);
    return deliveries;
  }

  private settle(owner: Owner, queue: string, tags: readonly number[], outcome: 'ack' | 'requeue' | 'deadletter'): number | BrokerError {
    const state = this.owners.get(owner);
    const unknown = unknownTag(state, queue, tags);
    if (unknown !== undefined) return errors.unknownTag(unknown);
    if (tags.length === 0) return 0;
    let record: string[] | undefined;
    for (const tag of tags) {
      const pending = state!.unacked.get(tag)!;
      const { source, message } = pending;
      state!.unacked.delete(tag);
      source.unacked.delete(pending);
      if (outcome === 'ack') {
        source.acked++;
        this.acked++;
        if (this.leaves(source, message)) (record ??= ['SETTLE', queue]).push(String(message.seq));
      } else if (outcome === 'requeue') {
        this.requeue(source, message);
      } else {
        this.deadLetter(source, message, 'rejected');
      }
    }
    if (record !== undefined) this.journal!(record);
    this.prefetchFreed(state!);
    this.flush();
    return tags.length;
  }

  /** Back to its original place, unless its deliveries reached the queue's limit. */
  private requeue(queue: Queue, message: Message): void {
    message.redelivered = true;
    const limit = queue.settings.deliveryLimit;
    if (limit !== undefined && message.deliveryCount >= limit) {
      this.deadLetter(queue, message, 'delivery_limit');
      return;
    }
    queue.ready.insert(message);
    this.markDue(queue);
  }

  /** `message` has left `queue` (the caller took it out): republishes it to the queue's DLX, if any. */
  private deadLetter(queue: Queue, message: Message, reason: DeathReason): void {
    if (this.leaves(queue, message)) this.journal!(['SETTLE', queue.name, String(message.seq)]);
    const exchange = queue.settings.deadLetterExchange;
    if (exchange === undefined || !this.exchanges.has(exchange)) return;
    queue.deadLettered++;
    const routingKey = queue.settings.deadLetterRoutingKey ?? message.routingKey;
    this.deadLetters.push(deadLetterCopy(message, ++this.seq, exchange, routingKey, queue.name, reason, this.now()));
  }

  /**
   * Routes the dead-lettered copies, skipping the queues a copy already died in since its last
   * rejection (a cycle) and full reject-publish queues: dead-lettering never fails. The exchange
   * may have gone meanwhile (auto-deleted by the same change): the copy is then discarded.
   */
  private republishDeadLetters(): void {
    const letters = this.deadLetters;
    // Storing may dead-letter more (drop-head), appended here and handled by this same loop.
    for (let i = 0; i < letters.length; i++) {
      const message = letters[i];
      const exchange = this.exchanges.get(message.exchange);
      if (exchange === undefined) continue;
      const targets = this.route(exchange, message.routingKey, message.headers)
        .filter((queue) => !message.deathPath?.includes(queue.name) && !rejectsPublish(queue));
      this.store(message, targets);
    }
    letters.length = 0;
  }

  /** Accounts for a message leaving `queue` for good; returns whether a SETTLE record must say so. */
  private leaves(queue: Queue, message: Message): boolean {
    this.memory -= message.size;
    return this.journal !== undefined && message.persistent && queue.journalled;
  }

  private markDue(queue: Queue): void {
    if (!queue.due && queue.waiters.size > 0 && queue.ready.size > 0) {
      queue.due = true;
      this.due.push(queue);
    }
  }

  /** The owner's waiters may take more now, if a prefetch limit held them back. */
  private prefetchFreed(state: OwnerState): void {
    if (state.prefetch > 0) this.wake(state);
  }

  private wake(state: OwnerState): void {
    for (const waiter of state.waiters) this.markDue(waiter.queue);
  }

  /** Finishes every public change: dead letters to their queues, then waiters to their messages. */
  private flush(): void {
    while (this.deadLetters.length > 0 || this.due.length > 0) {
      if (this.deadLetters.length > 0) this.republishDeadLetters();
      for (let i = 0; i < this.due.length; i++) {
        const queue = this.due[i];
        queue.due = false;
        this.serve(queue);
      }
      this.due.length = 0;
    }
  }

  /** Hands ready messages to the queue's waiters, oldest first, skipping those held by prefetch. */
  private serve(queue: Queue): void {
    const now = this.now();
    for (const waiter of queue.waiters) {
      if (queue.ready.size === 0) return;
      if (!waiter.noAck && waiter.state.full) continue;
      const deliveries = this.take(queue, waiter.state, waiter.count, waiter.noAck, now);
      if (deliveries.length === 0) continue;
      queue.waiters.delete(waiter);
      waiter.state.waiters.delete(waiter);
      waiter.onDeliver(deliveries);
    }
  }
}

export type Journal = (record: string[]) => void;

export interface BrokerOptions {
  /** The clock, in ms; Date.now by default. */
  now?: () => number;
  journal?: Journal;
}

/** A parked getter (see Broker.wait). */
export class Waiter {
  constructor(
    /** @internal */ readonly state: OwnerState,
    /** @internal */ readonly queue: Queue,
    readonly count: number,
    readonly noAck: boolean,
    readonly onDeliver: (deliveries: Delivery[]) => void,
  ) {}
}

const DEFAULT_EXCHANGE = '';
const RESERVED_PREFIX = 'amq.';
const SERVER_NAMED_PREFIX = 'amq.gen-';
const PREDECLARED: readonly [string, ExchangeType][] = [
  ['amq.direct', 'direct'], ['amq.fanout', 'fanout'], ['amq.topic', 'topic'], ['amq.headers', 'headers'],
];
const NO_HEADERS: Headers = [];
const NO_PROPS: PublishProps = {};

class Exchange {
  readonly behaviour: ExchangeBehaviour;
  readonly router: Router<Queue>;
  /** By bindingId. */
  readonly bindings = new Map<string, Binding>();
  /** The predeclared exchanges exist in every broker: no need to journal them. */
  readonly journalled: boolean;

  constructor(readonly name: string, readonly type: ExchangeType, readonly durable: boolean, readonly autoDelete: boolean) {
    this.behaviour = EXCHANGE_TYPES.get(type)!;
    this.router = this.behaviour.router<Queue>();
    this.journalled = durable && name !== DEFAULT_EXCHANGE && !name.startsWith(RESERVED_PREFIX);
  }
}

interface Binding extends RoutedBinding<Queue> {
  readonly exchange: Exchange;
  readonly id: string;
  readonly journalled: boolean;
}

/** A binding's identity within its exchange: queue, key and arguments (in any order, as AMQP tables). */
function bindingId(queue: string, key: string, args: Headers): string {
  return JSON.stringify([queue, key, args.length < 2 ? args : [...args].sort(comparePairs)]);
}

function comparePairs(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function bindingRecord(type: 'BIND' | 'UNBIND', binding: Binding): string[] {
  return [type, binding.queue.name, binding.exchange.name, binding.key, ...binding.args.flat()];
}

class Queue {
  readonly ready = new SeqDeque<Message>();
  /** In delivery order, which is deadline order: the queue's ackTimeout is the same for all. */
  readonly unacked = new Set<Pending>();
  /** In arrival order: served first come, first served. */
  readonly waiters = new Set<Waiter>();
  /** Owners that got or waited for its messages: RabbitMQ's consumers. */
  readonly consumers = new Set<OwnerState>();
  readonly bindings = new Set<Binding>();
  readonly journalled: boolean;
  published = 0;
  delivered = 0;
  acked = 0;
  redelivered = 0;
  deadLettered = 0;
  /** Listed in Broker.due. */
  due = false;
  /** The last route that listed this queue, to skip a second binding's copy. */
  routeMark = 0;

  constructor(readonly name: string, readonly settings: QueueSettings, readonly exclusiveOwner: Owner | null) {
    this.journalled = settings.durable && !settings.exclusive;
  }
}

function queueRecord(queue: Queue): string[] {
  return ['QUEUE', queue.name, flagText(queue.settings.autoDelete), ...argumentPairs(queue.settings).flat()];
}

function declared(queue: Queue): DeclaredQueue {
  return { name: queue.name, ready: queue.ready.size, consumers: queue.consumers.size };
}

function lockedOut(queue: Queue, owner: Owner): boolean {
  return queue.exclusiveOwner !== null && queue.exclusiveOwner !== owner;
}

function rejectsPublish(queue: Queue): boolean {
  const { maxLength, overflow } = queue.settings;
  return overflow === 'reject-publish' && maxLength !== undefined && queue.ready.size >= maxLength;
}

function expired(message: Message, now: number): boolean {
  return message.expiresAt !== 0 && message.expiresAt <= now;
}

function consume(state: OwnerState, queue: Queue): void {
  queue.consumers.add(state);
  state.consumed.add(queue);
}

/** What the broker keeps per connection, as RabbitMQ per channel. */
class OwnerState {
  prefetch = 0;
  nextTag = 1;
  readonly unacked = new Map<number, Pending>();
  readonly consumed = new Set<Queue>();
  readonly exclusive = new Set<Queue>();
  readonly waiters = new Set<Waiter>();

  get full(): boolean {
    return this.prefetch > 0 && this.unacked.size >= this.prefetch;
  }
}

/** A delivery, which doubles as the unacked entry (unused as such when taken without ack). */
class Pending implements Delivery {
  constructor(
    readonly tag: number,
    readonly queue: string,
    readonly message: Message,
    readonly redelivered: boolean,
    readonly deliveryCount: number,
    readonly source: Queue,
    readonly holder: OwnerState,
    /** When it is requeued if still unacked. */
    readonly deadline: number,
  ) {}
}

/** The first tag that is not one of the owner's unacked deliveries of `queue`, or repeats. */
function unknownTag(state: OwnerState | undefined, queue: string, tags: readonly number[]): number | undefined {
  const seen = tags.length > 1 ? new Set<number>() : undefined;
  for (const tag of tags) {
    if (state?.unacked.get(tag)?.queue !== queue) return tag;
    if (seen !== undefined) {
      if (seen.has(tag)) return tag;
      seen.add(tag);
    }
  }
  return undefined;
}

function expectLength(record: readonly string[], length: number): void {
  if (record.length !== length) throw malformed(record, `${record.length} fields instead of ${length}`);
}
