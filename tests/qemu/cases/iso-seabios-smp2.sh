# GRUB Multiboot2 ISO under SeaBIOS.
ARGS=(-cpu max -smp 2 -cdrom "$TEST_ISO")
EXPECT=('booting \(Multiboot2\)' '^boot: multiboot2 \(GRUB' '^boot: firmware BIOS' 'boot checks passed')
check() { instances_disjoint "$1" 2 && all_pairs_notified "$1" 2; }
