# QEMU scenario runner: boots the image, keeps the serial log in build/, judges it.
# A case file sets ARGS (QEMU arguments), EXPECT (regexes that must match a line),
# optionally REJECT (regexes that must not), EXIT (QEMU's exit status, default 33 =
# isa-debug-exit pass code), TIMEOUT (seconds), MACHINE, and a function check().
# STOP_WHEN_SEEN=1 is for systems that never end (VMs sitting at a shell): QEMU is
# stopped once every EXPECT line is in the log, and its exit status is not judged.
# INPUT is typed on the serial console (QEMU's stdin) once the log has a line matching each
# regex of the array INPUT_AFTER; without INPUT the console gets no input at all.

QEMU=${QEMU:-qemu-system-x86_64}
OVMF=/usr/share/ovmf/OVMF.fd
KERNEL=build/atoll.elf
TEST_ISO=build/atoll-test.iso

# QEMU's stdin: INPUT once the log has lines matching every INPUT_AFTER regex (waiting at
# most TIMEOUT seconds), else nothing; then end of file, which QEMU's serial takes as no
# more input.
type_input() {
	local log=$1 i re ready
	[[ -n $INPUT ]] || return 0
	for ((i = 0; i < TIMEOUT; i++)); do
		ready=1
		for re in "${INPUT_AFTER[@]}"; do
			grep -qE -- "$re" "$log" 2>/dev/null || { ready=0; break; }
		done
		if ((ready)); then
			printf '%s' "$INPUT"
			return 0
		fi
		sleep 1
	done
}

qemu_case() {
	local file=$1 name
	name=$(basename "$file" .sh)
	local log=build/tests/qemu/$name.log
	mkdir -p build/tests/qemu
	(
		ARGS=()
		EXPECT=()
		REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'ISOLATION BROKEN' 'root task fault')
		EXIT=33
		TIMEOUT=120
		MACHINE=q35
		INPUT=
		INPUT_AFTER=()
		unset -f check
		source "$file"
		# With more than one core, no root task may reprogram a BAR: QEMU 7.2's TCG loses
		# the other cores' MMIO while the memory map changes (docs/testing.md).
		[[ " ${ARGS[*]} " == *" -smp 1 "* ]] || REJECT+=('pci: BARs reprogrammed')
		local pidfile=build/tests/qemu/$name.pid rcfile=build/tests/qemu/$name.rc rc
		local errfile=build/tests/qemu/$name.stderr
		rm -f "$pidfile" "$rcfile" "$errfile"
		# QEMU's own messages (an IOMMU fault it logs, its exit on a signal) go to a file
		# of their own: written into the serial stream they could split a console line in
		# two. They are appended to the log when QEMU has ended, so REJECT sees them.
		(
			timeout -k 5 "$TIMEOUT" "$QEMU" -machine "$MACHINE" -m 512M -display none \
				-serial stdio -no-reboot -net none -pidfile "$pidfile" \
				-device isa-debug-exit,iobase=0xf4,iosize=4 "${ARGS[@]}" \
				< <(type_input "$log") 2>"$errfile" | stdbuf -oL tr -d '\r' >"$log"
			echo "${PIPESTATUS[0]}" >"$rcfile"
		) &
		local pipe=$! seen=0
		while ((${STOP_WHEN_SEEN:-0})) && kill -0 "$pipe" 2>/dev/null; do
			seen=1
			for re in "${EXPECT[@]}"; do
				grep -qE -- "$re" "$log" 2>/dev/null || { seen=0; break; }
			done
			if ((seen)) && [[ -s $pidfile ]]; then
				kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null
				break
			fi
			sleep 1
		done
		wait "$pipe"
		if [[ -s $errfile ]]; then
			echo "--- QEMU's standard error ---" >>"$log"
			cat "$errfile" >>"$log"
		fi
		rc=$(cat "$rcfile" 2>/dev/null || echo 1)
		((seen)) && rc=$EXIT	# stopped by us once everything expected was seen
		local why=()
		if ((rc == 124 || rc == 137)); then
			why+=("timed out after ${TIMEOUT}s")
		elif ((rc != EXIT)); then
			why+=("QEMU exit status $rc, expected $EXIT")
		fi
		local re
		for re in "${EXPECT[@]}"; do
			grep -qE -- "$re" "$log" || why+=("missing: $re")
		done
		for re in "${REJECT[@]}"; do
			grep -qE -- "$re" "$log" && why+=("unexpected: $(grep -m1 -E -- "$re" "$log")")
		done
		if declare -F check >/dev/null; then
			local out
			out=$(check "$log" 2>&1) || why+=("check: $out")
		fi
		if ((${#why[@]})); then
			echo "FAIL qemu/$name: log $log"
			printf '    %s\n' "${why[@]}"
			exit 1
		fi
		echo "PASS qemu/$name"
	)
}

# Every instance 0..n-1 came online, and their memory ranges are pairwise disjoint.
instances_disjoint() {
	local log=$1 n=$2 i line r lo hi
	local -a owner=() los=() his=()
	for ((i = 0; i < n; i++)); do
		line=$(grep -m1 -E "^instance $i online: " "$log") || {
			echo "instance $i never came online"
			return 1
		}
		for r in $(grep -oE '\[0x[0-9a-f]+-0x[0-9a-f]+\)' <<<"$line"); do
			lo=${r#[}
			lo=${lo%%-*}
			hi=${r#*-}
			hi=${hi%)}
			owner+=("$i")
			los+=($((lo)))
			his+=($((hi)))
		done
	done
	local a b
	for ((a = 0; a < ${#los[@]}; a++)); do
		((los[a] < his[a])) || { echo "empty range for instance ${owner[a]}"; return 1; }
		for ((b = a + 1; b < ${#los[@]}; b++)); do
			if ((owner[a] != owner[b] && los[a] < his[b] && los[b] < his[a])); then
				echo "instances ${owner[a]} and ${owner[b]} overlap"
				return 1
			fi
		done
	done
}

# Every instance was notified by every other one.
all_pairs_notified() {
	local log=$1 n=$2 i j list
	for ((i = 0; i < n; i++)); do
		list=
		for ((j = 0; j < n; j++)); do
			((i == j)) || list+=${list:+,}$j
		done
		((n == 1)) && list=none
		grep -qx "instance $i: notified by $list" "$log" || {
			echo "instance $i was not notified by exactly $list"
			return 1
		}
	done
}

# The boot's calibration line (docs/boot.md): QEMU's APIC timer runs at 1 GHz / 16 =
# 62500 kHz, so the measured rate must lie within the calibration's 1% tolerance of it,
# and the TSC rate must be plausible; under -icount shift=0 ($2 = icount) the TSC
# runs at 1 GHz as well.
lapic_calibrated() {
	local log=$1 mode=${2:-} line apic tsc
	line=$(grep -m1 -E '^lapic: timer runs at [0-9]+ kHz \(divide by 16\), TSC at [0-9]+ kHz \(median of [0-9]+ trials against the PIT' "$log") || {
		echo "no calibration line: $(grep -m1 '^lapic' "$log")"
		return 1
	}
	apic=$(sed -E 's/^lapic: timer runs at ([0-9]+) kHz.*/\1/' <<<"$line")
	tsc=$(sed -E 's/.*, TSC at ([0-9]+) kHz.*/\1/' <<<"$line")
	((apic >= 61875 && apic <= 63125)) || { echo "APIC timer calibrated at $apic kHz, QEMU's runs at 62500"; return 1; }
	((tsc >= 100000 && tsc <= 10000000)) || { echo "TSC calibrated at $tsc kHz, not 0.1-10 GHz"; return 1; }
	if [[ $mode == icount ]] && ((tsc < 990000 || tsc > 1010000)); then
		echo "TSC calibrated at $tsc kHz, -icount shift=0 runs it at 1000000"
		return 1
	fi
}
