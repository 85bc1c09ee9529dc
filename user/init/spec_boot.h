/* Booting a compiled system description (user/init/spec.c). */
#ifndef USER_INIT_SPEC_BOOT_H
#define USER_INIT_SPEC_BOOT_H

#include "abi/bootinfo.h"

/*
 * Looks for a spec blob among the boot modules and, if there is one, builds and
 * supervises this instance's components: returns -1 without a blob, else the
 * root task's exit status (0: every component exited with status 0).
 */
int spec_boot_find(const struct bootinfo *bi);

#endif
