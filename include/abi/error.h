/* Error codes: the closed enum generated from errors.def. */
#ifndef ABI_ERROR_H
#define ABI_ERROR_H

enum err_code {
#define ERR(name, value, text) name = value,
#include "abi/errors.def"
#undef ERR
};

/* err_t is the scalar type every fallible function returns. */
typedef int err_t;

#define MUST_CHECK __attribute__((warn_unused_result))

/* Returns the human-readable text for an error code, "unknown error" otherwise. */
const char *err_str(err_t e);

#endif
