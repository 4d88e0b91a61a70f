#!/usr/bin/env bash
# The host half of "./run bench": boot the plain kernel with the bench job
# (tools/bench/bench.sh in the guest), keep its raw lines, and make the
# tables and the plot (tools/bench/report.py) in build/bench/.
# IPN_BENCH_QUICK=1: one short repetition of everything (CI), to prove
# that the benchmarks still run; its numbers mean nothing.
# IPN_BENCH_PROFILE=1: where the CPUs are in the cases whose targets are
# missed, IPN and its nearest peer, under perf: build/bench/profile.md.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

out="$IPN_TOP/build/bench"
mkdir -p "$out"
raw="$out/raw.txt"
console="$out/console.log"
"$IPN_TOP/tools/scripts/build.sh" >/dev/null || die "build failed"
log "running the benchmarks on the $IPN_FLAVOUR kernel${IPN_BENCH_QUICK:+ (quick mode)}${IPN_BENCH_PROFILE:+ (profile mode)}"
timeout --foreground -k 10 "${IPN_BENCH_TIMEOUT:-3600}" \
	"$IPN_TOP/tools/scripts/vm.sh" bench "$console" | tee "$raw" |
	grep --line-buffered -E '^(BENCH|#)' >&2 || true
grep -q '^BENCH-DONE' "$raw" || die "the benchmarks did not finish (see $raw and $console)"
if [ -n "${IPN_BENCH_PROFILE:-}" ]; then
	python3 "$IPN_TOP/tools/bench/profile.py" "$raw" "$(kernel_dir)" \
		"$IPN_TOP" >"$out/profile.md"
	log "wrote $out/profile.md"
	exit 0
fi
python3 "$IPN_TOP/tools/bench/report.py" "$raw" "$out" ${IPN_BENCH_QUICK:+--quick}
