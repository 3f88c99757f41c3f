/**
 * How clients name an event manager: its pid or its name, optionally typed with the events it takes.
 */
import type { Destination, Pid } from "@maquis/core";

declare const eventType: unique symbol;

/**
 * A manager's pid or name (a local name, `{ name, node }`, or a via name) that takes events of type `E`
 * (a phantom type: at run time it is the pid or name itself). A plain pid or name is accepted wherever
 * one is, and takes any event.
 */
export type ManagerRef<E = unknown> = Destination & { readonly [eventType]?: E };

/** The pid of a started manager that takes events of type `E`: a `Pid`, usable wherever one is. */
export type ManagerPid<E = unknown> = Pid & { readonly [eventType]?: E };

/** The event type a {@link ManagerRef} carries (`unknown` for a plain pid or name). */
export type EventOf<M> = M extends { readonly [eventType]?: infer E } ? E : unknown;

/** Gives a manager's name (or pid) its event type, e.g. `managerNamed<AppEvent>("events")`. */
export const managerNamed = <E>(ref: Destination): ManagerRef<E> => ref as ManagerRef<E>;
