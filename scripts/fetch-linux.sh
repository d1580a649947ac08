#!/bin/bash
# Builds the Linux guest from Debian bookworm's arm64 packages, into OUTDIR:
#   Image               Debian's vmlinuz, which is already an uncompressed arm64 Image
#   initramfs.cpio.gz   busybox, the virtio and power-key modules and an /init that prints
#                       ZVM-LINUX-INIT-OK, powers off on the power key (`zvm shutdown`) and
#                       keeps a shell ("~ # ") on the console
#                       guests/linux/zvm-shm as /usr/bin/zvm-shm (shared memory with other VMs)
# The .debs stay in OUTDIR/debs, so a rebuild never downloads again. Does nothing when both
# outputs are newer than this script (which holds /init) and zvm-shm.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi

self=$(realpath "$0")
zvm_shm=$(dirname "$self")/../guests/linux/zvm-shm
mkdir -p "$1/debs"
out=$(cd "$1" && pwd)
debs=$out/debs

if [[ -s $out/Image && $out/Image -nt $self &&
	-s $out/initramfs.cpio.gz && $out/initramfs.cpio.gz -nt $self &&
	$out/initramfs.cpio.gz -nt $zvm_shm ]]; then
	exit 0
fi

# Modules in load order: virtio_net needs net_failover, which needs failover. evdev and
# gpio_keys: the power key on the VM's PL061 (CONFIG_GPIO_PL061 is built in).
MODULES="failover net_failover virtio_mmio virtio_blk virtio_console virtio_net evdev gpio_keys"

if [[ $(id -u) -eq 0 ]]; then
	SUDO=()
else
	SUDO=(sudo)
fi

# The newest cached .deb matching a glob, or nothing.
cached() {
	find "$debs" -maxdepth 1 -name "$1" | sort -V | tail -n 1
}

# linux-image-arm64 is a metapackage: its dependency names the current kernel.
kernel_package() {
	apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

download() {
	local tmp kpkg
	tmp=$(mktemp -d)
	# apt drops privileges to _apt for downloads: it must be able to write here.
	chmod 777 "$tmp"
	kpkg=""
	if [[ -z $(cached 'linux-image-*_arm64.deb') ]]; then
		kpkg=$(kernel_package)
		if [[ -z $kpkg ]]; then
			# Usually a fresh machine: no arm64 architecture or no package lists yet.
			if ! dpkg --print-foreign-architectures | grep -qx arm64; then
				echo "fetch-linux: adding architecture arm64"
				"${SUDO[@]}" dpkg --add-architecture arm64
			fi
			echo "fetch-linux: apt-get update"
			"${SUDO[@]}" apt-get update
			kpkg=$(kernel_package)
		fi
		if [[ -z $kpkg ]]; then
			echo "fetch-linux: cannot find the package linux-image-arm64 depends on" >&2
			exit 1
		fi
	fi
	local pkgs=()
	[[ -n $kpkg ]] && pkgs+=("$kpkg")
	[[ -n $(cached 'busybox-static_*_arm64.deb') ]] || pkgs+=(busybox-static:arm64)
	if [[ ${#pkgs[@]} -gt 0 ]]; then
		echo "fetch-linux: downloading ${pkgs[*]}"
		(cd "$tmp" && apt-get download "${pkgs[@]}")
		mv "$tmp"/*.deb "$debs/"
	fi
	rm -rf "$tmp"
}

download
kdeb=$(cached 'linux-image-*_arm64.deb')
bdeb=$(cached 'busybox-static_*_arm64.deb')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Only the kernel and the few modules: the whole package is hundreds of MB unpacked.
echo "fetch-linux: unpacking $(basename "$kdeb")"
patterns=('./boot/vmlinuz-*')
for m in $MODULES; do
	patterns+=("*/$m.ko*")
done
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work" --wildcards "${patterns[@]}"
dpkg-deb -x "$bdeb" "$work/busybox"

vmlinuz=$(find "$work/boot" -name 'vmlinuz-*' | head -n 1)
# An arm64 Image has "ARM\x64" at offset 56; anything else (e.g. a compressed vmlinuz) is unusable.
if [[ $(od -An -c -j 56 -N 4 "$vmlinuz" | tr -d ' ') != 'ARMd' ]]; then
	echo "fetch-linux: $vmlinuz is not an arm64 Image" >&2
	exit 1
fi

# The root file system. Busybox links its applets at boot (it cannot run on this host).
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,etc,proc,sys,tmp,root,lib/modules}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$zvm_shm" "$root/usr/bin/zvm-shm"
for m in $MODULES; do
	ko=$(find "$work/lib/modules" -name "$m.ko*" | head -n 1)
	case $ko in
	"") echo "fetch-linux: warning: module $m not in the package" >&2 ;;
	*.ko) cp "$ko" "$root/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$ko" >"$root/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$ko" >"$root/lib/modules/$m.ko" ;;
	*) echo "fetch-linux: warning: cannot unpack $ko" >&2 ;;
	esac
done

cat >"$root/init" <<'EOF'
#!/bin/sh
# The Linux guest's first process. Nothing here may fail hard: PID 1 exiting panics the kernel.
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Without a /dev/console in the archive the kernel may have started us with no stdio at all.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
for m in failover net_failover virtio_mmio virtio_blk virtio_console virtio_net evdev gpio_keys; do
	[ -f /lib/modules/$m.ko ] && { insmod /lib/modules/$m.ko || echo "init: insmod $m failed"; }
done
# The power key (a gpio-keys device, as on QEMU virt): its first event is the press; power
# off as a desktop's acpid would. One input_event is 24 bytes on arm64.
for e in /sys/class/input/event*; do
	[ "$(cat "$e/device/name" 2>/dev/null)" = gpio-keys ] || continue
	(
		dd if="/dev/input/${e##*/}" bs=24 count=1 >/dev/null 2>&1 &&
			{ echo "init: power key pressed, powering off"; sync; poweroff -f; }
	) &
	echo "init: power key is /dev/input/${e##*/}"
done
echo ZVM-LINUX-INIT-OK
export HOME=/root PS1='\w # '
cd /root
# cttyhack gives the shell the console as controlling tty (job control, ^C); PID 1 stays here.
while true; do
	setsid cttyhack sh
	echo "init: shell exited, starting another"
done
EOF
chmod 755 "$root/init"
# The shell finds the home directory it shows as "~" in the prompt through passwd.
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

# Fixed times and owners: the same packages always give the same archive.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	gzip -9n >"$work/initramfs.cpio.gz"

cp "$vmlinuz" "$out/Image.tmp"
mv "$out/Image.tmp" "$out/Image"
mv "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
echo "fetch-linux: $out/Image ($(basename "$vmlinuz")), $out/initramfs.cpio.gz"
