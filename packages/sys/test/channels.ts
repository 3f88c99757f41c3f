/**
 * Hand-written special processes for the tests: the channel allocator of OTP's design principles
 * ("ch4"), which sys_SUITE runs as `sys_sp1` and `sys_sp2`. They serve system messages through
 * `handleSystemMessage` and report their own debug events, as a special process does in Erlang.
 *
 * - {@link Channels} (sys_sp2): no state callbacks of its own, so get/replaceState act on the raw state.
 * - {@link ChannelsWithCallbacks} (sys_sp1): its getState and replaceState refuse some states by
 *   throwing `"fail"`, as sys_sp1's `system_get_state/1` and `system_replace_state/2` do.
 */
import {
  describe,
  type Inbox,
  type Matcher,
  type Pid,
  type ProcessContext,
  type ProcessHandler,
  type ReplyTo,
} from "@maquis/core";
import {
  type Caller,
  Debug,
  handleSystemMessage,
  type Started,
  type Starter,
  type StartMode,
  type StartOptions,
  type SystemEvent,
  SystemMessage,
  type SystemProcess,
  startProcess,
} from "../src/index.js";

/** The allocator's state: allocated channels (newest first) and free ones, Erlang's `{Alloc, Free}`. */
export interface ChannelState {
  readonly allocated: readonly number[];
  readonly free: readonly number[];
}

/** A request for a channel; the reply is its number. */
export class Alloc {
  readonly from: ReplyTo;
  constructor(from: ReplyTo) {
    this.from = from;
  }
}

/** Gives a channel back (no reply). */
export class Free {
  readonly channel: number;
  constructor(channel: number) {
    this.channel = channel;
  }
}

const channels = (count: number): ChannelState => ({
  allocated: [],
  free: Array.from({ length: count }, (_, i) => i + 1),
});

/** The channel allocator without state callbacks (sys_sp2). */
export class Channels implements ProcessHandler, SystemProcess {
  debug: Debug | null = null;
  select: Matcher | undefined = undefined;
  parent!: Pid;
  readonly behaviour: string;
  readonly module: string;
  readonly name: string;
  /** The raw state; `replaceState` may turn it into anything. */
  state: unknown;
  private readonly starter: Starter;
  private readonly count: number;

  constructor(starter: Starter, count: number, name: string) {
    this.starter = starter;
    this.count = count;
    this.name = name;
    this.behaviour = name;
    this.module = name;
  }

  init(self: ProcessContext): void {
    this.parent = this.starter.parent;
    this.debug = Debug.from(this.starter.options.debug, self.node);
    this.state = channels(this.count);
    this.starter.ack(self);
  }

  receive(message: unknown, self: ProcessContext): void | PromiseLike<void> {
    if (message instanceof SystemMessage) return handleSystemMessage(this, self, message);
    const state = this.state as ChannelState;
    if (message instanceof Alloc) {
      this.event(self, { kind: "in", message: "alloc", from: message.from.pid });
      const [channel, ...free] = state.free;
      this.state = { allocated: [channel!, ...state.allocated], free };
      self.reply(message.from, channel!);
      this.event(self, { kind: "out", reply: channel, to: message.from.pid });
    } else if (message instanceof Free) {
      this.event(self, { kind: "in", message: { free: message.channel } });
      if (state.allocated.includes(message.channel)) {
        this.state = {
          allocated: state.allocated.filter((c) => c !== message.channel),
          free: [message.channel, ...state.free],
        };
      }
    }
  }

  /** Erlang's `sys:handle_debug(Deb, fun write_debug/3, Name, Event)`. */
  private event(self: ProcessContext, event: SystemEvent): void {
    this.debug?.event(self.node, self.pid, this.name, event, (e) => `${this.name} event = ${describe(e)}`);
  }

  getState(): unknown {
    return this.state;
  }

  replaceState(fn: (state: unknown) => unknown): unknown {
    this.state = fn(this.state);
    return this.state;
  }

  statusMisc(): unknown {
    return this.state;
  }

  /** Erlang's `system_code_change/4`: wraps the state; `extra === "refuse"` refuses. */
  codeChange(oldVsn: unknown, extra: unknown): void {
    if (extra === "refuse") throw new Error("refused");
    this.state = { upgradedFrom: oldVsn, extra, previous: this.state };
  }

  terminate(reason: unknown, self: ProcessContext): void {
    self.exit(reason);
  }
}

const isEmptyArray = (v: unknown): boolean => Array.isArray(v) && v.length === 0;
const isEmptyObject = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

/** The channel allocator with its own state callbacks (sys_sp1). */
export class ChannelsWithCallbacks extends Channels {
  /** sys_sp1's `system_get_state([]) -> throw(fail)`. */
  override getState(): unknown {
    if (isEmptyArray(this.state)) throw "fail";
    return this.state;
  }

  /** sys_sp1's `system_replace_state(_, {}) -> throw(fail)`. */
  override replaceState(fn: (state: unknown) => unknown): unknown {
    if (isEmptyObject(this.state)) throw "fail";
    return super.replaceState(fn);
  }
}

/** Which allocator: sys_sp1 has state callbacks, sys_sp2 does not. */
export type ChannelsModule = "sys_sp1" | "sys_sp2";

/** `Mod:start_link(NumCh)`: starts the allocator registered as `module`, linked to `caller`. */
export const startChannels = (
  caller: Caller,
  module: ChannelsModule,
  count: number,
  mode: StartMode = "startLink",
  options: Omit<StartOptions, "name"> = {},
): Promise<Started> =>
  startProcess(caller, mode, { ...options, name: module }, `${module}:init`, (starter) =>
    module === "sys_sp1"
      ? new ChannelsWithCallbacks(starter, count, module)
      : new Channels(starter, count, module),
  );

/** `Mod:alloc()`. */
export const alloc = (inbox: Inbox, module: ChannelsModule): Promise<number> =>
  inbox.request<number>(module, (from) => new Alloc(from));

/** `Mod:free(Ch)`: asynchronous, as in Erlang. */
export const free = (inbox: Inbox, module: ChannelsModule, channel: number): void => {
  inbox.send(module, new Free(channel));
};
