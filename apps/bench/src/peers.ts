/**
 * Peer JavaScript actor libraries on the gen-server measures' work, each written the way its own docs
 * show, for side-by-side rows (Maquis figure / peer figure):
 *
 * - tell: `n` fire-and-forget messages to a counting actor, then one synchronising read of the count
 *   (as gen-server-cast: `n` casts, then a call that returns the count);
 * - ask: `n` sequential request/reply round trips from one client (as gen-server-call-1), with the
 *   library's own request/reply mechanism and a 5 s timeout where it takes one.
 *
 * XState v5 has no request/reply from outside an actor (no ask or query), so it has only a tell row.
 * main runs the peers with n = 1M (the Maquis tell figure comes from 5M casts): at their rates 5M would
 * take about 9 s a round, and a shorter queue only helps them.
 */
import { dispatch, query, type Ref, spawn, start, stop } from "nact";
import { assign, createActor, setup } from "xstate";

const now = () => performance.now();
const rate = (n: number, t0: number, t1 = now()) => n / ((t1 - t0) / 1000);

type NactMsg = "inc" | { readonly type: "count" | "ping"; readonly sender: Ref<unknown> };

/** A nact actor that counts "inc"s, answers "count" with the count and "ping" with "pong". */
const nactCounter = (system: Ref<never>) =>
  spawn(
    system,
    (n: number, msg: NactMsg) => {
      if (msg === "inc") return n + 1;
      dispatch(msg.sender, msg.type === "ping" ? "pong" : n);
      return n;
    },
    "counter",
    { initialState: 0 },
  );

/** peer-nact-tell: `n` `dispatch`es, then one `query` for the count (msg/s over both). */
export const nactTell = async (n = 5_000_000): Promise<number> => {
  const system = start();
  try {
    const actor = nactCounter(system);
    const t0 = now();
    for (let i = 0; i < n; i++) dispatch(actor, "inc");
    // query requires a finite timeout; the Erlang and Maquis sides wait without one.
    const count = await query(actor, (sender: Ref<number>) => ({ type: "count", sender }), 2_147_483_647);
    const t1 = now();
    if (count !== n) throw new Error(`nact counted ${count} of ${n}`);
    return rate(n, t0, t1);
  } finally {
    stop(system);
  }
};

/** peer-nact-ask: `n` sequential `query` round trips with a 5 s timeout (round trips/s). */
export const nactAsk = async (n = 200_000): Promise<number> => {
  const system = start();
  try {
    const actor = nactCounter(system);
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const r = await query(actor, (sender: Ref<string>) => ({ type: "ping", sender }), 5000);
      if (r !== "pong") throw new Error("bad reply");
    }
    return rate(n, t0);
  } finally {
    stop(system);
  }
};

/** peer-xstate-tell: `n` `actor.send`s to a counting machine, then a read of its snapshot (msg/s). */
export const xstateTell = async (n = 5_000_000): Promise<number> => {
  const machine = setup({
    types: { context: {} as { count: number }, events: {} as { type: "inc" } },
  }).createMachine({
    context: { count: 0 },
    on: { inc: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
  });
  const actor = createActor(machine).start();
  try {
    const t0 = now();
    for (let i = 0; i < n; i++) actor.send({ type: "inc" });
    const count = actor.getSnapshot().context.count;
    const t1 = now();
    if (count !== n) throw new Error(`xstate counted ${count} of ${n}`);
    return rate(n, t0, t1);
  } finally {
    actor.stop();
  }
};
