#!/usr/bin/env bash
# Link-fault tests (tests/netfault): network namespaces, a veth pair,
# nftables packet drops and tc tbf. This stage installs the tools and
# proves the machine can do all of it, so a missing capability fails here
# with its reason; the tests themselves run in the final `pytest -q tests`
# (about 85 s), where CI makes a failure to set up fail instead of skip.
set -euo pipefail
timeout 600 apt-get install -y -qq iproute2 nftables >/dev/null

ns="nnpy-ci-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add nnpyci0 type veth peer name nnpyci1
ip -n "$ns" link set nnpyci0 up
ip -n "$ns" link set nnpyci1 up
ip netns exec "$ns" nft add table inet nnpyci
ip netns exec "$ns" nft add chain inet nnpyci in '{ type filter hook input priority 0; }'
ip netns exec "$ns" nft add rule inet nnpyci in numgen random mod 10 '<' 1 counter drop
ip netns exec "$ns" tc qdisc add dev nnpyci0 root tbf rate 1mbit burst 16kbit latency 100ms
echo "netfault: namespaces, veth, nftables numgen and tc tbf all work"
