#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the wqbench guest initramfs (built by harness/initramfs.c).
#
# It loads the virtio/9p modules listed in /modules.order, mounts the host's
# root read-only at /host and the run's result directory (share "wqbres")
# writable, then runs the command in /results/.guest-argv -- one argument per
# line, normally "<path>/build/wqbench run --host ..." -- chrooted into /host,
# so every host path means the same inside the guest.  The result share is
# bind-mounted at /run/wqbench/results inside the chroot.
#
# The host watches the console for the WQBENCH-GUEST markers below; keep them
# stable.  Nothing from the scenario is ever evaluated by this shell: argv
# lines are passed to chroot as separate words.

bb=/bin/busybox
say() { echo "WQBENCH-GUEST: $*"; }
# The end of the guest.  QEMU runs with -no-reboot (harness/vm.c), so a
# reboot ends it on any kernel; poweroff would need ACPI (a kernel without
# it answers "Power off not available: System halted instead" and QEMU runs
# on until the host's time limit kills it).
off() {
	$bb sync
	$bb reboot -f
	$bb poweroff -f
}
die() {
	say "boot-failed $*"
	off
	exit 1
}

$bb mount -t proc proc /proc || die "mount /proc"
$bb mount -t sysfs sys /sys || die "mount /sys"
$bb mount -t devtmpfs dev /dev || die "mount /dev"

# "?name": optional (loop, dm-crypt for fio layers): a failure is reported, not fatal
while IFS= read -r m; do
	[ -n "$m" ] || continue
	case $m in
	\?*) $bb insmod "/lib/modules/${m#?}.ko" 2>/dev/null || say "optional-module-failed ${m#?}" ;;
	*) $bb insmod "/lib/modules/$m.ko" || die "insmod $m" ;;
	esac
done < /modules.order

$bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 wqbres /results ||
	die "mount of the result share failed"
$bb mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose \
	hostroot /host || die "mount of the host root failed"

# host paths under /tmp and /run that the run needs (a checkout in /tmp, a
# scenario file): held here before the guest's own tmpfs covers them
n=0
if [ -r /results/.guest-keep ]; then
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		n=$((n + 1))
		if [ -d "/host$p" ]; then
			$bb mkdir -p "/keep/$n"
		else
			$bb mkdir -p /keep
			$bb touch "/keep/$n"
		fi
		$bb mount --bind "/host$p" "/keep/$n" || die "bind $p"
	done < /results/.guest-keep
fi

$bb mount -t proc proc /host/proc || die "mount /host/proc"
$bb mount -t sysfs sys /host/sys || die "mount /host/sys"
$bb mount -t devtmpfs dev /host/dev || die "mount /host/dev"
$bb mkdir -p /host/dev/shm /host/dev/pts
$bb mount -t tmpfs -o mode=1777 shm /host/dev/shm
$bb mount -t devpts devpts /host/dev/pts
$bb mount -t tmpfs -o mode=1777 tmp /host/tmp || die "mount /host/tmp"
$bb mount -t tmpfs -o mode=755 run /host/run || die "mount /host/run"
n=0
if [ -r /results/.guest-keep ]; then
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		n=$((n + 1))
		if [ -d "/keep/$n" ]; then
			$bb mkdir -p "/host$p"
		else
			$bb mkdir -p "$($bb dirname "/host$p")"
			$bb touch "/host$p"
		fi
		$bb mount --bind "/keep/$n" "/host$p" || die "rebind $p"
	done < /results/.guest-keep
fi
$bb mount -t tracefs tracefs /host/sys/kernel/tracing || die "mount tracefs"
$bb mount -t debugfs debugfs /host/sys/kernel/debug || die "mount debugfs"
$bb mkdir -p /host/run/wqbench/results
$bb mount --bind /results /host/run/wqbench/results || die "bind the result share"

[ -r /results/.guest-argv ] || die "no /results/.guest-argv"
set --
while IFS= read -r a; do
	set -- "$@" "$a"
done < /results/.guest-argv
[ $# -gt 0 ] || die "empty .guest-argv"

# WQB_GUEST_PATH in harness/vm.h: the host asks the tools' versions on it
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8 WQBENCH_IN_GUEST=1

say "harness-start"
$bb chroot /host "$@"
rc=$?
say "harness-exit $rc"
$bb sync
$bb umount /host/run/wqbench/results 2>/dev/null
$bb umount /results 2>/dev/null
off
