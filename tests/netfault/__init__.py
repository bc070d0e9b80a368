"""Link-fault tests: nnpy peers in two network namespaces joined by a veth
pair, with packet loss (nftables), the link taken down, a bandwidth limit
(tc tbf) and a namespace deleted under a running stream. Needs root."""
