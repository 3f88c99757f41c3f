%% Distributed Erlang reference measures for the Maquis benchmarks: two VMs on 127.0.0.1.
%% Run (src/erlang.ts does it, with a private epmd on ERL_EPMD_PORT):
%%   erl -noshell +S 1:1 -name a@127.0.0.1 -setcookie C -pa DIR -run maquis_bench_dist main [Measure...]
%% This VM is node A; it starts node B with peer:start_link (also +S 1:1, same code path), runs the
%% measures with the driving processes on A and the serving ones on B, and stops B.
%% Each measure prints one JSON line: {"measure","unit","value","min","max"} (as maquis_bench).
-module(maquis_bench_dist).
-export([main/0, main/1]).
%% Spawned on node B.
-export([counter/3, echo/0, sink/1]).

-define(ROUNDS, 3).
-define(ROUND_TIMEOUT, 300000).
%% remote-send: the counter on B acks every ?SMALL_ACK (?BIG_ACK) messages, and the sender keeps at
%% most ?SMALL_CREDIT (?BIG_CREDIT) messages unacknowledged. The same window on the Maquis side.
-define(SMALL_N, 500000).
-define(SMALL_ACK, 1000).
-define(SMALL_CREDIT, 20000).
-define(BIG_N, 200000).
-define(BIG_ACK, 100).
-define(BIG_CREDIT, 2000).
-define(PING_N, 10000).
-define(CALL_N, 10000).
-define(CALL100_N, 100000).
%% channel-isolation: calls timed in each phase, bulk message size, bulk messages in flight.
-define(ISO_CALLS, 500).
-define(BULK_SIZE, 1048576).
-define(BULK_IN_FLIGHT, 2).

measures() ->
    [{["remote-send-small"], fun(B) -> remote_send(B, "remote-send-small", ?SMALL_N, none,
                                                   ?SMALL_ACK, ?SMALL_CREDIT) end},
     {["remote-send-1k"], fun(B) -> remote_send(B, "remote-send-1k", ?BIG_N,
                                                crypto:strong_rand_bytes(1024),
                                                ?BIG_ACK, ?BIG_CREDIT) end},
     {["remote-ping-pong-p50"], fun remote_ping_pong/1},
     {["remote-call-p50", "remote-call-p99"], fun remote_call/1},
     {["remote-call-100"], fun remote_call_100/1},
     {["channel-isolation-quiet-p50", "channel-isolation-busy-p50"], fun channel_isolation/1}].

main() -> main([]).

main(Args) ->
    Wanted = [to_list(A) || A <- Args],
    Known = lists:append([Names || {Names, _} <- measures()]),
    [emit_error(U, "unknown measure") || U <- Wanted -- ["all" | Known]],
    Selected = case Wanted =:= [] orelse lists:member("all", Wanted) of
                   true -> Known;
                   false -> Wanted
               end,
    Chosen = [{Names, Fun, Report} || {Names, Fun} <- measures(),
                                      Report <- [[N || N <- Names, lists:member(N, Selected)]],
                                      Report =/= []],
    case Chosen of
        [] -> ok;
        _ ->
            try start_peer() of
                {Peer, B} ->
                    [run(Fun, B, Report) || {_, Fun, Report} <- Chosen],
                    peer:stop(Peer)
            catch Class:Reason ->
                Msg = lists:flatten(io_lib:format("starting node b: ~p:~0p", [Class, Reason])),
                [emit_error(N, Msg) || {_, _, Report} <- Chosen, N <- Report]
            end
    end,
    halt(0).

%% Node B: a second VM on this host, with the same scheduler setting, cookie and code path. It is
%% linked to this VM over the distribution connection and halts when that connection goes.
start_peer() ->
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, B} = peer:start_link(#{name => b, host => "127.0.0.1", longnames => true,
                                      args => ["+S", "1:1", "-setcookie", atom_to_list(erlang:get_cookie()),
                                               "-pa", Dir]}),
    {module, ?MODULE} = erpc:call(B, code, ensure_loaded, [?MODULE]),
    {module, maquis_bench_server} = erpc:call(B, code, ensure_loaded, [maquis_bench_server]),
    {Peer, B}.

to_list(A) when is_atom(A) -> atom_to_list(A);
to_list(L) -> L.

%% One warm-up round, then ?ROUNDS timed rounds; median/min/max per name.
run(Fun, B, Report) ->
    try
        _ = one_round(Fun, B),
        Rounds = [one_round(Fun, B) || _ <- lists:seq(1, ?ROUNDS)],
        [emit(Name, Rounds) || Name <- Report]
    catch Class:Reason ->
        Msg = lists:flatten(io_lib:format("~p:~0p", [Class, Reason])),
        [emit_error(Name, Msg) || Name <- Report]
    end.

%% Each round runs in a fresh process on A (and fresh processes on B).
one_round(Fun, B) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit({result, Fun(B)}) end),
    receive
        {'DOWN', Ref, process, Pid, {result, R}} -> R;
        {'DOWN', Ref, process, Pid, Other} -> error({round_failed, Other})
    after ?ROUND_TIMEOUT ->
        exit(Pid, kill),
        error(round_timeout)
    end.

%% Values with two decimals: the latencies are tens of µs.
emit(Name, Rounds) ->
    Values = lists:sort([V || R <- Rounds, {N, _, V} <- R, N =:= Name]),
    [Unit | _] = [U || R <- Rounds, {N, U, _} <- R, N =:= Name],
    Median = lists:nth((length(Values) + 1) div 2, Values),
    io:format("{\"measure\":\"~s\",\"unit\":\"~s\",\"value\":~s,\"min\":~s,\"max\":~s}~n",
              [Name, Unit, num(Median), num(hd(Values)), num(lists:last(Values))]).

num(V) -> float_to_list(float(V), [{decimals, 2}]).

emit_error(Name, Msg) ->
    io:format("{\"measure\":\"~s\",\"error\":\"~s\"}~n", [Name, json_escape(Msg)]).

json_escape(S) ->
    lists:flatmap(fun($") -> "\\\"";
                     ($\\) -> "\\\\";
                     (C) when C < 32 -> " ";
                     (C) -> [C]
                  end, S).

now_us() -> erlang:monotonic_time(microsecond).
now_ns() -> erlang:monotonic_time(nanosecond).

rate(N, T0, T1) -> N * 1000000 / max(1, T1 - T0).

%% Nearest-rank percentile of a list of µs values (the Maquis side uses the same definition).
percentile(Sorted, Q) ->
    N = length(Sorted),
    lists:nth(max(1, min(N, ceil(Q * N))), Sorted).

%% --- remote-send: a sender on A, a counting process on B, windowed -----------

%% The counter acks every Every messages ({ack, Count}); the sender checks for acks after every
%% Every sends and waits when Credit messages are unacknowledged. Without the window an Erlang
%% sender is only held back by the distribution buffer (busy_dist_port at 1 MB), and a Maquis
%% sender not at all, so the receiver's mailbox (and on the Maquis side the outgoing queue) could
%% grow without bound; the window keeps both sides measuring throughput, not queue growth.
%% Timed from the first send until the ack of the last message arrives.
remote_send(B, Name, N, Payload, Every, Credit) ->
    Counter = spawn(B, ?MODULE, counter, [self(), N, Every]),
    T0 = now_us(),
    send_loop(Counter, Payload, 1, N, 0, Every, Credit),
    T1 = now_us(),
    [{Name, "msg/s", rate(N, T0, T1)}].

send_loop(_, _, I, N, Acked, _, _) when I > N -> wait_acked(N, Acked);
send_loop(C, P, I, N, Acked, Every, Credit) when I - 1 - Acked >= Credit ->
    receive {ack, A} -> send_loop(C, P, I, N, A, Every, Credit) end;
send_loop(C, P, I, N, Acked, Every, Credit) ->
    C ! msg(I, P),
    Acked1 = case I rem Every of
                 0 -> take_acks(Acked);
                 _ -> Acked
             end,
    send_loop(C, P, I + 1, N, Acked1, Every, Credit).

msg(I, none) -> {msg, I};
msg(I, Payload) -> {msg, I, Payload}.

%% The acks already here, without waiting.
take_acks(Acked) ->
    receive {ack, A} -> take_acks(A)
    after 0 -> Acked
    end.

wait_acked(N, N) -> ok;
wait_acked(N, _) -> receive {ack, A} -> wait_acked(N, A) end.

counter(From, N, Every) -> counter(From, N, Every, 0).

counter(_, N, _, N) -> ok;
counter(From, N, Every, C) ->
    receive
        Msg when element(1, Msg) =:= msg ->
            C1 = C + 1,
            case C1 rem Every =:= 0 orelse C1 =:= N of
                true -> From ! {ack, C1};
                false -> ok
            end,
            counter(From, N, Every, C1)
    end.

%% --- remote-ping-pong-p50: raw message round trips, A -> B -> A ----------------

%% The Erlang counterpart of the bare-ws ping-pong (ws-ping-pong-p50): no gen_server, no monitor.
remote_ping_pong(B) ->
    Echo = spawn(B, ?MODULE, echo, []),
    Us = lists:sort(ping(Echo, ?PING_N, [])),
    Echo ! stop,
    [{"remote-ping-pong-p50", "us", percentile(Us, 0.5)}].

ping(_, 0, Acc) -> Acc;
ping(Echo, K, Acc) ->
    T0 = now_ns(),
    Echo ! {ping, self()},
    receive pong -> ok end,
    ping(Echo, K - 1, [(now_ns() - T0) / 1000 | Acc]).

echo() ->
    receive
        {ping, From} -> From ! pong, echo();
        stop -> ok
    end.

%% --- remote-call: gen_server:call from A to a server on B ----------------------

%% One client, ?CALL_N sequential calls with the default 5 s timeout, each timed; p50 and p99.
remote_call(B) ->
    S = start_server(B),
    Us = lists:sort(call_times(S, ?CALL_N, [])),
    gen_server:cast(S, stop),
    [{"remote-call-p50", "us", percentile(Us, 0.5)},
     {"remote-call-p99", "us", percentile(Us, 0.99)}].

%% Started from an erpc process on B; gen_server:start (no link) outlives it.
start_server(B) ->
    {ok, S} = erpc:call(B, maquis_bench_server, start, []),
    S.

call_times(_, 0, Acc) -> Acc;
call_times(S, K, Acc) ->
    T0 = now_ns(),
    pong = gen_server:call(S, ping),
    call_times(S, K - 1, [(now_ns() - T0) / 1000 | Acc]).

%% 100 clients on A, ?CALL100_N calls in all; call/s from the first spawn to the last "called".
remote_call_100(B) ->
    Clients = 100,
    S = start_server(B),
    Self = self(),
    T0 = now_us(),
    Pids = [spawn_link(fun() -> call_loop(S, ?CALL100_N div Clients), Self ! {called, self()} end)
            || _ <- lists:seq(1, Clients)],
    [receive {called, P} -> ok end || P <- Pids],
    T1 = now_us(),
    gen_server:cast(S, stop),
    [{"remote-call-100", "call/s", rate(?CALL100_N, T0, T1)}].

call_loop(_, 0) -> ok;
call_loop(S, K) -> pong = gen_server:call(S, ping), call_loop(S, K - 1).

%% --- channel isolation: small calls while 1 MiB messages flow A -> B ----------

%% Erlang has one connection per node pair, so this shows head-of-line blocking: the call p50 with
%% no other traffic, then with a process on A sending 1 MiB binaries back to back to a sink on B
%% (?BULK_IN_FLIGHT unacknowledged at a time, so the connection is never idle). OTP 22+ fragments
%% large distribution messages, which lets the small ones in between fragments.
channel_isolation(B) ->
    S = start_server(B),
    Quiet = lists:sort(call_times(S, ?ISO_CALLS, [])),
    Self = self(),
    Bulk = spawn_link(fun() ->
                              Sink = spawn(B, ?MODULE, sink, [self()]),
                              bulk(Sink, crypto:strong_rand_bytes(?BULK_SIZE), Self)
                      end),
    receive {bulk_flowing, Bulk} -> ok end,
    Busy = lists:sort(call_times(S, ?ISO_CALLS, [])),
    Bulk ! {stop, self()},
    Transfers = receive {bulk_done, Bulk, T} -> T end,
    gen_server:cast(S, stop),
    Transfers > 0 orelse error(no_bulk_transfer),
    [{"channel-isolation-quiet-p50", "us", percentile(Quiet, 0.5)},
     {"channel-isolation-busy-p50", "us", percentile(Busy, 0.5)}].

bulk(Sink, Bin, Parent) ->
    [Sink ! {bulk, Bin} || _ <- lists:seq(1, ?BULK_IN_FLIGHT)],
    receive bulk_ack -> ok end,
    Parent ! {bulk_flowing, self()},
    bulk_loop(Sink, Bin, 1).

%% One more 1 MiB message per ack, until told to stop; then wait for the ones in flight.
bulk_loop(Sink, Bin, Done) ->
    Sink ! {bulk, Bin},
    receive
        bulk_ack -> bulk_loop(Sink, Bin, Done + 1);
        {stop, From} ->
            [receive bulk_ack -> ok end || _ <- lists:seq(1, ?BULK_IN_FLIGHT)],
            Sink ! stop,
            From ! {bulk_done, self(), Done}
    end.

sink(From) ->
    receive
        {bulk, _} -> From ! bulk_ack, sink(From);
        stop -> ok
    end.
