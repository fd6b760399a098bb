/* Arithmetic on struct timespec, for the deadlines given to pthread_cond_timedwait. */
#ifndef LIB_TIMESPEC_H
#define LIB_TIMESPEC_H

#include <stdbool.h>
#include <time.h>

/* t plus ms milliseconds (ms >= 0), with tv_nsec kept below a second. */
struct timespec timespec_add_ms(struct timespec t, long long ms);

/* Whether a is earlier than b (both normalised). */
bool timespec_before(struct timespec a, struct timespec b);

#endif
