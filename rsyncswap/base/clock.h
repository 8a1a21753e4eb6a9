/* The one monotonic clock of the program, for durations and timers. */
#ifndef RSYNCSWAP_CLOCK_H
#define RSYNCSWAP_CLOCK_H

/* Returns CLOCK_MONOTONIC in milliseconds. */
long long	clock_ms(void);

#endif
