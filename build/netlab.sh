# Simulated hosts for the benchmarks, as tests/Ergo.Gen.Interop.Tests/NetLab.cs makes them for the tests: one
# network namespace per host (its own network stack, so its own port 4369 and EPMD), all on the bridge br0 in a
# switch namespace, host i at 198.51.100.(i+1)/24, and host names in /etc/netns/NAMESPACE/hosts ("NAME.lab NAME"),
# which `ip netns exec` mounts as /etc/hosts. The addresses exist only inside these namespaces. Needs root.
# Source it, call netlab_up, and make sure netlab_down runs (an EXIT trap): it ends every process inside and
# removes the namespaces and their /etc/netns directories.

# Interface names have at most 15 characters; the shell's process id keeps concurrent runs apart.
netlab_prefix="cb$(($$ % 100000))"
netlab_namespaces=()

# netlab_up HOST...: the hosts, in order (the first at 198.51.100.1).
netlab_up() {
  local sw="${netlab_prefix}sw" hosts=("$@") lines i ns
  netlab_add "$sw"
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  lines=$'127.0.0.1 localhost\n::1 localhost ip6-localhost'
  for i in "${!hosts[@]}"; do lines+=$'\n'"198.51.100.$((i + 1)) ${hosts[$i]}.lab ${hosts[$i]}"; done
  for i in "${!hosts[@]}"; do
    ns=$(netlab_ns "${hosts[$i]}")
    netlab_add "$ns"
    ip link add "${netlab_prefix}h$i" type veth peer name "${netlab_prefix}s$i"
    ip link set "${netlab_prefix}h$i" netns "$ns"
    ip link set "${netlab_prefix}s$i" netns "$sw"
    ip -n "$sw" link set "${netlab_prefix}s$i" master br0
    ip -n "$sw" link set "${netlab_prefix}s$i" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "198.51.100.$((i + 1))/24" dev "${netlab_prefix}h$i"
    ip -n "$ns" link set "${netlab_prefix}h$i" up
    mkdir -p "/etc/netns/$ns"
    printf '%s\n' "$lines" > "/etc/netns/$ns/hosts"
  done
}

netlab_ns() { echo "${netlab_prefix}$1"; }

netlab_add() {
  # Listed first, so that netlab_down removes it even when adding it half failed.
  netlab_namespaces+=("$1")
  ip netns add "$1"
}

# netlab_exec HOST COMMAND...: runs COMMAND on HOST.
netlab_exec() {
  local ns; ns=$(netlab_ns "$1"); shift
  ip netns exec "$ns" "$@"
}

# netlab_kill HOST...: ends every process on the hosts (nodes and the EPMD daemons erl started) and waits
# until they are gone.
netlab_kill() {
  local host ns pids=() pid children
  for host in "$@"; do
    ns=$(netlab_ns "$host")
    [ -e "/run/netns/$ns" ] || continue
    mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  kill -9 "${pids[@]}" 2>/dev/null || true
  children=" $(jobs -p | tr '\n' ' ') "
  for pid in "${pids[@]}"; do
    [[ "$children" != *" $pid "* ]] || wait "$pid" 2>/dev/null || true
    while netlab_running "$pid"; do sleep 0.05; done
  done
}

# netlab_running PID: whether the process runs (a child of this shell that ended stays a zombie until waited for,
# and kill -0 finds a zombie).
netlab_running() {
  [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

netlab_down() {
  local ns pids
  for ns in "${netlab_namespaces[@]}"; do
    if [ -e "/run/netns/$ns" ]; then
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
      ip netns delete "$ns" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$ns"
  done
  netlab_namespaces=()
}
