# The PCI manager (docs/pcimgr.md) on QEMU's NVMe SR-IOV PF behind a root port, under VT-d:
# the root task hands pcimgr the PF (narrowed PCI cap, IOSpace with its heap at IOVA = VA),
# and pcimgr enables two VFs and brings their secondary controllers online over the PF's
# admin queue, then confirms it from a fresh secondary controller list. Each VF N gets
# namespace N of the subsystem (both start detached), attached to its controller alone:
# Identify says so afterwards.
mkdir -p build/tests
truncate -s 1M build/tests/pcimgr-nvme.img
ARGS=(-cpu max -smp 2 -device intel-iommu,intremap=on
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive file=build/tests/pcimgr-nvme.img,if=none,id=nvm1,format=raw
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive driver=null-co,size=2M,if=none,id=nvm2
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/pcimgr.blob -append atoll.qemu_exit)
EXPECT=('^instance 0: device nvme0 \(01:00\.0, 3 functions\) given to pcimgr: PCI cap, IOSpace with [0-9]+ KiB of heap at IOVA = VA$'
	'^pcimgr: nvme0: PF 01:00\.0 1b36:0010 is an NVMe controller; SR-IOV at 0x120: TotalVFs 2, VF device 0010$'
	'^pcimgr: nvme0: NumVFs = 2: VF offset 1, stride 1, VFs 01:00\.1 01:00\.2$'
	'^pcimgr: nvme0: VF BAR0: 16 KiB per VF at 0x[0-9a-f]+$'
	'^pcimgr: nvme0: VF Enable and VF MSE set$'
	'^pcimgr: nvme0: admin queue up: CSTS\.RDY = 1 '
	'^pcimgr: nvme0: Identify controller: "QEMU NVMe Ctrl", serial "deadbeef", OACS 0x[0-9a-f]+$'
	'^pcimgr: nvme0: primary controller 0: 4 flexible queue resources \(at most 2 per VF\), 2 flexible interrupts \(at most 1 per VF\)$'
	'^pcimgr: nvme0: secondary controller list: 2 controllers$'
	'^pcimgr: nvme0: VF 1 \(01:00\.1\): secondary controller 1: 1 interrupt and 2 queues assigned, online$'
	'^pcimgr: nvme0: VF 2 \(01:00\.2\): secondary controller 2: 1 interrupt and 2 queues assigned, online$'
	'^pcimgr: nvme0: confirmed: secondary controller 1 \(VF 1, 01:00\.1\) online with 2 queue\(s\), 1 interrupt\(s\)$'
	'^pcimgr: nvme0: confirmed: secondary controller 2 \(VF 2, 01:00\.2\) online with 2 queue\(s\), 1 interrupt\(s\)$'
	'^pcimgr: nvme0: VF 1: namespace 1 \(1 MiB\) attached to secondary controller 1 and no other controller$'
	'^pcimgr: nvme0: VF 2: namespace 2 \(2 MiB\) attached to secondary controller 2 and no other controller$'
	'^pcimgr: nvme0: 2 VFs online: 01:00\.1 01:00\.2$'
	'^instance 0: component pcimgr exited with status 0$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' 'iommu: DMA fault'
	'timeout' 'failed with status')
