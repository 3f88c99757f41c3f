/**
 * The manager's sys state hooks over its handler list (OTP's `system_get_state`,
 * `system_replace_state`, `format_status` and `system_code_change`). The list is oldest first; what
 * they show is newest first, as `whichHandlers`.
 */
import type { Debug } from "@maquis/sys";
import { UndefinedCallbackError } from "@maquis/sys";
import type { HandlerClass } from "../HandlerId.js";
import type { HandlerState, ManagerStatus } from "../Status.js";
import type { HandlerRecord } from "./handlers.js";
import { nameText } from "./trace.js";

const stateOf = (h: HandlerRecord): HandlerState => ({
  handler: h.handlerClass as HandlerClass,
  id: h.instanceId,
  state: h.state,
});

/** `[{ handler, id, state }]`, newest first (OTP's `[{Mod, Id, State}]`, `id` undefined for none). */
export const handlerStates = (handlers: readonly HandlerRecord[]): HandlerState[] => {
  const states: HandlerState[] = [];
  for (let i = handlers.length - 1; i >= 0; i--) states.push(stateOf(handlers[i]!));
  return states;
};

/**
 * Applies `fn` to each handler's `{ handler, id, state }`. A handler whose `fn` throws, or gives back
 * anything but its own handler and id with a state, keeps its state; nothing is raised (OTP).
 */
export const replaceHandlerStates = (
  handlers: readonly HandlerRecord[],
  fn: (state: unknown) => unknown,
): HandlerState[] => {
  for (let i = handlers.length - 1; i >= 0; i--) {
    const h = handlers[i]!;
    try {
      const next = fn(stateOf(h)) as Partial<HandlerState> | null;
      if (
        typeof next === "object" &&
        next !== null &&
        next.handler === h.handlerClass &&
        next.id === h.instanceId &&
        "state" in next
      ) {
        h.state = next.state;
      }
    } catch {
      // OTP's system_replace_state: a failing fun leaves that handler as it was.
    }
  }
  return handlerStates(handlers);
};

/** What a handler's formatStatus shows for its state (the state itself without one). */
export const formatHandlerState = (record: HandlerRecord, debug: Debug | null): unknown => {
  const format = record.handler.formatStatus;
  if (format === undefined) return record.state;
  try {
    return format.call(record.handler, { state: record.state, log: [...(debug?.events ?? [])] });
  } catch {
    return `${record.module}.formatStatus crashed`;
  }
};

/** The manager's part of `sys.getStatus`. */
export const managerStatus = (
  handlers: readonly HandlerRecord[],
  name: unknown,
  debug: Debug | null,
): ManagerStatus => {
  const installed: ManagerStatus["handlers"][number][] = [];
  for (let i = handlers.length - 1; i >= 0; i--) {
    const h = handlers[i]!;
    installed.push({ handler: h.id, state: formatHandlerState(h, debug), supervisor: h.supervisor });
  }
  return {
    header: `Status for event handler ${nameText(name)}`,
    log: [...(debug?.events ?? [])],
    handlers: installed,
  };
};

/**
 * `sys.changeCode`: every handler's codeChange, all or nothing. sys has no module argument, so a
 * handler without codeChange fails the whole change (as OTP does for the module it is asked about).
 */
export const changeHandlersCode = (
  handlers: readonly HandlerRecord[],
  oldVsn: unknown,
  extra: unknown,
): void => {
  const states: unknown[] = [];
  for (const h of handlers) {
    const change = h.handler.codeChange;
    if (change === undefined) throw new UndefinedCallbackError(h.module, "codeChange");
    states.push(change.call(h.handler, oldVsn, h.state, extra));
  }
  handlers.forEach((h, i) => {
    h.state = states[i];
  });
};
