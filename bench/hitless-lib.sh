# shellcheck shell=bash
# Functions of bench/hitless.sh (sourced): one run = throw-away namespaces, agent, example service, DNS, load,
# one change, the figures in r_* variables, and everything removed again (also when the run fails).

if java -jar target/renumber.jar agent --help 2>/dev/null | grep -q -- '--hooks-dir'; then
  dns_mode="pre-started hook (agent --hooks-dir)"
  hooks=1 break_delay=0
else
  dns_mode="pre-started hook run by the bench once the new address is on s0 (this agent has no --hooks-dir;"
  dns_mode="$dns_mode the service keeps its old listener 2 s more to cover the lag)"
  hooks=0 break_delay=2000
fi

cleanup_run() {
  local pid
  for pid in ${pids:-}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids:-}; do wait "$pid" 2>/dev/null || true; done
  pids=""
  if [ -n "$server_netns" ]; then
    # The namespace is not ours: only what the run added goes (the client namespace takes the veth pair along).
    [ -n "${old_nonlocal:-}" ] && ip netns exec "$server_netns" sysctl -q -w "net.ipv4.ip_nonlocal_bind=$old_nonlocal"
    old_nonlocal=""
  else
    [ -n "${S:-}" ] && ip netns del "$S" 2>/dev/null || true
  fi
  [ -n "${C:-}" ] && { ip netns del "$C" 2>/dev/null || true; rm -rf "/etc/netns/$C"; }
  [ -n "${work:-}" ] && [ -z "${HITLESS_KEEP:-}" ] && rm -rf "$work"
  S="" C="" work=""
}
trap cleanup_run EXIT
trap 'exit 130' INT TERM

# Waits up to $2 seconds for file $1 to contain a line matching $3 (and, given a pid $4, while it runs).
await_line() {
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    grep -q -- "$3" "$1" 2>/dev/null && return 0
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
      echo "hitless.sh: the process writing $1 ended; it says:" >&2
      tail -20 "$1" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "hitless.sh: no '$3' in $1 after $2 s; it says:" >&2
  tail -20 "$1" >&2
  return 1
}

now() { date +%s.%N; }

# jolokia JSON: POSTs a request, prints the response.
jolokia() {
  curl -sS -u "$user:$password" -H 'Content-Type: application/json' -d "$1" "$jolokia_url"
}

# The "value" of a Jolokia response whose value is a string, a number or a boolean.
value_of() {
  sed -n 's/.*"value":"\{0,1\}\([^",}]*\)"\{0,1\}[,}].*/\1/p' <<<"$1"
}

setup_run() {
  local id
  id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  S="rn-bench-$id-s" C="rn-bench-$id-c" work=$(mktemp -d /tmp/renumber-hitless.XXXXXX) pids=""
  ip netns add "$C"
  ip -n "$C" link set lo up
  if [ -n "$server_netns" ]; then
    # An existing namespace (the sandbox): the clients come from another subnet over a veth pair of the run's own,
    # as from another node; the service's address and the new one stay the namespace's.
    S=$server_netns
    ip -n "$S" link add "rnb-$id" type veth peer name c0 netns "$C"
    ip -n "$S" addr add 10.78.0.1/24 dev "rnb-$id"
    ip -n "$S" link set "rnb-$id" up
    ip -n "$C" addr add 10.78.0.2/24 dev c0
    ip -n "$C" link set c0 up
    ip -n "$C" route add default via 10.78.0.1
    old_nonlocal=$(ip netns exec "$S" sysctl -n net.ipv4.ip_nonlocal_bind)
  else
    ip netns add "$S"
    ip -n "$S" link set lo up
    ip -n "$S" link add s0 type veth peer name c0 netns "$C"
    ip -n "$S" addr add "$A/24" dev s0
    ip -n "$C" addr add "$PEER/24" dev c0
    ip -n "$S" link set s0 up
    ip -n "$C" link set c0 up
  fi
  # The service may listen on the new address before it exists (see the hook below).
  ip netns exec "$S" sysctl -q -w net.ipv4.ip_nonlocal_bind=1

  # DNS for the client namespace: `ip netns exec` mounts /etc/netns/C/resolv.conf over /etc/resolv.conf.
  mkdir -p "/etc/netns/$C"
  echo "nameserver 127.0.0.1" >"/etc/netns/$C/resolv.conf"
  echo "$A $NAME" >"$work/hosts"
  ip netns exec "$C" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
    --addn-hosts="$work/hosts" --local-ttl=0 --listen-address=127.0.0.1 --bind-interfaces --port=53 \
    --user=root --pid-file="$work/dnsmasq.pid" >"$work/dnsmasq.log" 2>&1 &
  pids="$pids $!"

  mkdir -p "$work/hooks"
  # Before anything moves, the name answers the new address only. The service listens there already: it opened
  # its new connector during the change's warning (ip_nonlocal_bind), so it accepts from the instant the address
  # exists. Connections kept alive to the old address move when the service answers them `Connection: close`.
  cat >"$work/hooks/10-dns" <<EOF
#!/bin/sh
case "\$RENUMBER_EVENT" in
  pre-started) answer="\${RENUMBER_NEW_ADDRESS%/*}" ;;
  cancelled|failed) answer="\${RENUMBER_OLD_ADDRESS%/*}" ;;
  *) exit 0 ;;
esac
echo "\$answer $NAME" >"$work/hosts.new" && mv "$work/hosts.new" "$work/hosts"
echo "\$(date +%s.%N) \$RENUMBER_EVENT \$answer" >>"$work/dns.log"
kill -HUP "\$(cat "$work/dnsmasq.pid")"
EOF
  chmod 755 "$work/hooks/10-dns"

  printf 'host=127.0.0.1\nport=0\nagentContext=/jolokia\n' >"$work/jolokia.properties"
  local hook_args=()
  [ "$hooks" = 1 ] && hook_args=(--hooks-dir "$work/hooks")
  java -Xmx256m -jar target/renumber.jar agent --netns "$S" --state-dir "$work/state" --jmx-port 0 \
    --netns-jmx-port "$NETNS_JMX_PORT" --jolokia-config "$work/jolokia.properties" "${hook_args[@]}" \
    >"$work/agent.log" 2>&1 &
  pids="$pids $!"
  await_line "$work/agent.log" 90 "Jolokia:" $!
  jolokia_url=$(sed -n 's/^ *Jolokia: *//p' "$work/agent.log")
  app_jmx_url=$(sed -n 's/^ *JMX for applications inside [^:]*: *//p' "$work/agent.log")
  user=$(sed -n 's/^user=//p' "$work/state/credentials")
  password=$(sed -n 's/^password=//p' "$work/state/credentials")
  printf '%s\n' "$password" >"$work/password"
  chmod 600 "$work/password"

  ip netns exec "$S" java -Xmx128m -jar target/renumber-example-http.jar --server "${server:-jetty}" --bind "$A:$PORT" \
    --jmx-url "$app_jmx_url" --user "$user" --password-file "$work/password" --subscriber-id web --break-delay "$break_delay" \
    >"$work/example.log" 2>&1 &
  pids="$pids $!"
  await_line "$work/example.log" 90 "^READY" $!
  await_line "$work/dnsmasq.pid" 10 "[0-9]"
  ip netns exec "$C" curl -sSf -o /dev/null "http://$NAME:$PORT/"
}

# Without the agent's dispatcher, the bench runs the same hook itself, as soon as the new address is on s0.
hook() {
  RENUMBER_EVENT=$1 RENUMBER_OLD_ADDRESS="$A/24" RENUMBER_NEW_ADDRESS="$B/24" "$work/hooks/10-dns" "$IF" "$1"
}

set_setting() {
  jolokia "{\"type\":\"write\",\"mbean\":\"renumber:type=AddressChangeService\",\"attribute\":\"$1\",\"value\":true}" \
    >/dev/null
}

# hey's summary: status codes and errors by kind into r_* variables.
read_load() {
  r_non200=$(awk '/^Status code distribution/{s=1;next} /^Error distribution/{s=0} s && /\[[0-9]+\]/ {
      gsub(/[\[\]]/,"",$1); if ($1 != 200) n += $2 } END {print n+0}' "$1")
  local ok
  ok=$(awk '/^Status code distribution/{s=1;next} /^Error distribution/{s=0} s && /\[[0-9]+\]/ {n += $2}
      END {print n+0}' "$1")
  r_errors=$(awk '/^Error distribution/{e=1;next} e && /^ *\[[0-9]+\]/ {gsub(/[\[\]]/,"",$1); n += $1}
      END {print n+0}' "$1")
  r_requests=$(( ok + r_errors ))
  r_kinds=$(awk '/^Error distribution/{e=1;next} e && /^ *\[[0-9]+\]/ {
      c=$1; gsub(/[\[\]]/,"",c); k="other";
      if ($0 ~ /refused/) k="refused"; else if ($0 ~ /reset/) k="reset"; else if ($0 ~ /EOF/) k="eof";
      else if ($0 ~ /[Tt]imeout|deadline/) k="timeout"; else if ($0 ~ /unreachable|no route/) k="unreachable";
      n[k] += c } END {for (k in n) printf "%s%s:%d", (i++ ? "," : ""), k, n[k]}' "$1")
}

# p99 in ms of the probe's requests that started in [$2, $3) seconds.
p99() {
  awk -F, -v from="$2" -v to="$3" 'NR > 1 && $8 >= from && $8 < to {print $1 * 1000}' "$1" | sort -n \
    | awk '{v[NR]=$1} END {if (NR == 0) {print "-"; exit} i=int(NR*0.99); if (i < NR*0.99) i++; printf "%.1f", v[i]}'
}

one_run() {
  local variant=$1 url="http://$NAME:$PORT/" flags=() drain=30
  server=jetty
  [ "$variant" = jdk ] && server=jdk
  setup_run
  case "$variant" in
    nokeepalive) flags=(-disable-keepalive) ;;
    negative) url="http://$A:$PORT/" ;;
    guard) set_setting GuardNewConnections ;;
    post) flags=(-m POST -T text/plain -d "$(head -c 512 /dev/zero | tr '\0' x)") ;;
    stream) set_setting ForceCloseAtDeadline; drain=8 ;;
  esac
  local t0 t_change t_done id
  t0=$(now)
  echo "$t0 start" >"$work/times.log"
  { while [[ "$(ip -n "$S" -o addr show dev "$IF" 2>/dev/null)" == *" $A/"* ]]; do sleep 0.02; done
    echo "$(now) old-address-removed" >>"$work/times.log"; } &
  pids="$pids $!"
  if [ -n "${HITLESS_DEBUG:-}" ]; then
    { while :; do ip netns exec "$C" ss -Htn state syn-sent | sed "s/^/$(now) /" >>"$work/synsent.log"; sleep 0.2; done; } &
    pids="$pids $!"
  fi
  ip netns exec "$C" hey -z "${duration}s" -q "$rate" -c "$workers" "${flags[@]}" "$url" >"$work/load.txt" 2>&1 &
  local load=$!
  ip netns exec "$C" hey -z "${duration}s" -q "$rate" -c 2 "${flags[@]}" -o csv "$url" >"$work/probe.csv" 2>&1 &
  local probe=$!
  pids="$pids $load $probe"
  if [ "$variant" = stream ]; then
    ip netns exec "$C" curl -sS -o /dev/null -w 'stream:%{http_code}/%{size_download}B' \
      "http://$NAME:$PORT/stream?seconds=60" >"$work/stream.txt" 2>&1 &
    pids="$pids $!"
  fi
  sleep "$change_at"
  t_change=$(echo "$(now) - $t0" | bc)
  jolokia "{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\",
      \"operation\":\"scheduleChange\",\"arguments\":[\"$IF\",\"$A\",\"$B/24\",\"\",$drain,10]}" >"$work/change.json" &
  local request=$!
  if [ "$hooks" = 0 ]; then
    # pre-started: as soon as the new address is on the interface.
    local i
    for i in $(seq 1 3000); do
      [[ "$(ip -n "$S" -o addr show dev "$IF")" == *" $B/"* ]] && break
      sleep 0.01
    done
    hook pre-started
  fi
  wait "$request" || true
  id=$(value_of "$(cat "$work/change.json")")
  if [ -z "$id" ]; then
    echo "hitless.sh: the agent refused the change; agent log:" >&2
    tail -20 "$work/agent.log" >&2
    return 1
  fi
  value_of "$(jolokia "{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\",
      \"operation\":\"awaitChange\",\"arguments\":[\"$id\",120]}")" >/dev/null
  t_done=$(echo "$(now) - $t0" | bc)
  local change="renumber:type=AddressChange,id=$id"
  r_outcome=$(value_of "$(jolokia "{\"type\":\"read\",\"mbean\":\"$change\",\"attribute\":\"Outcome\"}")")
  r_left=$(value_of "$(jolokia "{\"type\":\"read\",\"mbean\":\"$change\",\"attribute\":\"RemainingConnections\"}")")
  wait "$load" "$probe" || true
  read_load "$work/load.txt"
  [ "$variant" = stream ] && { sleep 1; r_kinds="${r_kinds:+$r_kinds,}$(tr -d '\n' <"$work/stream.txt" | cut -c1-60)"; }
  local window_end
  window_end=$(echo "if ($t_done - $t_change < 2) $t_change + 2 else $t_done" | bc)
  r_p99_before=$(p99 "$work/probe.csv" 2 "$t_change")
  r_p99_during=$(p99 "$work/probe.csv" "$t_change" "$window_end")
  r_ratio=$(awk -v a="$r_p99_during" -v b="$r_p99_before" 'BEGIN {if (b+0 > 0 && a != "-") printf "%.2f", a/b; else print "-"}')
  if [ -n "${HITLESS_VERBOSE:-}" ]; then
    grep -E 'change|Jetty' "$work/example.log" >&2 || true
  fi
  cleanup_run
}
