/**
 * `@maquis/gen-server/effect`: the gen-server as Effects (Effect 4).
 *
 * - Clients: {@link start}, {@link startLink}, {@link startMonitor}, {@link call}, {@link cast}, and
 *   the statics of {@link EffectGenServer} (`start`, `call`, `cast`, `reply`, `stop`…), failing with
 *   typed, tagged errors ({@link CallTimeout}, {@link NoProc}, {@link ServerExited}, {@link StartFailed}…)
 *   for `Effect.catchTag`.
 * - Servers: extend {@link EffectGenServer} and write callbacks that return Effects.
 *
 * It is a layer over the Promise API, not a second implementation: the same engine runs both kinds of
 * server, and either API can start and call either kind. Only this entry point imports `effect` (an
 * optional peer dependency); the main entry point never does. Results (`ok`, `reply`, `noreply`,
 * `stop`…) and protocol types come from `@maquis/gen-server`.
 *
 * @packageDocumentation
 */
export {
  type AnyEffectServer,
  type EffectArgsOf,
  type EffectStateOf,
  type GenServerClassOf,
  type GenServerOf,
  toGenServer,
} from "./Adapter.js";
export { call, cast } from "./Client.js";
export { EffectGenServer } from "./EffectGenServer.js";
export {
  AlreadyStarted,
  type CallFailure,
  CallingSelf,
  CallTimeout,
  fromCallError,
  fromStartError,
  NoConnection,
  NoProc,
  ServerExited,
  StartFailed,
  type StartFailure,
  StartIgnored,
} from "./Errors.js";
export { type AnyServer, type ServerArgsOf, start, startLink, startMonitor } from "./Start.js";
