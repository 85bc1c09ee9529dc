# A VF's disk must be its own: QEMU's default namespace is shared and attached to every
# controller of the subsystem, the PF's (0) and both VFs' (1, 2), so what one VM wrote
# another would read. pcimgr (tests/systems/pcimgr.yaml) brings VF 1 online, finds its
# namespace 1 attached to all three, refuses and exits with status 22 before any VF is
# reported online; the root task counts the failure.
mkdir -p build/tests
truncate -s 1M build/tests/pcimgr-nvme-shared-ns.img
ARGS=(-cpu max -smp 2 -device intel-iommu,intremap=on
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive file=build/tests/pcimgr-nvme-shared-ns.img,if=none,id=nvm1,format=raw
	-device nvme-ns,drive=nvm1,nsid=1
	-kernel "$KERNEL" -initrd build/tests/systems/pcimgr.blob -append atoll.qemu_exit)
EXIT=35
EXPECT=('^pcimgr: nvme0: confirmed: secondary controller 1 \(VF 1, 01:00\.1\) online with 2 queue\(s\), 1 interrupt\(s\)$'
	"^pcimgr: nvme0: VF 1: namespace 1 is already attached to controller\\(s\\) 0 1 2: a VF's disk must be its own, so its namespace must start detached$"
	'^instance 0: component pcimgr exited with status 22$'
	'^instance 0: all 1 components finished, 1 failed$'
	'^atoll: CHECK FAILED: root tasks finished, not all passed$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' 'iommu: DMA fault'
	'timeout' 'VFs online' 'attached to secondary controller' 'told the root task')
