#!/bin/sh
# Unpacks the arm64 static libraries the bare-metal image links (libfdt, lzo) into DIR.
# Packages are downloaded and extracted, not installed: no multiarch install is needed.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi

# Each package and the file that proves it was unpacked.
DEPS="
	libfdt-dev:arm64=usr/lib/aarch64-linux-gnu/libfdt.a
	liblzo2-dev:arm64=usr/lib/aarch64-linux-gnu/liblzo2.a
"

mkdir -p "$1"
dir=$(cd "$1" && pwd)

pkgs=""
for d in $DEPS; do
	[ -e "$dir/${d#*=}" ] || pkgs="$pkgs ${d%%=*}"
done
[ -n "$pkgs" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
else
	SUDO="sudo"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt drops privileges to _apt for downloads: it must be able to write here.
chmod 777 "$tmp"
cd "$tmp"

download() {
	# shellcheck disable=SC2086 # the list is meant to split into words
	apt-get download $pkgs
}

echo "fetch-deps: downloading$pkgs"
if ! download; then
	# Usually a fresh machine: no arm64 architecture or no package lists yet.
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "fetch-deps: adding architecture arm64"
		$SUDO dpkg --add-architecture arm64
	fi
	echo "fetch-deps: apt-get update"
	$SUDO apt-get update
	download
fi

for deb in ./*.deb; do
	echo "fetch-deps: unpacking $(basename "$deb") into $1"
	dpkg-deb -x "$deb" "$dir"
done

for d in $DEPS; do
	if [ ! -e "$dir/${d#*=}" ]; then
		echo "fetch-deps: ${d#*=} missing after unpacking" >&2
		exit 1
	fi
done
