%% Two-state gen_statem for the gen-statem-events measure: each `flip` cast moves a -> b -> a;
%% every state enter call (re)sets a 60 s state timeout that never fires during a run.
-module(maquis_bench_statem).
-behaviour(gen_statem).
-export([start/0]).
-export([callback_mode/0, init/1, a/3, b/3]).

start() -> gen_statem:start(?MODULE, none, []).

callback_mode() -> [state_functions, state_enter].

init(none) -> {ok, a, 0}.

a(enter, _Old, _N) -> {keep_state_and_data, [{state_timeout, 60000, idle}]};
a(cast, flip, N) -> {next_state, b, N + 1};
a(EventType, Event, N) -> common(EventType, Event, N).

b(enter, _Old, _N) -> {keep_state_and_data, [{state_timeout, 60000, idle}]};
b(cast, flip, N) -> {next_state, a, N + 1};
b(EventType, Event, N) -> common(EventType, Event, N).

common({call, From}, count, N) -> {keep_state_and_data, [{reply, From, N}]};
common(state_timeout, idle, _N) -> {stop, idle_timeout}.
