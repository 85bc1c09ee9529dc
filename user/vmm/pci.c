/*
 * The guest's PCI bus 0 (pure logic, host-tested): configuration mechanism #1,
 * the host bridge, and the configuration space and MSI-X table of each
 * passed-through function, emulated from the real one. The VMM (vf.c) carries
 * what changes over to the real device.
 */
#include "pci.h"

#include <string.h>

#define ADDR_BUS(a) (((a) >> 16) & 0xFFu)
#define ADDR_DEV(a) (((a) >> 11) & 0x1Fu)
#define ADDR_FN(a) (((a) >> 8) & 0x7u)
#define ADDR_REG(a) ((a) & 0xFCu)
/* Only the enable bit, bus, device, function and register bits latch; the rest reads 0. */
#define ADDR_LATCHED 0x80FFFFFCu

#define REVISION 0x08
#define CLASS 0x09		/* programming interface, subclass, base class */
#define CACHE_LINE 0x0C
#define SUBSYSTEM 0x2C
#define INT_LINE 0x3C
#define INT_PIN 0x3D
#define CAP_AT 0x40		/* where the emulated capability list starts */

#define BAR_64 0x4u
#define BAR_PREFETCH 0x8u
#define COMMAND_INTX_OFF (1u << 10)

#define MSIX_CTRL 2		/* capability offsets (PCI 3.0 6.8.2) */
#define MSIX_TABLE 4
#define MSIX_PBA 8
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)
#define MSIX_ENTRY 16
#define MSIX_VC_MASK 1u

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void wr16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *b, uint32_t v)
{
	wr16(b, (uint16_t)v);
	wr16(b + 2, (uint16_t)(v >> 16));
}

static void set_wmask32(uint8_t *m, uint32_t v)
{
	wr32(m, v);
}

void vpci_init(struct vpci *p)
{
	memset(p, 0, sizeof(*p));
	struct vpci_func *h = &p->dev[0];
	h->present = true;
	wr16(h->cfg + PCI_VENDOR, VPCI_HOST_VENDOR);
	wr16(h->cfg + PCI_VENDOR + 2, VPCI_HOST_DEVICE);
	h->cfg[REVISION] = 0x02;
	h->cfg[CLASS + 1] = 0x00;	/* subclass 00: host bridge */
	h->cfg[CLASS + 2] = 0x06;	/* base class 06: bridge */
	/* Memory and bus-master enable are kept but change nothing: there is nothing behind them. */
	h->wmask[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static err_t check_bars(const struct vpci_passthrough *pt)
{
	for (unsigned i = 0; i < VPCI_BARS; i++) {
		const struct vpci_bar_desc *b = &pt->bar[i];
		if (!b->size)
			continue;
		if (!pow2(b->size) || b->size < 4096 || (b->gpa & (b->size - 1)) ||
		    b->gpa + b->size < b->gpa || b->gpa == 0)
			return E_INVAL;
		if (b->is64 ? i + 1 >= VPCI_BARS || pt->bar[i + 1].size : b->gpa + b->size > (1ull << 32))
			return E_INVAL;
		if (b->is64)
			i++;
	}
	return E_OK;
}

/* The real MSI-X capability's table and PBA must lie inside BARs the function has. */
static err_t check_msix(const struct vpci_passthrough *pt, unsigned at, unsigned *n)
{
	if (!at)
		return E_OK;
	uint16_t ctrl = (uint16_t)(pt->cfg[at + MSIX_CTRL] | pt->cfg[at + MSIX_CTRL + 1] << 8);
	uint32_t t = rd32(pt->cfg + at + MSIX_TABLE), b = rd32(pt->cfg + at + MSIX_PBA);
	*n = (ctrl & 0x7FFu) + 1;
	if (pt->msix_max && *n > pt->msix_max)
		*n = pt->msix_max;
	if (*n > VPCI_MSIX_MAX)
		return E_UNSUPP;
	unsigned tb = t & 7, pb = b & 7;
	if (tb >= VPCI_BARS || pb >= VPCI_BARS || !pt->bar[tb].size || !pt->bar[pb].size)
		return E_INVAL;
	if ((t & ~7u) + (uint64_t)*n * MSIX_ENTRY > pt->bar[tb].size ||
	    (b & ~7u) + (uint64_t)(*n + 63) / 64 * 8 > pt->bar[pb].size)
		return E_INVAL;
	return E_OK;
}

err_t vpci_add_passthrough(struct vpci *p, unsigned slot, const struct vpci_passthrough *pt)
{
	unsigned n = 0;

	if (slot == 0 || slot >= VPCI_SLOTS || p->dev[slot].present)
		return E_INVAL;
	unsigned real_msix = pci_cfg_find_cap(pt->cfg, PCI_CAP_MSIX);
	err_t e = check_bars(pt);
	if (e == E_OK)
		e = check_msix(pt, real_msix, &n);
	if (e != E_OK)
		return e;

	struct vpci_func *f = &p->dev[slot];
	memset(f, 0, sizeof(*f));
	f->present = true;
	uint8_t *c = f->cfg, *m = f->wmask;
	wr16(c + PCI_VENDOR, pt->vendor);
	wr16(c + PCI_VENDOR + 2, pt->device);
	memcpy(c + REVISION, pt->cfg + REVISION, 4);	/* revision and class code */
	memcpy(c + SUBSYSTEM, pt->cfg + SUBSYSTEM, 4);
	m[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	m[PCI_COMMAND + 1] = COMMAND_INTX_OFF >> 8;
	m[CACHE_LINE] = 0xFF;
	m[INT_LINE] = 0xFF;	/* the pin stays 0: a VF has no INTx (SR-IOV 1.1, 3.5.4) */
	for (unsigned i = 0; i < VPCI_BARS; i++) {
		const struct vpci_bar_desc *b = &pt->bar[i];
		unsigned at = PCI_BAR0 + 4 * i;
		if (!b->size)
			continue;
		f->bar_size[i] = b->size;
		wr32(c + at, (uint32_t)b->gpa | (b->is64 ? BAR_64 : 0) | (b->prefetchable ? BAR_PREFETCH : 0));
		set_wmask32(m + at, (uint32_t)~(b->size - 1));	/* size >= 4 KiB: the flag bits stay */
		if (b->is64) {
			wr32(c + at + 4, (uint32_t)(b->gpa >> 32));
			set_wmask32(m + at + 4, (uint32_t)(~(b->size - 1) >> 32));
			i++;
		}
	}
	if (real_msix) {
		f->msix_at = CAP_AT;
		f->msix_n = n;
		uint32_t t = rd32(pt->cfg + real_msix + MSIX_TABLE), b = rd32(pt->cfg + real_msix + MSIX_PBA);
		f->table_bar = t & 7;
		f->table_off = t & ~7u;
		f->pba_bar = b & 7;
		f->pba_off = b & ~7u;
		wr16(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
		c[PCI_CAP_PTR] = CAP_AT;
		c[CAP_AT] = PCI_CAP_MSIX;
		c[CAP_AT + 1] = 0;	/* the only capability */
		wr16(c + CAP_AT + MSIX_CTRL, (uint16_t)(n - 1));
		m[CAP_AT + MSIX_CTRL + 1] = (MSIX_ENABLE | MSIX_MASKALL) >> 8;
		wr32(c + CAP_AT + MSIX_TABLE, t);
		wr32(c + CAP_AT + MSIX_PBA, b);
		for (unsigned k = 0; k < n; k++)
			f->msix[k].w[VPCI_MSIX_CTRL] = MSIX_VC_MASK;	/* entries start masked (PCI 3.0 6.8.2.9) */
	}
	return E_OK;
}

int vpci_addressed_slot(const struct vpci *p)
{
	uint32_t a = p->addr;

	if (!(a & VPCI_ADDR_ENABLE) || ADDR_BUS(a) || ADDR_FN(a) || ADDR_DEV(a) >= VPCI_SLOTS ||
	    !p->dev[ADDR_DEV(a)].present)
		return -1;
	return (int)ADDR_DEV(a);
}

static uint16_t msix_ctrl(const struct vpci_func *f)
{
	return (uint16_t)(f->cfg[f->msix_at + MSIX_CTRL] | f->cfg[f->msix_at + MSIX_CTRL + 1] << 8);
}

/* What the write to [reg, reg + size) of f changed, from the bytes before it. */
static unsigned changes(const struct vpci_func *f, const uint8_t *before, unsigned reg, unsigned size)
{
	unsigned chg = 0;

	for (unsigned o = reg; o < reg + size; o++) {
		if (f->cfg[o] == before[o - reg])
			continue;
		if (o == PCI_COMMAND || o == PCI_COMMAND + 1)
			chg |= VPCI_CHG_COMMAND;
		else if (o >= PCI_BAR0 && o < PCI_BAR0 + 4 * VPCI_BARS)
			chg |= VPCI_CHG_BAR;
		else if (f->msix_at && o == f->msix_at + MSIX_CTRL + 1)
			chg |= VPCI_CHG_MSIX;
	}
	return chg;
}

bool vpci_io(struct vpci *p, uint16_t port, unsigned size, bool write, uint32_t *value,
	     unsigned *changed)
{
	*changed = 0;
	if (port == VPCI_ADDR_PORT && size == 4) {
		if (write)
			p->addr = *value & ADDR_LATCHED;
		else
			*value = p->addr;
		return true;
	}
	if (port < VPCI_DATA_PORT || port > VPCI_DATA_PORT + 3)
		return false;
	int slot = vpci_addressed_slot(p);
	/* Bytes of the access that fall past 0xCFF or on no function: all ones, or dropped. */
	unsigned first = ADDR_REG(p->addr) + (port - VPCI_DATA_PORT);
	unsigned n = size;
	if (port + size > VPCI_DATA_PORT + 4)
		n = VPCI_DATA_PORT + 4 - port;
	if (!write) {
		uint32_t v = size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
		for (unsigned k = 0; slot >= 0 && k < n; k++)
			v = (v & ~(0xFFu << (8 * k))) | (uint32_t)p->dev[slot].cfg[first + k] << (8 * k);
		*value = v;
		return true;
	}
	if (slot < 0)
		return true;
	struct vpci_func *f = &p->dev[slot];
	uint8_t before[4];
	memcpy(before, f->cfg + first, n);
	for (unsigned k = 0; k < n; k++) {
		uint8_t m = f->wmask[first + k], v = (uint8_t)(*value >> (8 * k));
		f->cfg[first + k] = (uint8_t)((f->cfg[first + k] & ~m) | (v & m));
	}
	*changed = changes(f, before, first, n);
	return true;
}

uint64_t vpci_bar_address(const struct vpci *p, unsigned slot, unsigned i)
{
	if (slot >= VPCI_SLOTS || i >= VPCI_BARS || !p->dev[slot].present || !p->dev[slot].bar_size[i])
		return 0;
	const struct vpci_func *f = &p->dev[slot];
	if (!(f->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY))
		return 0;
	uint32_t lo = rd32(f->cfg + PCI_BAR0 + 4 * i);
	uint64_t a = lo & ~0xFull;
	if (lo & BAR_64)
		a |= (uint64_t)rd32(f->cfg + PCI_BAR0 + 4 * i + 4) << 32;
	return a;
}

bool vpci_bus_master(const struct vpci *p, unsigned slot)
{
	return slot < VPCI_SLOTS && p->dev[slot].present &&
	       (p->dev[slot].cfg[PCI_COMMAND] & PCI_COMMAND_MASTER);
}

/* The table or PBA word an access touches: access of 4 or 8 bytes, naturally aligned. */
static bool whole_words(uint64_t off, unsigned size)
{
	return (size == 4 || size == 8) && !(off & (size - 1));
}

static void table_access(struct vpci_func *f, uint64_t off, unsigned size, bool write, uint64_t *value)
{
	if (!whole_words(off, size)) {
		if (!write)
			*value = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return;
	}
	for (unsigned w = 0; w < size / 4; w++) {
		uint64_t o = off + 4 * w;
		unsigned k = (unsigned)(o % MSIX_ENTRY) / 4;
		uint32_t *word = &f->msix[o / MSIX_ENTRY].w[k];
		if (!write) {
			*value = (w ? *value : 0) | (uint64_t)*word << (32 * w);
			continue;
		}
		uint32_t v = (uint32_t)(*value >> (32 * w));
		if (k == VPCI_MSIX_ADDR_LO)
			v &= ~3u;	/* dword-aligned: the low two bits are reserved */
		else if (k == VPCI_MSIX_CTRL)
			v &= MSIX_VC_MASK;	/* the other bits are reserved */
		*word = v;
	}
}

static void pba_access(const struct vpci_func *f, uint64_t off, unsigned size, bool write, uint64_t *value)
{
	if (write)
		return;	/* read-only (PCI 3.0 6.8.2.10) */
	if (!whole_words(off, size)) {
		*value = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return;
	}
	uint64_t q = f->pending[off / 8];
	*value = size == 8 ? q : (uint32_t)(q >> (off % 8 ? 32 : 0));
}

enum vpci_mmio_kind vpci_mmio(struct vpci *p, uint64_t gpa, unsigned size, bool write,
			      uint64_t *value, struct vpci_hit *hit)
{
	for (unsigned s = 1; s < VPCI_SLOTS; s++) {
		struct vpci_func *f = &p->dev[s];
		for (unsigned i = 0; f->present && i < VPCI_BARS; i++) {
			uint64_t base = vpci_bar_address(p, s, i);
			if (!base || gpa < base || gpa - base >= f->bar_size[i])
				continue;
			uint64_t off = gpa - base;
			*hit = (struct vpci_hit){ .slot = s, .bar = i, .offset = off };
			if (f->msix_at && i == f->table_bar && off >= f->table_off &&
			    off + size <= f->table_off + (uint64_t)f->msix_n * MSIX_ENTRY) {
				table_access(f, off - f->table_off, size, write, value);
				return VPCI_MMIO_DONE;
			}
			if (f->msix_at && i == f->pba_bar && off >= f->pba_off &&
			    off + size <= f->pba_off + (uint64_t)(f->msix_n + 63) / 64 * 8) {
				pba_access(f, off - f->pba_off, size, write, value);
				return VPCI_MMIO_DONE;
			}
			return VPCI_MMIO_FORWARD;
		}
	}
	return VPCI_MMIO_NONE;
}

int vpci_msix_message(const struct vpci_msix *e, struct vpci_msi *msg)
{
	uint32_t data = e->w[VPCI_MSIX_DATA], addr = e->w[VPCI_MSIX_ADDR_LO];
	unsigned mode = (data >> 8) & 7;	/* Intel SDM vol. 3 11.11.2: 0 fixed, 1 lowest priority */
	unsigned vector = data & 0xFF;

	if (e->w[VPCI_MSIX_ADDR_HI] || (addr >> 20) != 0xFEE || mode > 1 || vector < 16)
		return -1;
	if (msg)
		*msg = (struct vpci_msi){ .vector = (uint8_t)vector, .dest = (uint8_t)(addr >> 12),
					  .logical = (addr & 4) != 0, .lowest = mode == 1 };
	return (int)vector;
}

int vpci_msix_vector(const struct vpci_msix *e)
{
	return vpci_msix_message(e, NULL);
}

int vpci_msix_fire(struct vpci *p, unsigned slot, unsigned n, struct vpci_msi *msg)
{
	if (slot >= VPCI_SLOTS || !p->dev[slot].present || n >= p->dev[slot].msix_n)
		return -1;
	struct vpci_func *f = &p->dev[slot];
	uint16_t ctrl = msix_ctrl(f);
	if (!(ctrl & MSIX_ENABLE)) {
		f->dropped++;
		return -1;
	}
	if ((ctrl & MSIX_MASKALL) || (f->msix[n].w[VPCI_MSIX_CTRL] & MSIX_VC_MASK)) {
		f->pending[n / 64] |= 1ull << (n % 64);
		return -1;
	}
	return vpci_msix_message(&f->msix[n], msg);
}

int vpci_msix_take_pending(struct vpci *p, struct vpci_msi *msg)
{
	for (unsigned s = 1; s < VPCI_SLOTS; s++) {
		struct vpci_func *f = &p->dev[s];
		if (!f->present || !f->msix_at || (msix_ctrl(f) & (MSIX_ENABLE | MSIX_MASKALL)) != MSIX_ENABLE)
			continue;
		for (unsigned n = 0; n < f->msix_n; n++) {
			uint64_t bit = 1ull << (n % 64);
			if (!(f->pending[n / 64] & bit) || (f->msix[n].w[VPCI_MSIX_CTRL] & MSIX_VC_MASK))
				continue;
			f->pending[n / 64] &= ~bit;
			int v = vpci_msix_message(&f->msix[n], msg);
			if (v >= 0)
				return v;
		}
	}
	return -1;
}
