/* JSON output helpers shared by status, report and expiry. */
#ifndef RSYNCSWAP_JSON_H
#define RSYNCSWAP_JSON_H

#include <stdio.h>

/*
 * Prints s as a JSON string. Control characters and bytes >= 0x7f are
 * escaped as \u00XX, so the output is valid JSON whatever s holds.
 */
void	json_str(FILE *f, const char *s);

#endif
