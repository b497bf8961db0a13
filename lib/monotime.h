/* SPDX-License-Identifier: ISC */
/*
 * monotime.h: the monotonic clock every deadline is measured on (the
 * connection layer's, the AUTH secret command's, -bs's), in the lowest
 * layer so that any module may use it.
 */
#ifndef CARRIER_MONOTIME_H
#define CARRIER_MONOTIME_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds: for deadlines, never for dates. */
int64_t	monotime_ms(void);

#endif
