import { BadArgError } from "@maquis/core";
import { type Caller, type Started, type StartMode, type StartOptions, startProcess } from "@maquis/sys";
import type { GenServer } from "../GenServer.js";
import type { Protocol } from "../Protocol.js";
import { GenServerLoop } from "./Loop.js";

/** A GenServer subclass with a no-argument constructor. */
export type GenServerClass<T> = new () => T;

/** A server to start: a class (instantiated per start) or an instance (for servers that need constructor arguments). */
export type ServerSource<T> = GenServerClass<T> | T;

export const startServer = <T extends GenServer<Protocol, unknown, unknown>>(
  caller: Caller,
  mode: StartMode,
  source: ServerSource<T>,
  args: unknown,
  options: StartOptions = {},
): Promise<Started> => {
  const server = (typeof source === "function"
    ? new (source as GenServerClass<T>)()
    : source) as unknown as GenServer;
  if (typeof (server as { init?: unknown }).init !== "function") {
    throw new BadArgError(`not a GenServer: ${String(source)}`);
  }
  return startProcess(caller, mode, options, `GenServer:${server.constructor.name}`, (starter) => {
    return new GenServerLoop(server, starter, args, (self) => {
      server.self = self;
    });
  });
};
