/* Cutting text to a buffer without cutting a UTF-8 character in half. */
#ifndef DMRB_UTF8_H
#define DMRB_UTF8_H

#include <stddef.h>

/* Drop an incomplete multi-byte sequence at the end of s (after snprintf cut it). */
void utf8_trim_partial(char *s);

#endif
