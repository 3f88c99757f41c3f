/**
 * supervisor-restart, on the work of the Erlang reference (maquis_bench:supervisor_restart/0 with
 * maquis_bench_sup and maquis_bench_server).
 */
import type { Pid } from "@maquis/core";
import { cast } from "@maquis/gen-server";
import { Supervisor, worker } from "@maquis/supervisor";
import { setLogger } from "@maquis/sys";
import { BenchServer, Started, withNode } from "./genserver.js";

/**
 * maquis_bench_sup: one_for_one with one permanent BenchServer child that reports each (re)start to
 * `notify`; the intensity is high enough that the crash loop never trips it.
 */
class BenchSup extends Supervisor<Pid> {
  init(notify: Pid) {
    return {
      flags: { strategy: "one_for_one" as const, intensity: 1_000_000, period: 1 },
      children: [
        worker(BenchServer, { notify }, { id: "worker", restart: "permanent", shutdown: "brutal_kill" }),
      ],
    };
  }
}

const isStarted = (message: unknown): message is Started => message instanceof Started;

/**
 * supervisor-restart: the child is cast `crash` (it stops with reason "crash") and the supervisor
 * restarts it; a cycle ends when the new child's `init` reports back. `n` cycles, on a fresh supervisor
 * (linked to the driver) for every `perSup` of them, as the Erlang reference does; only the cycles are
 * timed, with crash reports switched off (a no-op logger), as Erlang's logger level `none`.
 */
export const supervisorRestart = (n = 20_000, perSup = 100): Promise<number> =>
  withNode(async (node) => {
    setLogger(node, () => {});
    const driver = node.inbox();
    let ms = 0;
    for (let b = 0; b < n / perSup; b++) {
      const sup = await BenchSup.startLink(driver, driver.pid);
      let child = (await driver.receive(isStarted)).pid;
      const t0 = performance.now();
      for (let k = 0; k < perSup; k++) {
        cast(driver, child, "crash");
        child = (await driver.receive(isStarted)).pid;
      }
      ms += performance.now() - t0;
      await Supervisor.stop(driver, sup);
    }
    driver.close();
    return n / (ms / 1000);
  });
