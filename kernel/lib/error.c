/* Error code names. */
#include "abi/error.h"

const char *err_str(err_t e)
{
	switch (e) {
#define ERR(name, value, text) case name: return text;
#include "abi/errors.def"
#undef ERR
	}
	return "unknown error";
}
