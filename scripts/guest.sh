#!/usr/bin/env bash
# Builds the Linux test guest in build/guest/: Debian 12's kernel (bzImage) and a busybox
# initramfs with our /init (tests/guest/init), /bin/nvme-rw (tests/guest/nvme-rw), /bin/nvme-smp,
# /bin/nvme-up, and /bin/nvme-read with /bin/dread (tests/guest/dread.c, built here static
# and without a C library) for make bench. Only Debian packages are downloaded; the result is cached, so a
# second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/guest
stamp=$out/.done-$(sha1sum tests/guest/init tests/guest/nvme-rw tests/guest/nvme-up tests/guest/nvme-read tests/guest/nvme-smp \
	tests/guest/dread.c scripts/guest.sh | sha1sum | cut -c1-12)
[[ -f $stamp && -f $out/bzImage && -f $out/initramfs.cpio.gz ]] && exit 0

for cmd in apt-get apt-cache dpkg cpio gzip; do
	command -v "$cmd" >/dev/null || { echo "guest.sh: $cmd missing (scripts/deps.sh)" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out/debs" "$out/x" "$out/root"

# linux-image-amd64 is a metapackage: the kernel is the linux-image-6.1.* it depends on.
kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -1)
[[ -n $kpkg ]] || { echo "guest.sh: no linux-image-6.1.*-amd64 in apt-cache (apt-get update?)" >&2; exit 1; }
(cd "$out/debs" && apt-get download -q "$kpkg" busybox-static 2>&1 >/dev/null | grep -v "unsandboxed as root" >&2 || true)
for deb in "$out"/debs/*.deb; do
	dpkg -x "$deb" "$out/x"
done
cp "$out"/x/boot/vmlinuz-* "$out/bzImage"
echo "$kpkg" >"$out/kernel-package"

# The initramfs: busybox, its applets as links and our /init. No device nodes (making them
# needs root): /init mounts devtmpfs and takes its console from there.
r=$out/root
mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,etc}
cp "$out/x/bin/busybox" "$r/bin/busybox"
for a in sh mount umount cat echo grep sed tr head ls dmesg poweroff reboot halt sleep uname \
	free mkdir setsid cttyhack; do
	ln -sf busybox "$r/bin/$a"
done
install -m 0755 tests/guest/init "$r/init"
install -m 0755 tests/guest/nvme-rw "$r/bin/nvme-rw"
install -m 0755 tests/guest/nvme-up "$r/bin/nvme-up"
install -m 0755 tests/guest/nvme-read "$r/bin/nvme-read"
install -m 0755 tests/guest/nvme-smp "$r/bin/nvme-smp"
gcc -static -nostdlib -ffreestanding -fno-builtin -O2 -Wall -Wextra -Werror -fno-pic -no-pie \
	-fno-stack-protector -o "$r/bin/dread" tests/guest/dread.c
# Debian builds the NVMe driver as modules: nvme-rw loads them, in this order (each needs the
# ones before it: nvme -> nvme-core -> t10-pi -> crc-t10dif, crc64-rocksoft -> ...).
mods="lib/crc64.ko lib/crc64-rocksoft.ko crypto/crct10dif_common.ko lib/crc-t10dif.ko block/t10-pi.ko
	drivers/nvme/host/nvme-core.ko drivers/nvme/host/nvme.ko"
mkdir -p "$r/lib/modules"
for m in $mods; do
	cp "$out"/x/lib/modules/*/kernel/"$m" "$r/lib/modules/"
	echo "${m##*/}" >>"$r/lib/modules/order"
done
(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/root.cpio"
gzip -9n <"$out/root.cpio" >"$out/initramfs.cpio.gz"
rm -rf "$out/x" "$out/root" "$out/root.cpio"
touch "$stamp"
echo "guest: $out/bzImage ($kpkg), $out/initramfs.cpio.gz"
