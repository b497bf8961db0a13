/* SPDX-License-Identifier: ISC */
/*
 * priv.h: the set-group-ID privilege.  carrier may be installed
 * set-group-ID to a group of its own (carrier(8), FILES) that alone can
 * write the spool and read the AUTH secret; it runs with its caller's
 * group and takes its own only around the calls that open those files,
 * never while it runs a command, talks to a server or reads the message.
 * For root, or a binary that is not set-group-ID, all of this is a
 * no-op.
 */
#ifndef CARRIER_PRIV_H
#define CARRIER_PRIV_H

/*
 * Puts the effective group back to the real one, keeping the set
 * group in the saved one for priv_raise().  Call first thing.  Returns
 * 0, or -1 with errno.
 */
int	priv_init(void);

/*
 * Gives the group up for good (a configuration the caller chose: it
 * must not reach the shared spool or secrets).  Returns 0 or -1/errno.
 */
int	priv_drop(void);

/*
 * Takes the group for what follows, until the matching priv_lower();
 * calls nest.  Returns 0, or -1 with errno (the group was not taken).
 */
int	priv_raise(void);

/*
 * Ends the matching priv_raise(); the outermost gives the group back.
 * A failure to give it back aborts: carrier never goes on with a
 * privilege it meant to drop.  Keeps errno.
 */
void	priv_lower(void);

/* Whether carrier runs set-group-ID with its group available. */
int	priv_active(void);

#endif
