%% one_for_one supervisor with one permanent maquis_bench_server child.
-module(maquis_bench_sup).
-behaviour(supervisor).
-export([init/1]).

%% Intensity high enough that the benchmark's own crash loop never trips it.
init(Notify) ->
    Flags = #{strategy => one_for_one, intensity => 1000000, period => 1},
    Child = #{id => worker,
              start => {maquis_bench_server, start_link, [Notify]},
              restart => permanent,
              shutdown => brutal_kill},
    {ok, {Flags, [Child]}}.
