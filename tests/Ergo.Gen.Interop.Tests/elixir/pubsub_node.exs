# An Elixir node with a Phoenix.PubSub on its default adapter (PG2 over :pg), for the .NET node's PubSub tests.
# phoenix_pubsub cannot be installed here, so this script rebuilds what travels between nodes exactly as its
# published source does (phoenix_pubsub 2.1): the :pg scope Phoenix.PubSub; one worker per pool member,
# registered under its group name (the adapter name, then adapter name _2 .. _N) and joined to that group; a
# broadcast sends {:forward_to_local, topic, message, dispatcher} to the members of one group on other nodes, and
# a worker dispatches what it gets to its node's subscribers (a duplicate-key Registry) through the dispatcher
# module, Phoenix.PubSub's own by default. Test code drives it over rpc: PubSubNode.subscribe/2, broadcast/3, ...
#
# Usage: elixir --name N --cookie C pubsub_node.exs PUBSUB_NAME POOL_SIZE DOTNET_NODE
#        elixir --name N --cookie C pubsub_node.exs check DEMO_NODE   (the demo node's PubSub rows)

defmodule Phoenix.PubSub do
  # The default dispatcher: every subscriber but the sender gets the message as it is.
  def dispatch(entries, from, message) do
    for {pid, _} <- entries, pid != from, do: send(pid, message)
    :ok
  end

  def subscribe(pubsub, topic) when is_binary(topic) do
    {:ok, _} = Registry.register(pubsub, topic, nil)
    :ok
  end

  def broadcast(pubsub, topic, message, dispatcher \\ __MODULE__) do
    {adapter, name} = Registry.meta(pubsub, :pubsub) |> elem(1)
    :ok = adapter.broadcast(name, topic, message, dispatcher)
    local(pubsub, :none, topic, message, dispatcher)
  end

  def broadcast_from(pubsub, from, topic, message, dispatcher \\ __MODULE__) do
    {adapter, name} = Registry.meta(pubsub, :pubsub) |> elem(1)
    :ok = adapter.broadcast(name, topic, message, dispatcher)
    local(pubsub, from, topic, message, dispatcher)
  end

  def direct_broadcast(pubsub, node, topic, message, dispatcher \\ __MODULE__) do
    {adapter, name} = Registry.meta(pubsub, :pubsub) |> elem(1)
    adapter.direct_broadcast(name, node, topic, message, dispatcher)
  end

  def local_broadcast(pubsub, topic, message, dispatcher \\ __MODULE__),
    do: local(pubsub, :none, topic, message, dispatcher)

  defp local(pubsub, from, topic, message, dispatcher) do
    Registry.dispatch(pubsub, topic, {dispatcher, :dispatch, [from, message]})
    :ok
  end
end

defmodule Phoenix.PubSub.PG2 do
  def start(pubsub, adapter_name, pool_size) do
    groups = [adapter_name | for(n <- 2..pool_size//1, do: :"#{adapter_name}_#{n}")]
    :persistent_term.put(adapter_name, List.to_tuple(groups))
    for group <- groups, do: {:ok, _} = GenServer.start(Phoenix.PubSub.PG2Worker, {pubsub, group}, name: group)
    :ok
  end

  def broadcast(adapter_name, topic, message, dispatcher) do
    for pid <- :pg.get_members(Phoenix.PubSub, group(adapter_name)), node(pid) != node() do
      send(pid, {:forward_to_local, topic, message, dispatcher})
    end

    :ok
  end

  def direct_broadcast(adapter_name, node, topic, message, dispatcher) do
    send({group(adapter_name), node}, {:forward_to_local, topic, message, dispatcher})
    :ok
  end

  # The broadcasting process picks one group of the pool by its own pid.
  defp group(adapter_name) do
    groups = :persistent_term.get(adapter_name)
    elem(groups, :erlang.phash2(self(), tuple_size(groups)))
  end
end

defmodule Phoenix.PubSub.PG2Worker do
  use GenServer

  def init({pubsub, group}) do
    :ok = :pg.join(Phoenix.PubSub, group, self())
    {:ok, pubsub}
  end

  def handle_info({:forward_to_local, topic, message, dispatcher}, pubsub) do
    Phoenix.PubSub.local_broadcast(pubsub, topic, message, dispatcher)
    {:noreply, pubsub}
  end
end

defmodule PubSubNode do
  # A registered collector subscribes on request and keeps what it receives, oldest first.
  def start(pubsub) do
    pid = spawn(fn -> collect(pubsub, []) end)
    Process.register(pid, :pubsub_collector)
  end

  defp collect(pubsub, got) do
    receive do
      {:subscribe, topic, from} ->
        :ok = Phoenix.PubSub.subscribe(pubsub, topic)
        send(from, {:subscribed, :ok})
        collect(pubsub, got)

      {:broadcast_from, topic, message, from} ->
        send(from, {:sent, Phoenix.PubSub.broadcast_from(pubsub, self(), topic, message)})
        collect(pubsub, got)

      {:received, from} ->
        send(from, {:received, Enum.reverse(got)})
        collect(pubsub, got)

      message ->
        collect(pubsub, [message | got])
    end
  end

  defp ask(request) do
    send(:pubsub_collector, Tuple.append(request, self()))
    receive do: (reply -> elem(reply, 1)), after: (10_000 -> raise "collector silent")
  end

  def subscribe(topic), do: ask({:subscribe, topic})
  def received, do: ask({:received})
  def broadcast_from(topic, message), do: ask({:broadcast_from, topic, message})
  def broadcast(pubsub, topic, message), do: Phoenix.PubSub.broadcast(pubsub, topic, message)
  def direct_broadcast(pubsub, node, topic, message), do: Phoenix.PubSub.direct_broadcast(pubsub, node, topic, message)
end

defmodule DemoCheck do
  # The demo node's PubSub rows, as an Elixir user would try them; prints "pubsub ok" or raises.
  def run(demo, pubsub) do
    topic = "demo_topic"
    :ok = GenServer.call({:echo, demo}, {:pubsub_subscribe, pubsub, topic, self()})
    adapter = Module.concat(pubsub, "Adapter")
    wait(fn -> Enum.any?(:pg.get_members(Phoenix.PubSub, adapter), &(node(&1) == demo)) end, 250)
    :ok = Phoenix.PubSub.broadcast(pubsub, topic, {:hello, 1})
    receive do: ({:pubsub, ^topic, {:hello, 1}} -> :ok), after: (10_000 -> raise "no broadcast came back through the demo")
    :ok = Phoenix.PubSub.subscribe(pubsub, topic)
    :ok = GenServer.call({:echo, demo}, {:pubsub_broadcast, pubsub, topic, {:from_demo, 2}})
    receive do: ({:from_demo, 2} -> :ok), after: (10_000 -> raise "the demo's broadcast did not arrive")
    receive do: ({:pubsub, ^topic, {:from_demo, 2}} -> :ok), after: (10_000 -> raise "the demo's own subscriber missed it")
    IO.puts("pubsub ok")
  end

  defp wait(check, 0), do: check.() || raise("the demo never joined the PubSub")
  defp wait(check, n), do: check.() || (Process.sleep(20) && wait(check, n - 1))
end

start = fn name, pool_size ->
  pubsub = String.to_atom("Elixir." <> name)
  {:ok, _} = :pg.start(Phoenix.PubSub)
  {:ok, _} = Registry.start_link(keys: :duplicate, name: pubsub, meta: [pubsub: {Phoenix.PubSub.PG2, Module.concat(pubsub, "Adapter")}])
  :ok = Phoenix.PubSub.PG2.start(pubsub, Module.concat(pubsub, "Adapter"), pool_size)
  pubsub
end

case System.argv() do
  ["check", demo] ->
    demo = String.to_atom(demo)
    true = Node.connect(demo)
    DemoCheck.run(demo, start.("Demo.PubSub", 1))

  [name, pool_size, dotnet] ->
    pubsub = start.(name, String.to_integer(pool_size))
    PubSubNode.start(pubsub)
    IO.puts("ping #{Node.ping(String.to_atom(dotnet))}")
    IO.puts("pubsub ready")
    Process.sleep(:infinity)
end
