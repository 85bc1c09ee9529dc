#!/usr/bin/env bash
# Installs the Debian packages Atoll needs to build, boot and test, if any are missing.
set -euo pipefail

# what-to-look-for  package
needs=(
	"cmd:gcc gcc"
	"cmd:make make"
	"cmd:ld binutils"
	"cmd:qemu-system-x86_64 qemu-system-x86"
	"cmd:grub-mkrescue grub-common"
	"dir:/usr/lib/grub/i386-pc grub-pc-bin"
	"dir:/usr/lib/grub/x86_64-efi grub-efi-amd64-bin"
	"cmd:xorriso xorriso"
	"cmd:mformat mtools"
	"file:/usr/share/ovmf/OVMF.fd ovmf"
	"file:/usr/include/cmocka.h libcmocka-dev"
	"file:/usr/include/yaml.h libyaml-dev"
	"cmd:clang clang"
	"glob:/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev"
	"cmd:timeout coreutils"
	"cmd:cpio cpio"
)

missing=()
for n in "${needs[@]}"; do
	what=${n%% *}
	pkg=${n#* }
	kind=${what%%:*}
	path=${what#*:}
	case $kind in
	cmd) command -v "$path" >/dev/null 2>&1 && continue ;;
	dir) [[ -d $path ]] && continue ;;
	file) [[ -f $path ]] && continue ;;
	glob) compgen -G "$path" >/dev/null && continue ;;
	esac
	missing+=("$pkg")
done

((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "atoll: missing packages. Run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "atoll: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q "${missing[@]}" >&2
