#!/bin/sh
# Installs what ZVM needs on a fresh Debian bookworm machine, then unpacks the arm64 libraries.
# Idempotent and fast when everything is present: dpkg-query only, apt runs only if needed.
set -eu

cd "$(dirname "$0")/.."

# Host packages. Add new ones here; the Linux guest packages are fetched by their own script.
PACKAGES="
	make gcc
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu picolibc-aarch64-linux-gnu
	qemu-system-arm device-tree-compiler u-boot-qemu
	u-boot-tools mtools dosfstools
	libcmocka-dev libfdt-dev liblzo2-dev
	python3 python3-pytest python3-pexpect
	gdb-multiarch cpio clang-format
	clang-14 libclang-rt-14-dev
"
# Foreign architectures whose packages are downloaded (libfdt-dev:arm64 and friends).
ARCHES="arm64"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
else
	SUDO="sudo"
fi

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=""
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done

need_update=""
for a in $ARCHES; do
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		echo "setup: adding architecture $a"
		$SUDO dpkg --add-architecture "$a"
		need_update=1 # the new architecture needs fresh package lists
	fi
done

if [ -n "$missing" ] || [ -n "$need_update" ]; then
	echo "setup: apt-get update"
	$SUDO apt-get update
fi
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	# shellcheck disable=SC2086 # the list is meant to split into words
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
else
	echo "setup: all host packages present"
fi

scripts/fetch-deps.sh build/deps

# ---- make bench: Xen 4.17 as the benchmark's peer (`scripts/setup.sh --bench`) ---------------
# Only `make bench` asks for it. The package is unpacked into build/bench/xen (dpkg-deb -x), not
# installed: boot/xen-4.17-arm64 is all the benchmark needs. The .deb stays there as the cache.
install_bench_xen() {
	dir=build/bench/xen
	if [ -s "$dir/root/boot/xen-4.17-arm64" ]; then
		echo "setup: Xen 4.17 for make bench present"
		return 0
	fi
	mkdir -p "$dir"
	deb=$(find "$dir" -maxdepth 1 -name 'xen-hypervisor-4.17-arm64_*_arm64.deb' | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		tmp=$(mktemp -d)
		chmod 777 "$tmp" # apt drops privileges to _apt for downloads
		echo "setup: downloading xen-hypervisor-4.17-arm64"
		if ! (cd "$tmp" && apt-get download xen-hypervisor-4.17-arm64:arm64); then
			echo "setup: apt-get update"
			$SUDO apt-get update
			(cd "$tmp" && apt-get download xen-hypervisor-4.17-arm64:arm64)
		fi
		mv "$tmp"/xen-hypervisor-4.17-arm64_*_arm64.deb "$dir/"
		rm -rf "$tmp"
		deb=$(find "$dir" -maxdepth 1 -name 'xen-hypervisor-4.17-arm64_*_arm64.deb')
	fi
	rm -rf "$dir/root"
	dpkg-deb -x "$deb" "$dir/root"
	echo "setup: Xen 4.17 unpacked into $dir/root"
}

if [ "${1:-}" = "--bench" ]; then
	install_bench_xen
fi
# ---- end of make bench ---------------------------------------------------------------------------
