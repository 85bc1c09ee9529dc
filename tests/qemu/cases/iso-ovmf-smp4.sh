# GRUB Multiboot2 ISO under OVMF (UEFI), four cores.
ARGS=(-cpu max -smp 4 -bios "$OVMF" -cdrom "$TEST_ISO")
EXPECT=('booting \(Multiboot2\)' '^boot: firmware UEFI' '^acpi: RSDP at ' '^smp: 4 instance\(s\)'
	'boot checks passed')
TIMEOUT=240
check() { instances_disjoint "$1" 4 && all_pairs_notified "$1" 4; }
