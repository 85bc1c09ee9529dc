# No VT-d at all, with the PF there (tests/systems/linux-nvme-vf-io.yaml): without DMA and
# interrupt remapping a VF would reach all memory, so instance 0 hands none over and refuses
# pcimgr its PF; each VMM stops with a reason naming its VF and what is missing, and the
# run ends (in about 15 s under TCG: the timeout only catches a hang).
ARGS=(-cpu max -smp 3 -m 1G -machine q35
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=1M,read-zeroes=on,if=none,id=nvm1
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive driver=null-co,size=1M,read-zeroes=on,if=none,id=nvm2
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-vf-io.blob -append atoll.qemu_exit)
TIMEOUT=90
EXIT=35
WHY_A='VF nvme0\.vf1 of PF nvme0: no IOMMU \(ACPI DMAR\) to confine its DMA'
WHY_B='VF nvme0\.vf2 of PF nvme0: no IOMMU \(ACPI DMAR\) to confine its DMA'
EXPECT=('^iommu: none: device DMA is not fenced$'
	'^instance 0: spec: VFs for VMs need an IOMMU with interrupt remapping; none is handed over$'
	'^instance 0: spec: pcimgr owns PCI devices, but this instance has no IOMMU to confine their DMA$'
	'^instance 0: vm guest-a: 1 VF\(s\) failed; core 1 signalled$'
	'^instance 0: vm guest-b: 1 VF\(s\) failed; core 2 signalled$'
	"^instance 1: vm guest-a: no VFs handed over: $WHY_A\$"
	"^instance 2: vm guest-b: no VFs handed over: $WHY_B\$"
	"^\\[guest-a\\] vm stopped: device not handed over: $WHY_A\$"
	"^\\[guest-b\\] vm stopped: device not handed over: $WHY_B\$"
	'^atoll: CHECK FAILED: root tasks finished, not all passed$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'IOSpace assigned' 'MSIs routed' 'given to guest'
	'atoll-guest' 'linux boot protocol' 'cannot be told')
