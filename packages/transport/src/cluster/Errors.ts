/** The errors a {@link Cluster} raises to its callers. */

/**
 * Why a cluster operation failed:
 * - `unreachable`: no connection could be made (no address, refused, handshake failed);
 * - `disconnected`: the session ended before the operation completed;
 * - `stopped`: the cluster (its node) has stopped, or was not started;
 * - `not_ready`: the cluster is not listening yet (await `cluster.ready`).
 */
export type ClusterErrorCode = "unreachable" | "disconnected" | "stopped" | "not_ready";

/** A cluster operation (join, syncJoin) failed; `code` says why and `cause` holds the underlying error. */
export class ClusterError extends Error {
  override readonly name = "ClusterError";
  readonly code: ClusterErrorCode;

  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
