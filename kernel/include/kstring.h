/* String and formatting functions: libc names, our own kernel implementation. */
#ifndef KSTRING_H
#define KSTRING_H

#include <stdarg.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/*
 * Supported conversions: %d %i %u %x %X %p %s %c %%, flags '0' and '-', a field
 * width, and the length modifiers l, ll and z. Returns the length that would have
 * been written, like C99.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
