# The plain GRUB ISO (build/atoll.iso: GRUB loads systems/default.yaml's blob as a Multiboot2
# module) under SeaBIOS on make run's machine (make run-iso: VT-d and the NVMe SR-IOV PF):
# the same system as spec-default comes up through GRUB, both VMs given their VF and
# finding /dev/nvme0n1 through it. QEMU is stopped once that is on the console.
ARGS=(-cpu max -smp 4 -m 1G -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=64M,read-zeroes=on,if=none,id=nvm1
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive driver=null-co,size=64M,read-zeroes=on,if=none,id=nvm2
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-cdrom build/atoll.iso)
TIMEOUT=300
STOP_WHEN_SEEN=1
EXPECT=('booting \(Multiboot2\)' '^boot: multiboot2 \(GRUB'
	'^pcimgr: nvme0: 2 VFs online: 01:00\.1 01:00\.2$'
	'^instance 0: all 3 components finished, 0 failed$'
	'^\[guest-a\] atoll-guest: nvme: /dev/nvme0n1: 64 MiB$'
	'^\[guest-b\] atoll-guest: nvme: /dev/nvme0n1: 64 MiB$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' 'Kernel panic'
	'vm stopped' 'iommu: DMA fault' 'failed with status' 'no VFs handed over')
