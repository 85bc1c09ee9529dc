/* Kernel object types: the enum and sizes generated from objects.def. */
#ifndef ABI_OBJECTS_H
#define ABI_OBJECTS_H

enum obj_type {
#define OBJ(name, value, bits) name = value,
#include "abi/objects.def"
#undef OBJ
	OBJ_TYPE_COUNT
};

/* Capability rights. */
#define CAP_READ (1u << 0)
#define CAP_WRITE (1u << 1)
#define CAP_EXEC (1u << 2)
#define CAP_GRANT (1u << 3)
#define CAP_ALL_RIGHTS (CAP_READ | CAP_WRITE | CAP_EXEC | CAP_GRANT)

/* Bits in a CNode slot index: one slot is 2^CTE_SIZE_BITS bytes. */
#define CTE_SIZE_BITS 6

#endif
