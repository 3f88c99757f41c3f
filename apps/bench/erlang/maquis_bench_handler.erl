%% gen_event handler for the gen-event-notify measure: counts the events it is notified of.
-module(maquis_bench_handler).
-behaviour(gen_event).
-export([init/1, handle_event/2, handle_call/2]).

init(N) -> {ok, N}.

handle_event(_Event, N) -> {ok, N + 1}.

handle_call(count, N) -> {ok, N, N}.
