# VT-d is there but the NVMe PF is not (tests/systems/linux-nvme-vf-io.yaml on a machine without
# the NVMe device): instance 0 cannot give pcimgr its PF, so its own set-up fails before any
# driver runs. It must still fail both VMs' VFs, naming the missing PF, and tell their cores:
# each VMM stops with that reason instead of waiting for its VF forever, and the run ends
# (in about 15 s under TCG: the timeout only catches a hang).
ARGS=(-cpu max -smp 3 -m 1G -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-vf-io.blob -append atoll.qemu_exit)
TIMEOUT=90
EXIT=35
WHY_A='PF nvme0 of VF nvme0\.vf1 not found at 01:00\.0'
WHY_B='PF nvme0 of VF nvme0\.vf2 not found at 01:00\.0'
EXPECT=('^iommu: interrupt remapping on: '
	'^instance 0: spec: device nvme0 for pcimgr: not found$'
	'^instance 0: spec: instantiation failed: not found$'
	"^instance 0: VF nvme0\\.vf1 for vm guest-a failed: $WHY_A\$"
	"^instance 0: VF nvme0\\.vf2 for vm guest-b failed: $WHY_B\$"
	'^instance 0: vm guest-a: 1 VF\(s\) failed; core 1 signalled$'
	'^instance 0: vm guest-b: 1 VF\(s\) failed; core 2 signalled$'
	"^instance 1: vm guest-a: no VFs handed over: $WHY_A\$"
	"^instance 2: vm guest-b: no VFs handed over: $WHY_B\$"
	"^\\[guest-a\\] vm stopped: device not handed over: $WHY_A\$"
	"^\\[guest-b\\] vm stopped: device not handed over: $WHY_B\$"
	'^atoll: CHECK FAILED: root tasks finished, not all passed$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'IOSpace assigned' 'MSIs routed' 'given to guest'
	'atoll-guest' 'linux boot protocol' 'cannot be told')
