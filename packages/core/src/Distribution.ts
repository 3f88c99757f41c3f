import type { RemoteName } from "./Messages.js";
import type { Pid } from "./Pid.js";
import type { ExitReason } from "./Reason.js";
import type { Ref } from "./Ref.js";

/**
 * The signals nodes exchange, one per Erlang distribution operation. A transport carries them between
 * nodes in order per sender–receiver pair; core produces and consumes them.
 */
export type Signal =
  /**
   * A message. `to` is a pid, a name registered on the receiving node, or an alias (a request's ref).
   * `channel` and `partitionKey` are the sender's `SendOptions`, for the transport only: they
   * choose the connection and are not carried across.
   */
  | {
      readonly kind: "send";
      readonly to: Pid | RemoteName | Ref;
      readonly message: unknown;
      readonly channel?: string | undefined;
      readonly partitionKey?: number | string | undefined;
    }
  /** `from` links to `to`. */
  | { readonly kind: "link"; readonly from: Pid; readonly to: Pid }
  /** `from` removes its link to `to`. */
  | { readonly kind: "unlink"; readonly from: Pid; readonly to: Pid }
  /** An exit signal: from a dying linked process (`link: true`) or from `exit(pid, reason)`. */
  | {
      readonly kind: "exit";
      readonly from: Pid;
      readonly to: Pid;
      readonly reason: ExitReason;
      readonly link: boolean;
    }
  /** `from` monitors `to` (a pid, or a name on the receiving node) under `ref`. */
  | { readonly kind: "monitor"; readonly from: Pid; readonly to: Pid | RemoteName; readonly ref: Ref }
  /** `from` removes monitor `ref`. */
  | { readonly kind: "demonitor"; readonly from: Pid; readonly to: Pid | RemoteName; readonly ref: Ref }
  /** The process monitored under `ref` by `to` has ended. */
  | {
      readonly kind: "down";
      readonly to: Pid;
      readonly ref: Ref;
      readonly item: Pid | RemoteName;
      readonly reason: ExitReason;
    };

/**
 * What a transport gets from the node it serves: the node's identity and the entry points for what
 * arrives from the network.
 */
export interface DistributionHost {
  readonly name: string;
  readonly creation: number;
  /** A signal from `fromNode` for a process on this node. */
  deliver(fromNode: string, signal: Signal): void;
  /**
   * Runs now the processes that delivered signals made runnable, instead of from the microtask the
   * scheduler queued. A transport calls it after delivering a received frame, so that a server's
   * reply is ready before the socket library finishes its own bookkeeping for the read. Does nothing
   * when called from inside a process (the scheduler is already running). Processes that `await`
   * still resume from microtasks.
   */
  runPending(): void;
  /** A connection to `node` is up: processes that called `monitorNodes(true)` get `nodeup`. */
  nodeUp(node: string): void;
  /**
   * The connection to `node` is gone: links and monitors across it fire with `noconnection`, and
   * `nodedown` messages carry `reason` (Erlang's `nodedown_reason`, e.g. `"connection_closed"`,
   * `"net_tick_timeout"`; default `"noconnection"`).
   */
  nodeDown(node: string, reason?: ExitReason): void;
}

/**
 * The port through which a node reaches others. `@maquis/transport` implements it; core never imports
 * a transport. Without a port, remote sends are dropped and remote links and monitors fire at once
 * with `noconnection`, as on an Erlang node that cannot reach the other one.
 */
export interface DistributionPort {
  /**
   * Sends a signal to `node`, in order after earlier signals to it. Returns `false` when there is no
   * connection to `node` and none can be made now (the node then applies `noconnection` semantics).
   */
  send(node: string, signal: Signal): boolean;
  /** The nodes currently connected. */
  nodes(): string[];
  /** Closes every connection; called when the node stops. */
  stop(): void | Promise<void>;
}

/** Builds a port for a node; passed as `Node.start({ transport })`. */
export type Transport = (host: DistributionHost) => DistributionPort;
