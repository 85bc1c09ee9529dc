/* 8254 PIT channel 2 as a boot-time delay source (one-shot, mode 0, gate via port 0x61). */
#include "arch/x86_64/io.h"
#include "arch/x86_64/lapic.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61
#define PORTB_GATE2 0x01
#define PORTB_SPEAKER 0x02
#define PORTB_OUT2 0x20

bool pit_delay_us(uint32_t us)
{
	while (us) {
		uint32_t chunk = us > 50000 ? 50000 : us;
		uint32_t count = (uint32_t)((uint64_t)chunk * PIT_HZ / 1000000u);
		if (count < 2)
			count = 2;
		uint8_t b = inb(PORT_B) & (uint8_t)~(PORTB_SPEAKER | PORTB_GATE2);
		outb(PORT_B, b);
		outb(PIT_CMD, 0xB0);	/* channel 2, lobyte/hibyte, mode 0 */
		outb(PIT_CH2, count & 0xFF);
		outb(PIT_CH2, (count >> 8) & 0xFF);
		outb(PORT_B, b | PORTB_GATE2);
		unsigned spins = 0;
		while (!(inb(PORT_B) & PORTB_OUT2))
			if (++spins > 50000000u)
				return false;
		us -= chunk;
	}
	return true;
}
