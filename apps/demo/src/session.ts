/**
 * A client session in front of the store (gen-statem): writes wait (postponed) until the client has
 * logged in with the right code, and an idle state timeout logs it out again.
 */
import type { ReplyTo } from "@maquis/core";
import { call } from "@maquis/gen-server";
import {
  type Call,
  GenStatem,
  keepStateAndData,
  named,
  nextState,
  ok,
  postpone,
  reply,
  type StatemEvent,
  stateTimeout,
} from "@maquis/gen-statem";
import { kv } from "./kv.js";

export interface SessionProtocol {
  calls: Call<{ op: "login"; code: string }, "welcome" | "wrong code">;
  casts: { op: "put"; key: string; value: string };
}

type SessionState = "loggedOut" | "loggedIn";
interface SessionData {
  readonly code: string;
  readonly idleMs: number;
  readonly say: (text: string) => void;
}
type Event = StatemEvent<SessionProtocol, SessionState>;

export class Session extends GenStatem<SessionState, SessionData, SessionData, SessionProtocol> {
  callbackMode() {
    return ["stateFunctions", "stateEnter"] as const;
  }

  init(data: SessionData) {
    return ok<SessionState, SessionData>("loggedOut", data);
  }

  loggedOut(event: Event, data: SessionData) {
    switch (event.type) {
      case "enter":
        data.say(`session: logged out${event.oldState === "loggedIn" ? " (idle)" : ""}`);
        return keepStateAndData();
      case "call":
        return event.content.code === data.code
          ? nextState<SessionState, SessionData>("loggedIn", data, reply(event.from, "welcome"))
          : keepStateAndData(reply(event.from as ReplyTo, "wrong code"));
      case "cast":
        data.say(`session: put ${event.content.key} waits for a login (postponed)`);
        return keepStateAndData(postpone());
      default:
        return keepStateAndData();
    }
  }

  // Async: the write goes to the store with a call; the session handles one event at a time meanwhile.
  async loggedIn(event: Event, data: SessionData) {
    switch (event.type) {
      case "enter":
        data.say("session: logged in");
        return keepStateAndData(stateTimeout(data.idleMs, "idle"));
      case "cast": {
        const { key, value } = event.content;
        await call(this.self, kv, { op: "put", key, value });
        data.say(`session: stored ${key}=${value}`);
        return keepStateAndData(stateTimeout(data.idleMs, "idle")); // activity restarts the idle timer
      }
      case "stateTimeout":
        return nextState<SessionState, SessionData>("loggedOut", data);
      case "call":
        return keepStateAndData(reply(event.from, "welcome"));
      default:
        return keepStateAndData();
    }
  }
}

/** The session's registered name, typed with its protocol. */
export const session = named<SessionProtocol>("session");
