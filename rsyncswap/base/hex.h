/* Hexadecimal digits, the one encoder and decoder of the program. */
#ifndef RSYNCSWAP_HEX_H
#define RSYNCSWAP_HEX_H

#include <stddef.h>

/* Writes the 2 * n lowercase hex digits of the n octets b to out (no NUL). */
void	hex_encode(const unsigned char *b, size_t n, char *out);

/* Returns the value of the hex digit c (either case), or -1 if it is none. */
int	hex_value(int c);

#endif
