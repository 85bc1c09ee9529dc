# A boot module is found, listed and kept out of every instance's memory.
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -initrd tests/qemu/data/module.bin -append atoll.qemu_exit)
EXPECT=('^module 0: \[0x[0-9a-f]+-0x[0-9a-f]+\)' 'boot checks passed')
check() {
	local r lo hi line
	instances_disjoint "$1" 2 || return 1
	r=$(grep -m1 -oE '^module 0: \[0x[0-9a-f]+-0x[0-9a-f]+\)' "$1" | grep -oE '0x[0-9a-f]+-0x[0-9a-f]+')
	lo=$((${r%-*})); hi=$((${r#*-}))
	((hi - lo == 12288)) || { echo "module size $((hi - lo)), expected 12288"; return 1; }
	for line in $(grep -E '^instance [0-9]+ online' "$1" | grep -oE '0x[0-9a-f]+-0x[0-9a-f]+'); do
		if (( ${line%-*} < hi && lo < ${line#*-} )); then echo "module overlaps $line"; return 1; fi
	done
}
