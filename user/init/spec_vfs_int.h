/* What spec_vfs.c (instance 0's side) and spec_vfs_vm.c (a VM's core's) share. */
#ifndef INIT_SPEC_VFS_INT_H
#define INIT_SPEC_VFS_INT_H

#include "abi/spec.h"
#include "atoll.h"
#include "spec_devices.h"
#include "spec_vfs.h"

static inline const struct spec_header *hdr(const struct vfs *v)
{
	return (const struct spec_header *)v->blob;
}

static inline const struct spec_device *dev(const struct vfs *v, uint32_t i)
{
	return (const struct spec_device *)(v->blob + hdr(v)->devices_off) + i;
}

static inline const struct spec_vm *vm(const struct vfs *v, uint32_t i)
{
	return (const struct spec_vm *)(v->blob + hdr(v)->vms_off) + i;
}

static inline const struct spec_component *comp(const struct vfs *v, uint32_t i)
{
	return (const struct spec_component *)(v->blob + hdr(v)->components_off) + i;
}

static inline const char *str(const struct vfs *v, uint32_t off)
{
	return off < hdr(v)->strings_size ? (const char *)v->blob + hdr(v)->strings_off + off : "?";
}

static inline unsigned ndev(const struct vfs *v)
{
	return hdr(v)->ndevices < VFS_MAX_DEVICES ? hdr(v)->ndevices : VFS_MAX_DEVICES;
}

/* Device i is a VF owned by a VM with VFs: its VM's index in *vi. */
static inline bool vm_vf(const struct vfs *v, uint32_t i, uint32_t *vi)
{
	const struct spec_device *d = dev(v, i);

	*vi = d->owner & ~SPEC_VM_OWNER;
	return d->kind == SPEC_DEV_VF && d->owner != SPEC_NO_OWNER && (d->owner & SPEC_VM_OWNER) &&
	       *vi < hdr(v)->nvms && vm(v, *vi)->nvfs && *vi < VFS_MAX_DEVICES;
}

static inline uint32_t take(struct vfs *v)
{
	return (*v->next)++;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

/* Copies len bytes at off of a frame out (out != NULL) or in (in != NULL), through a mapping of a copy. */
long vfs_peek_at(struct vfs *v, uint32_t frame, size_t off, void *out, const void *in, size_t len);
long vfs_peek(struct vfs *v, uint32_t frame, void *out, const void *in, size_t len);

/* A function's 4 KiB of configuration space, read through our PCI cap. */
long vfs_read_config(struct vfs *v, uint16_t bdf, uint8_t *cfg);

/* A VM's core, signalled by core 0: maps what the hand-over pages give its VMs. */
void spec_vfs_receive(struct vfs *v);

#endif
