#!/usr/bin/env bash
# Regenerates the JConsole screenshots of the README (docs/jconsole-*.png); not a CI test. Run as root from the
# project root after `mvn -q -DskipTests package`: it makes two throw-away namespaces joined by a veth pair
# (rn-shot-<random>-a with 10.9.0.1/24 on v0, and -b), starts the agent on the first with free ports, and drives
# JConsole under a virtual display (xvfb-run) with docs/jconsole/JConsoleShots.java (Swing, in JConsole's own JVM).
# Only those namespaces are touched; everything goes again when the script ends, also when it fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=target/renumber.jar
[ -f "$jar" ] || { echo "take-screenshots.sh: no $jar; run mvn -q -DskipTests package first" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "take-screenshots.sh: needs xvfb-run (apt-get install xvfb)" >&2; exit 1; }

id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
A="rn-shot-$id-a" B="rn-shot-$id-b" work=$(mktemp -d /tmp/renumber-shots.XXXXXX) agent=""
cleanup() {
  [ -n "$agent" ] && { kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; }
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" link add v0 type veth peer name v1 netns "$B"
ip -n "$A" addr add 10.9.0.1/24 dev v0
ip -n "$B" addr add 10.9.0.2/24 dev v1
ip -n "$A" link set v0 up
ip -n "$B" link set v1 up

printf 'host=127.0.0.1\nport=0\nagentContext=/jolokia\n' > "$work/jolokia.properties"
java -Xmx128m -jar "$jar" agent --netns "$A" --state-dir "$work/state" --jmx-port 0 \
  --jolokia-config "$work/jolokia.properties" --hooks-dir "$work/no-hooks" > "$work/agent.out" 2>&1 &
agent=$!
for _ in $(seq 1 300); do grep -q '^  Jolokia:' "$work/agent.out" && break; sleep 0.1; done
jmx=$(sed -n 's/^  JMX: *//p' "$work/agent.out")
jolokia=$(sed -n 's/^  Jolokia: *//p' "$work/agent.out")
[ -n "$jmx" ] && [ -n "$jolokia" ] || { echo "take-screenshots.sh: the agent did not start:" >&2; cat "$work/agent.out" >&2; exit 1; }
user=$(sed -n 's/^user=//p' "$work/state/credentials")
password=$(sed -n 's/^password=//p' "$work/state/credentials")

# The change shown in the notifications tab, run by the renumber command while JConsole listens.
change="java -jar $jar --url $jolokia --state-dir $work/state change v0 10.9.0.1 10.9.1.1/24 --drain-timeout 30"
xvfb-run -a -s '-screen 0 1400x1000x24' \
  java --add-modules jdk.jconsole --add-exports jdk.jconsole/sun.tools.jconsole=ALL-UNNAMED \
  docs/jconsole/JConsoleShots.java "$jmx" "$user" "$password" docs "$change"
