import { type Caller, type Started, type StartMode, type StartOptions, startProcess } from "@maquis/sys";
import { EventManager } from "./Manager.js";

/** Starts an event manager process through sys's synchronous start (Erlang's `gen:start(gen_event, …)`). */
export const startManager = (caller: Caller, mode: StartMode, options: StartOptions = {}): Promise<Started> =>
  startProcess(caller, mode, options, "GenEvent", (starter) => new EventManager(starter));
