/** The errors of the in-memory network's media. */

/** Why a connect on the in-memory network was refused. */
export type ConnectRefusal =
  /** Nothing listens on the address (never did, or it is not a `memory://` address). */
  | "no-listener"
  /** The listener on the address was closed with `Listener.close()` (and nothing listens there again). */
  | "listener-closed"
  /** A partition separates the dialling node from the listening one; `heal()` lets connects through. */
  | "partitioned";

/**
 * A connect on the in-memory network was refused: the `connect` promise rejects with it. Test `reason`
 * rather than the message.
 *
 * @example
 * await expect(medium.connect("memory://nobody", info)).rejects.toMatchObject({ reason: "no-listener" });
 */
export class ConnectRefusedError extends Error {
  readonly address: string;
  readonly reason: ConnectRefusal;
  constructor(address: string, reason: ConnectRefusal) {
    super(`connection to ${address} refused: ${reason.replace(/-/g, " ")}`);
    this.name = "ConnectRefusedError";
    this.address = address;
    this.reason = reason;
  }
}

/** Why a listen on the in-memory network failed. */
export type ListenFailure =
  /** Another listener already holds the address. */
  | "address-in-use"
  /** The address is not of the form `memory://<name>`. */
  | "invalid-address";

/** A listen on the in-memory network failed: the `listen` promise rejects with it. */
export class ListenError extends Error {
  readonly address: string;
  readonly reason: ListenFailure;
  constructor(address: string, reason: ListenFailure) {
    super(`cannot listen on ${JSON.stringify(address)}: ${reason.replace(/-/g, " ")}`);
    this.name = "ListenError";
    this.address = address;
    this.reason = reason;
  }
}
