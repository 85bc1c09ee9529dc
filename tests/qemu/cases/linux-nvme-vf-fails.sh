# A VF whose bring-up fails is handed to nobody (tests/systems/linux-nvme-vf-fails.yaml): pcimgr
# is asked for 3 VFs of a PF that offers 2 and exits (status 5); instance 0's root task marks the VMs'
# VFs failed with that reason, assigns no IOSpace and routes no MSI, and each VMM stops with
# the reason instead of starting its guest. The run therefore ends with failed root tasks.
ARGS=(-cpu max -smp 3 -m 1G -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=1M,read-zeroes=on,if=none,id=nvm1
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive driver=null-co,size=1M,read-zeroes=on,if=none,id=nvm2
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-vf-fails.blob -append atoll.qemu_exit)
EXIT=35
WHY='pcimgr, the driver of PF nvme0, exited with status 5 before its VFs were online'
EXPECT=('^pcimgr: nvme0: the description asks for 3 VFs, the PF offers 2 \(at most 32 here\)$'
	'^instance 0: component pcimgr exited with status 5$'
	'^instance 0: vm guest-a: 1 VF\(s\) failed; core 1 signalled$'
	'^instance 0: vm guest-b: 1 VF\(s\) failed; core 2 signalled$'
	"^instance 1: vm guest-a: no VFs handed over: $WHY\$"
	"^instance 2: vm guest-b: no VFs handed over: $WHY\$"
	"^\\[guest-a\\] vm stopped: device not handed over: $WHY\$"
	"^\\[guest-b\\] vm stopped: device not handed over: $WHY\$"
	'^atoll: CHECK FAILED: root tasks finished, not all passed$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'IOSpace assigned' 'MSIs routed' 'given to guest'
	'atoll-guest' 'linux boot protocol')
