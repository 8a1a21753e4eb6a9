/* Hexadecimal digits, the one encoder and decoder of the program. */
#ifndef RSYNCSWAP_HEX_H
#define RSYNCSWAP_HEX_H

#include <stddef.h>

/* Writes the 2 * n lowercase hex digits of the n octets b to out (no NUL). */
void	hex_encode(const unsigned char *b, size_t n, char *out);

/*
 * Decodes the 2 * n hex digits (either case) at s into the n octets out.
 * Returns 0, or -1 if one of them is no hex digit (out is then partly
 * written).
 */
int	hex_decode(const char *s, size_t n, unsigned char *out);

/* Returns the value of the hex digit c (either case), or -1 if it is none. */
int	hex_value(int c);

#endif
