# The i440FX machine has no MCFG: the fallback is stated and the boot goes on.
MACHINE=pc
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^acpi: MCFG: none: no PCIe extended configuration space' '^acpi: DMAR: none' 'boot checks passed')
check() { instances_disjoint "$1" 2; }
