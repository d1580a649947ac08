#!/bin/sh
# Installs what ZVM needs on a fresh Debian bookworm machine, then unpacks the arm64 libraries.
# Idempotent and fast when everything is present: dpkg-query only, apt runs only if needed.
set -eu

cd "$(dirname "$0")/.."

# Host packages. Add new ones here; the Linux guest packages are fetched by their own script.
PACKAGES="
	make gcc
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu picolibc-aarch64-linux-gnu
	qemu-system-arm device-tree-compiler
	libcmocka-dev libfdt-dev
	python3 python3-pytest python3-pexpect
	gdb-multiarch cpio clang-format
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
