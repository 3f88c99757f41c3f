%% Minimal gen_server for the reference measures: replies, counts casts, crashes on demand.
-module(maquis_bench_server).
-behaviour(gen_server).
-export([start/0, start_link/1]).
-export([init/1, handle_call/3, handle_cast/2]).

start() -> gen_server:start(?MODULE, none, []).

%% Under the supervisor: tell Notify each time a (re)started child is up.
start_link(Notify) -> gen_server:start_link(?MODULE, {notify, Notify}, []).

init(none) -> {ok, 0};
init({notify, Notify}) -> Notify ! {started, self()}, {ok, 0}.

handle_call(ping, _From, N) -> {reply, pong, N};
handle_call(count, _From, N) -> {reply, N, N}.

handle_cast(inc, N) -> {noreply, N + 1};
handle_cast(stop, N) -> {stop, normal, N};
handle_cast(crash, N) -> {stop, crash, N}.
