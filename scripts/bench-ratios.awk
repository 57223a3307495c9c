# bench-ratios.awk: reads `go test -bench` output and prints each benchmark's ns/op as a ratio
# to a *Baseline* benchmark of the same package measured in the same invocation (noisy machines
# still give comparable figures). A sub-benchmark "X/case" is compared with "Baseline…/case"
# when the package has one, else with the package's first Baseline benchmark.
function suffix(name) { return index(name, "/") ? substr(name, index(name, "/")) : "" }
/^pkg: / { pkg = $2; if (!(pkg in seen)) { seen[pkg] = 1; order[++np] = pkg }; next }
/^Benchmark/ && / ns\/op/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) if ($(i) == "ns/op") ns = $(i - 1)
	if (name ~ /Baseline/) {
		if (!((pkg, "first") in base)) base[pkg, "first"] = ns
		if (!((pkg, suffix(name)) in base)) base[pkg, suffix(name)] = ns
	}
	n = ++count[pkg]; names[pkg, n] = name; vals[pkg, n] = ns
	next
}
END {
	for (p = 1; p <= np; p++) {
		pkg = order[p]; print pkg
		for (i = 1; i <= count[pkg]; i++) {
			s = suffix(names[pkg, i]); b = 0
			if ((pkg, s) in base) b = base[pkg, s]; else if ((pkg, "first") in base) b = base[pkg, "first"]
			r = b > 0 ? sprintf("%8.2fx baseline", vals[pkg, i] / b) : "   (no baseline)"
			printf "  %-60s %14.0f ns/op %s\n", names[pkg, i], vals[pkg, i], r
		}
	}
}
