%% What Erlang's observer and etop ask a node they attach to, asked of a .NET node; every shape is matched.
%% (etop itself is in erlang-observer, which needs wx: not installed here; see the session notes for a run.)
-module(observer_check).
-export([run/1]).

run([N]) ->
    pong = net_adm:ping(N),
    {ok, _} = rpc:call(N, observer_backend, vsn, []),
    {module, observer_backend} = rpc:call(N, code, ensure_loaded, [observer_backend]),
    true = rpc:call(N, erlang, function_exported, [observer_backend, procs_info, 1]),

    %% The System tab.
    Sys = rpc:call(N, observer_backend, sys_info, []),
    Count = proplists:get_value(process_count, Sys),
    true = is_integer(Count) andalso Count > 3,
    true = is_integer(proplists:get_value(uptime, Sys)),
    true = is_integer(proplists:get_value(total, Sys)),
    true = is_integer(proplists:get_value(io_input, Sys)),

    %% The Processes tab: a collector spawned on the node sends etop records back.
    Backend = spawn_link(N, observer_backend, procs_info, [self()]),
    Procs = receive {procs_info, Backend, P} -> P after 5000 -> exit(no_procs_info) end,
    true = length(Procs) >= Count - 2,
    [{etop_proc_info, Echo, Mem, _, echo, _, {gen_server, loop, 1}, Queue}] =
        [I || {etop_proc_info, _, _, _, echo, _, _, _} = I <- Procs],
    N = node(Echo),
    true = is_integer(Mem) andalso Mem > 0 andalso is_integer(Queue),

    %% The process window, and reductions that move when the process works.
    [{registered_name, echo}, {message_queue_len, 0}, {reductions, R1}] =
        rpc:call(N, erlang, process_info, [Echo, [registered_name, message_queue_len, reductions]]),
    hi = gen_server:call({echo, N}, hi),
    {reductions, R2} = rpc:call(N, erlang, process_info, [Echo, reductions]),
    true = R2 > R1,
    8 = rpc:call(N, erlang, system_info, [wordsize]),

    %% etop's collector.
    E = spawn_link(N, observer_backend, etop_collect, [self()]),
    receive {E, {etop_info, {_, _, _}, NProcs, _, _, _, _, Memi, Infos}} ->
        NProcs = length(Infos),
        true = is_integer(proplists:get_value(total, Memi))
    after 5000 -> exit(no_etop_info)
    end,

    %% Applications, as the Applications tab lists them.
    [{demo, "observed"++_, "1.0"++_}] = rpc:call(N, application, which_applications, []),
    io:format("observer ok~n").
