# bench-ratios.awk: reads `go test -bench` output and prints each benchmark's ns/op as a ratio
# to the first benchmark named *Baseline* in the same package (same invocation, same machine
# state), so noisy machines still give comparable figures.
/^pkg: / { pkg = $2; base = 0; n = 0; next }
/^Benchmark/ && / ns\/op/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) if ($(i) == "ns/op") ns = $(i - 1)
	if (name ~ /Baseline/ && base == 0) base = ns
	names[pkg, ++n] = name; vals[pkg, n] = ns; count[pkg] = n; bases[pkg] = base
	if (!(pkg in seen)) { seen[pkg] = 1; order[++np] = pkg }
	next
}
END {
	for (p = 1; p <= np; p++) {
		pkg = order[p]; print pkg
		for (i = 1; i <= count[pkg]; i++) {
			r = bases[pkg] > 0 ? sprintf("%8.2fx baseline", vals[pkg, i] / bases[pkg]) : "   (no baseline)"
			printf "  %-60s %14.0f ns/op %s\n", names[pkg, i], vals[pkg, i], r
		}
	}
}
