# The Linux test guest (scripts/guest.sh) booted directly by QEMU, with the command line
# and CPU the VMM gives it (no ACPI, no local APIC): the baseline that a guest under Atoll
# is compared with, and a check that the guest itself is sound.
ARGS=(-cpu max,-apic,-x2apic -m 256M -kernel build/guest/bzImage -initrd build/guest/initramfs.cpio.gz
	-append "console=ttyS0 quiet acpi=off nolapic atoll.run=uname,-r atoll.reboot")
EXIT=0
TIMEOUT=120
EXPECT=('^atoll-guest: up$' '^atoll-guest: MemTotal: +[0-9]+ kB$' '^6\.1\.[0-9]+-[0-9]+-amd64$'
	'^atoll-guest: run done, status 0$' '^atoll-guest: reboot$')
REJECT=('Kernel panic')
