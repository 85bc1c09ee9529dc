# What `make run` boots: systems/default.yaml through its compiled blob, on four cores with
# QEMU's memory and devices as make run gives them (QEMU_RUN and QEMU_NVME in the Makefile:
# VT-d and the NVMe SR-IOV PF at 01:00.0; its two namespaces are null devices here). The demo
# components finish their exchange, pcimgr on core 0 brings the PF's two VFs online, instance
# 0 hands each to its VM (IOSpace over that VM's RAM, MSIs routed to its core), each VMM
# reads its VF's CAP/VS through the BAR it was given and puts the VF on its guest's PCI bus,
# and the two Linux VMs (cores 2 and 3) boot, load Linux's nvme driver, find /dev/nvme0n1
# (64 MiB: namespace N, attached to VF N alone) and reach their shells, each console
# with its own prefix. The VMs never end, so QEMU is
# stopped once everything expected is on the console.
ARGS=(-cpu max -smp 4 -m 1G -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=64M,read-zeroes=on,if=none,id=nvm1
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive driver=null-co,size=64M,read-zeroes=on,if=none,id=nvm2
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-kernel "$KERNEL" -initrd build/systems/default.blob -append atoll.qemu_exit)
TIMEOUT=300
STOP_WHEN_SEEN=1
EXPECT=('^instance 0: component client started: '
	'^instance 0: component echo started: '
	'^instance 0: component pcimgr started: '
	'^instance 1: component listener started: '
	'^listener: greeting reads "greetings from client over greeting"$'
	'^instance 1: all 1 components finished, 0 failed$'
	'^pcimgr: nvme0: 2 VFs online: 01:00\.1 01:00\.2$'
	'^instance 0: VF nvme0\.vf1 \(01:00\.1\) for vm guest-a: IOSpace assigned, MSIs routed to vectors 0x[0-9a-f]+-0x[0-9a-f]+ of core 2$'
	'^instance 0: VF nvme0\.vf2 \(01:00\.2\) for vm guest-b: IOSpace assigned, MSIs routed to vectors 0x[0-9a-f]+-0x[0-9a-f]+ of core 3$'
	'^instance 0: 2 VM core\(s\) mapped their VFs; told them to start their VMs$'
	'^instance 2: vm guest-a: VF nvme0\.vf1 \(01:00\.1, VF 1 of 01:00\.0\) given to guest-a\.vmm: '
	'^instance 3: vm guest-b: VF nvme0\.vf2 \(01:00\.2, VF 2 of 01:00\.0\) given to guest-b\.vmm: '
	'^instance 2: component guest-a.vmm started: '
	'^instance 3: component guest-b.vmm started: '
	'^\[guest-a\] VF nvme0\.vf1: BAR0 16 KiB at guest 0xc0000000: CAP 0x[0-9a-f]{16}, VS 0x00010400$'
	'^\[guest-b\] VF nvme0\.vf2: BAR0 16 KiB at guest 0xc0000000: CAP 0x[0-9a-f]{16}, VS 0x00010400$'
	'^\[guest-a\] atoll-guest: MemTotal: +[0-9]+ kB$'
	'^\[guest-b\] atoll-guest: MemTotal: +[0-9]+ kB$'
	'^\[guest-a\] VF nvme0\.vf1: guest 00:01\.0, 1 MSI-X vector\(s\)$'
	'^\[guest-b\] VF nvme0\.vf2: guest 00:01\.0, 1 MSI-X vector\(s\)$'
	'^\[guest-a\] atoll-guest: nvme: /dev/nvme0n1: 64 MiB$'
	'^\[guest-b\] atoll-guest: nvme: /dev/nvme0n1: 64 MiB$'
	'^\[guest-a\] atoll-guest: shell$'
	'^\[guest-b\] atoll-guest: shell$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' ' [1-9][0-9]* usable$'
	'Kernel panic' 'Call Trace' 'vm stopped' 'iommu: DMA fault' 'failed with status'
	'no VFs handed over' 'atoll-guest: nvme: .*(failed|no /dev)' 'atoll-guest: run done, status [^0]')
