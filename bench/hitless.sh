#!/usr/bin/env bash
# The hitless benchmark (as root): an HTTP service under load changes address; count what the clients saw.
#
#   server namespace  S: s0 10.66.0.1/24 (A) -> 10.66.0.7/24 (B); the agent manages S; the example service
#                        (target/renumber-example-http.jar) listens on A:8080 and moves with JettyRebinder
#   client namespace  C: c0 10.66.0.2/24; dnsmasq on 127.0.0.1:53 answers web.renumber.test from a hosts file
#                        (TTL 0); hey loads http://web.renumber.test:8080/ at a fixed rate
#
# At --change-at seconds the bench asks the agent (Jolokia) to change A -> B; a pre-started hook rewrites the
# hosts file and reloads dnsmasq (SIGHUP), so every connection opened from then on goes to B. Connections kept
# alive to A move when the service answers them with `Connection: close` (the drain hint).
#
# Two hey processes run side by side, both following the name: the load (its summary has the status codes and
# errors by kind) and a small probe (its CSV has each request's latency and start offset, for p99 before and
# during the change; hey's CSV has no row for a failed request, hence two).
#
#   bench/hitless.sh [--runs N] [--duration S] [--change-at S] [--variants LIST] [--rate QPS] [--workers C]
#                    [--netns NAME --interface IF --from ADDR --to ADDR]
#
# With --netns the server side is that existing namespace (`renumber demo` passes the sandbox, renumber-sandbox):
# the agent manages it, the service listens on --from (the address IF holds now) and moves to --to; the client
# namespace is linked to it by a veth pair of its own (10.78.0.0/24), removed again after the run, like everything
# else the run added. The namespace itself and its addresses stay (IF ends on --to).
#
# Variants: keepalive, nokeepalive, jdk (the acceptance runs: 0 failed requests expected; jdk is keepalive with the
# service on the JDK's own HTTP server and JdkHttpServerRebinder instead of Jetty); negative (hey against A's
# literal address: errors expected, proving the count can fail); guard (GuardNewConnections on); post (POST
# requests, which clients do not retry); stream (a 60 s streaming response open across the change, drain timeout
# 8 s, ForceCloseAtDeadline on: that response is cut at the deadline, by design).
# Prints one line per run and totals per variant; MISSED when an acceptance run had a failed request or did not
# end DRAINED.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=1 duration=40 change_at=10 rate=25 workers=8 variants="keepalive,nokeepalive,negative"
server_netns="" IF=s0 A=10.66.0.1 B=10.66.0.7
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --change-at) change_at=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --netns) server_netns=$2; shift 2 ;;
    --interface) IF=$2; shift 2 ;;
    --from) A=$2; shift 2 ;;
    --to) B=${2%/*}; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "hitless.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$duration" "$change_at" "$rate" "$workers"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "hitless.sh: '$n' is not a whole number" >&2; exit 2; }
done
[ "$change_at" -lt "$duration" ] || { echo "hitless.sh: --change-at must be less than --duration" >&2; exit 2; }
for a in "$A" "$B"; do
  [[ "$a" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || { echo "hitless.sh: '$a' is not an IPv4 address (--from, --to)" >&2; exit 2; }
done
if [ -n "$server_netns" ]; then
  [[ "$IF" =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || { echo "hitless.sh: --interface '$IF' is not an interface name" >&2; exit 2; }
  [ -e "/run/netns/$server_netns" ] || { echo "hitless.sh: --netns $server_netns: no such network namespace" >&2; exit 2; }
fi
[ "$(id -u)" = 0 ] || { echo "hitless.sh: run as root (it creates network namespaces)" >&2; exit 2; }
for tool in hey dnsmasq curl java ip; do
  command -v "$tool" >/dev/null || { echo "hitless.sh: '$tool' is missing (.ci/run installs it)" >&2; exit 2; }
done
for jar in target/renumber.jar target/renumber-example-http.jar; do
  [ -f "$jar" ] || { echo "hitless.sh: $jar is missing: mvn -DskipTests package" >&2; exit 2; }
done

NAME=web.renumber.test PEER=10.66.0.2 PORT=8080 NETNS_JMX_PORT=9875
here=$(pwd)
# shellcheck source=bench/hitless-lib.sh
. "$here/bench/hitless-lib.sh"

printf '%-12s %3s %7s %6s %7s  %-38s %-10s %4s %8s %8s %6s\n' variant run requests non200 errors "errors by kind" \
  outcome left p99pre p99chg ratio
declare -A tot_req tot_non200 tot_err tot_runs tot_drained
missed=0
for variant in ${variants//,/ }; do
  case "$variant" in keepalive|nokeepalive|jdk|negative|guard|post|stream) ;;
    *) echo "hitless.sh: unknown variant '$variant'" >&2; exit 2 ;; esac
  for run in $(seq 1 "$runs"); do
    one_run "$variant" "$run"
    tot_req[$variant]=$(( ${tot_req[$variant]:-0} + r_requests ))
    tot_non200[$variant]=$(( ${tot_non200[$variant]:-0} + r_non200 ))
    tot_err[$variant]=$(( ${tot_err[$variant]:-0} + r_errors ))
    tot_runs[$variant]=$(( ${tot_runs[$variant]:-0} + 1 ))
    [ "$r_outcome" = DRAINED ] && tot_drained[$variant]=$(( ${tot_drained[$variant]:-0} + 1 ))
    printf '%-12s %3s %7s %6s %7s  %-38s %-10s %4s %8s %8s %6s\n' "$variant" "$run" "$r_requests" "$r_non200" \
      "$r_errors" "${r_kinds:--}" "$r_outcome" "$r_left" "$r_p99_before" "$r_p99_during" "$r_ratio"
    if [[ "$variant" == keepalive || "$variant" == nokeepalive || "$variant" == jdk ]] \
        && { [ "$r_errors" != 0 ] || [ "$r_non200" != 0 ] || [ "$r_outcome" != DRAINED ]; }; then
      missed=1
    fi
  done
done
echo
printf '%-12s %5s %9s %7s %7s %8s\n' TOTALS runs requests non200 errors drained
for variant in ${variants//,/ }; do
  printf '%-12s %5s %9s %7s %7s %8s\n' "$variant" "${tot_runs[$variant]}" "${tot_req[$variant]}" \
    "${tot_non200[$variant]}" "${tot_err[$variant]}" "${tot_drained[$variant]:-0}"
done
echo "dns switch: $dns_mode"
if [ "$missed" = 1 ]; then
  echo "MISSED: an acceptance run (keepalive/nokeepalive/jdk) had a failed request or did not end DRAINED"
fi
