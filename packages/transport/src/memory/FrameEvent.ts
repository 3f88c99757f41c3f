/** What the in-memory network reports about each frame to `MemoryNetwork.onFrame`. */

/**
 * What happened to a frame. A frame gets one event per decision, so one frame can have several:
 * `"delayed"` then `"delivered"`, or `"duplicated"` then `"delivered"` twice (same `id`).
 *
 * - `"delivered"`: handed to the receiving end's `onFrame`.
 * - `"dropped"`: lost for good; `cause` says why.
 * - `"duplicated"`: an extra copy was queued (its delivery is reported too).
 * - `"delayed"`: held back `delayMs` by a delay rule.
 * - `"reordered"`: it overtook the frame queued just ahead of it on the same connection.
 */
export type FrameFate = "delivered" | "dropped" | "duplicated" | "delayed" | "reordered";

/**
 * Why a frame was dropped: a `drop` rule (`"fault"`), sent on or arriving at a closed end (`"closed"`), or
 * in flight on a connection a partition cut (`"partition"`).
 */
export type DropCause = "fault" | "closed" | "partition";

/**
 * One trace event. Cheap to leave off: the network builds no event while `onFrame` is unset.
 *
 * @example
 * const fates: string[] = [];
 * network.onFrame = (e) => fates.push(`${e.from}->${e.to}#${e.id} ${e.fate}`);
 */
export interface FrameEvent {
  /** The frame's number on this network, from 1 in send order; a duplicate shares its original's. */
  readonly id: number;
  /** The connection's number on this network (`MemoryConnection.id`), shared by both ends. */
  readonly connection: number;
  /** The sending node. */
  readonly from: string;
  /** The receiving node. */
  readonly to: string;
  /** The connection's channel (`DialInfo.channel`). */
  readonly channel: string;
  /** Bytes. */
  readonly size: number;
  readonly fate: FrameFate;
  /** The network clock's `now()` when it happened. */
  readonly time: number;
  /** For `"dropped"`. */
  readonly cause?: DropCause;
  /** For `"delayed"`: how long this frame's delay rules hold it (it may wait longer behind earlier frames). */
  readonly delayMs?: number;
}
