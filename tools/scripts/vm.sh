#!/usr/bin/env bash
# Boot the test kernel with the initramfs.  Usage:
#   vm.sh JOB [CONSOLE_LOG]
# JOB is what guest-init runs: test, demo or shell.  With a CONSOLE_LOG the
# kernel console goes there and the job's output (second serial port) to
# stdout; without, both share the terminal (interactive).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

job=$1
log_file=${2:-}
kdir=$("$IPN_TOP/tools/scripts/build.sh")
initrd="$IPN_TOP/build/initramfs.cpio.gz"
"$IPN_TOP/tools/scripts/initramfs.sh" "$initrd"

accel=tcg
# /dev/kvm on some hosts only runs PVM guests, where a normal kernel hangs:
# use KVM only when a short probe boot proves that it works.
if [ -w /dev/kvm ] && [ "${IPN_KVM:-probe}" != no ]; then
	if timeout 20 qemu-system-x86_64 -accel kvm -m 256M -nographic -no-reboot \
		-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 ipn.job=probe quiet" 2>/dev/null |
		grep -q IPN-PROBE-OK; then
		accel=kvm
	fi
fi
log "booting the $IPN_FLAVOUR kernel ($accel)"

# acpi=noirq: evaluating the PCI routing table in ACPI takes the debug
# kernel over 30 s under TCG (AE_AML_LOOP_TIMEOUT) once there is a PCI
# device (the 9p share); the MP table routes interrupts as well.
append="console=ttyS0 panic=-1 oops=panic ipn.job=$job kasan.fault=report acpi=noirq"
# Test selection for the guest suite (names containing this string).
[ -n "${IPN_TEST_FILTER:-}" ] && append+=" ipn.filter=$IPN_TEST_FILTER"
# Size of the namespace tests' 100 MB TCP transfers, for quicker local runs.
[ -n "${IPN_TCP_MB:-}" ] && append+=" ipn.tcp_mb=$IPN_TCP_MB"
# The benchmarks' quick mode (CI).
[ -n "${IPN_BENCH_QUICK:-}" ] && append+=" ipn.bench=quick"
# The benchmarks' profile mode (tools/bench/profile.py).
[ -n "${IPN_BENCH_PROFILE:-}" ] && append+=" ipn.bench=profile"
# Messages of the stress tests (CI: 5000).
[ -n "${IPN_STRESS_MSGS:-}" ] && append+=" ipn.stress_msgs=$IPN_STRESS_MSGS"
# The fuzzer's budget and seed (make fuzz OPS=N SEED=S).
[ -n "${IPN_FUZZ_OPS:-}" ] && append+=" ipn.fuzz_ops=$IPN_FUZZ_OPS"
[ -n "${IPN_FUZZ_SEED:-}" ] && append+=" ipn.fuzz_seed=$IPN_FUZZ_SEED"
# Percent of its calls run with fail-nth armed (ipn_fuzz -f, default 20).
[ -n "${IPN_FUZZ_FAIL:-}" ] && append+=" ipn.fuzz_fail=$IPN_FUZZ_FAIL"
# No NIC: nothing the tests send can leave the VM.  The host's root
# filesystem is shared read-only over 9p: the VM tests run Debian's own
# QEMU, User-Mode Linux, VDE tools and iproute2 from it (guest-init chroots
# into it), and find the plug-in built in this checkout.
qargs=(-accel "$accel" -m 2G -smp 2 -no-reboot -nic none
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$initrd")
if [ -n "$log_file" ]; then
	exec qemu-system-x86_64 "${qargs[@]}" -append "$append" \
		-chardev file,id=con,path="$log_file" -serial chardev:con \
		-chardev stdio,id=out -serial chardev:out -monitor none -display none </dev/null
else
	exec qemu-system-x86_64 "${qargs[@]}" -nographic -append "$append quiet ipn.out=ttyS0"
fi
