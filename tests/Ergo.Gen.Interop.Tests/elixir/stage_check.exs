# The GenStage checks of the demo node, from Elixir. GenStage itself is not installed here, so this script speaks
# its protocol with plain processes, message for message as gen_stage's own code does (GenStage.stream's helper
# process, tuple tag and cancel handshake; a consumer's split-batch asks). Prints "stage ok" or raises.
defmodule StageCheck do
  @timeout 10_000

  # GenStage.stream([{producer, max_demand: max}]) |> Enum.take(n)
  def stream_take(producer, max, n) do
    min = div(max, 2)
    caller = self()

    {helper, mon_ref} =
      spawn_monitor(fn ->
        receive do
          {:go, mon_ref} ->
            inner = Process.monitor(producer)
            from = {caller, {mon_ref, inner}}
            send(producer, {:"$gen_producer", from, {:subscribe, nil, [max_demand: max]}})
            send(producer, {:"$gen_producer", from, {:ask, max}})
            send(caller, {mon_ref, {:subscribed, inner}})

            receive do
              {:DOWN, ^inner, _, _, reason} -> send(caller, {mon_ref, {:DOWN, inner, reason}})
            end
        end
      end)

    send(helper, {:go, mon_ref})
    inner = receive do: ({^mon_ref, {:subscribed, inner}} -> inner), after: (@timeout -> raise "stream: helper silent")
    GenServer.cast(producer, {:"$demand", :forward})
    taken = stream_loop(producer, {mon_ref, inner}, max, min, max, n, [])

    # Halting: cancel with :normal, then wait for the producer's cancel (or its DOWN) as GenStage.stream does.
    send(producer, {:"$gen_producer", {caller, {mon_ref, inner}}, {:cancel, :normal}})
    await_cancel({mon_ref, inner})
    Process.demonitor(mon_ref, [:flush])
    Process.exit(helper, :kill)
    taken
  end

  defp stream_loop(_producer, _tag, _max, _min, _outstanding, n, acc) when length(acc) >= n,
    do: Enum.take(Enum.reverse(acc), n)

  defp stream_loop(producer, tag, max, min, outstanding, n, acc) do
    receive do
      {:"$gen_consumer", {_, ^tag}, events} when is_list(events) ->
        if length(events) > outstanding,
          do: raise("stream: #{length(events)} events but only #{outstanding} were asked for")

        {outstanding, acc} =
          events
          |> Enum.chunk_every(max - min)
          |> Enum.reduce({outstanding, acc}, fn batch, {out, acc} ->
            remaining = out - length(batch)

            out =
              if remaining <= min do
                send(producer, {:"$gen_producer", {self(), tag}, {:ask, max - remaining}})
                max
              else
                remaining
              end

            {out, Enum.reverse(batch, acc)}
          end)

        stream_loop(producer, tag, max, min, outstanding, n, acc)

      {:"$gen_consumer", {_, ^tag}, {:cancel, reason}} ->
        raise "stream: producer cancelled #{inspect(reason)}"
    after
      @timeout -> raise "stream: no events after #{length(acc)}"
    end
  end

  defp await_cancel({mon_ref, inner} = tag) do
    receive do
      {:"$gen_consumer", {_, ^tag}, {:cancel, _}} -> :ok
      {^mon_ref, {:DOWN, ^inner, _}} -> :ok
      {:"$gen_consumer", {_, ^tag}, events} when is_list(events) -> await_cancel(tag)
    after
      @timeout -> raise "stream: the producer never confirmed the cancel (Enum.take would hang)"
    end
  end

  # A GenStage producer written by hand: consecutive integers, never more than asked; reports what it sees.
  def producer(test) do
    spawn(fn -> producer_loop(test, 0, nil) end)
  end

  defp producer_loop(test, next, sub) do
    receive do
      {:"$gen_producer", {pid, _tag} = from, {:subscribe, nil, opts}} ->
        Process.monitor(pid)
        send(test, {:subscribed, opts})
        producer_loop(test, next, from)

      {:"$gen_producer", {_, tag}, {:ask, n}} ->
        send(test, {:asked, n})
        {pid, ^tag} = sub
        send(pid, {:"$gen_consumer", {self(), tag}, Enum.to_list(next..(next + n - 1))})
        producer_loop(test, next + n, sub)

      {:"$gen_producer", {pid, tag}, {:cancel, reason}} ->
        send(pid, {:"$gen_consumer", {self(), tag}, {:cancel, reason}})
        send(test, {:cancelled, reason})
        producer_loop(test, next, nil)

      {:DOWN, _, _, _, _} ->
        producer_loop(test, next, sub)
    end
  end

  def expect(what, fun) do
    receive do
      message -> if fun.(message), do: message, else: expect(what, fun)
    after
      @timeout -> raise "expected #{what}"
    end
  end

  def run(node) do
    true = Node.connect(node)
    numbers = {:numbers, node}

    # 1. GenStage.stream over a .NET producer: a fresh demo gives 0..499, in order.
    taken = stream_take(numbers, 50, 500)
    if taken != Enum.to_list(0..499), do: raise("stream gave #{inspect(Enum.take(taken, 10))}...")

    # 2. A .NET consumer (through echo) on the same .NET producer, named {numbers, Node}: consecutive numbers.
    {:ok, more} = GenServer.call({:echo, node}, {:stage_take, numbers, 20})
    [first | _] = more
    if more != Enum.to_list(first..(first + 19)), do: raise("stage_take from numbers gave #{inspect(more)}")

    # 3. A .NET consumer on an Elixir producer: subscribes with max_demand 10, takes 25, asks for no more than
    #    it may hold, and cancels with :normal.
    producer = producer(self())
    {:ok, events} = GenServer.call({:echo, node}, {:stage_take, producer, 25}, @timeout)
    if events != Enum.to_list(0..24), do: raise("stage_take from Elixir gave #{inspect(events)}")
    {:subscribed, opts} = expect("a subscribe", &match?({:subscribed, _}, &1))
    if opts[:max_demand] != 10, do: raise("subscribe options #{inspect(opts)}")
    {:asked, 10} = expect("the first ask", &match?({:asked, _}, &1))
    asked = 10 + drain_asks(0)
    if asked > 25 + 10, do: raise("the .NET consumer asked for #{asked} events to take 25")
    {:cancelled, :normal} = expect("the cancel", &match?({:cancelled, _}, &1))

    # 4. An ask on a subscription the producer does not know is answered with a cancel.
    tag = make_ref()
    send(numbers, {:"$gen_producer", {self(), tag}, {:ask, 5}})
    expect("unknown_subscription", &match?({:"$gen_consumer", {_, ^tag}, {:cancel, :unknown_subscription}}, &1))

    IO.puts("stage ok")
  end

  defp drain_asks(sum) do
    receive do
      {:asked, n} -> drain_asks(sum + n)
    after
      200 -> sum
    end
  end
end

[node] = System.argv()
StageCheck.run(String.to_atom(node))
