/* What a component started from a system description knows about itself (abi/spec.h). */
#ifndef USER_COMPONENT_H
#define USER_COMPONENT_H

#include "abi/spec.h"
#include "atoll.h"
#include "kstring.h"

/* The entry of channel `name` of this type (OBJ_FRAME_4K: a shared region), or NULL. */
static inline const struct component_cap_info *component_channel(const struct component_info *ci,
								 const char *name, unsigned type)
{
	for (uint32_t i = 0; i < ci->ncaps && i < COMPONENT_MAX_CAPS; i++)
		if (ci->caps[i].type == type && !strcmp(ci->caps[i].name, name))
			return &ci->caps[i];
	return NULL;
}

#endif
