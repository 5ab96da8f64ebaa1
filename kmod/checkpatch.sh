#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl over kmod/.  Debian's headers packages do
# not ship checkpatch.pl, so it is taken once from Debian's linux-source
# package (apt-get download + dpkg-deb, nothing installed) into the cache.
# Fails on any ERROR or WARNING.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${WQBENCH_CACHE:-$HOME/.cache/wqbench}/checkpatch
script=$cache/scripts/checkpatch.pl

if [ ! -f "$script" ]; then
	pkg=$(apt-cache search --names-only '^linux-source-6\.12$' | awk '{print $1}' | head -1)
	[ -n "$pkg" ] || { echo "checkpatch: linux-source-6.12 not in the apt lists (apt-get update?)" >&2; exit 1; }
	rm -rf "$cache.partial"
	mkdir -p "$cache.partial"
	(cd "$cache.partial" && apt-get download -q "$pkg" >/dev/null)
	deb=$(ls "$cache.partial"/linux-source-6.12_*.deb)
	# the deb holds usr/src/linux-source-6.12.tar.xz; take three files out of it
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards '*/linux-source-6.12.tar.xz' |
		tar -xJ -C "$cache.partial" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
	rm -f "$deb"
	rm -rf "$cache"
	mv "$cache.partial" "$cache"
fi

cd "$top"
shopt -s nullglob
files=(kmod/*.c kmod/*.h)
[ ${#files[@]} -gt 0 ] || { echo "checkpatch: no sources in kmod/" >&2; exit 1; }
rc=0
out=$(perl "$script" --no-tree --terse --show-types -f "${files[@]}" 2>&1) || rc=$?
echo "$out"
if [ "$rc" -ne 0 ] || echo "$out" | grep -qE ': (ERROR|WARNING):'; then
	echo "checkpatch: kmod/ is not clean" >&2
	exit 1
fi
echo "checkpatch: ${#files[@]} files in kmod/ clean"
