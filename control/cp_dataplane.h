/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bringing the dataplane up and down from the configuration: EAL, mbuf pools,
 * ports (AF_XDP with the steering program, or full ports with an exception
 * interface), ACL tables, workers with their caches and rings, launch, stop.
 * Main thread only, before the control loop starts and after it ends.
 */
#ifndef CP_DATAPLANE_H
#define CP_DATAPLANE_H

#include "cp_daemon.h"

/**
 * Initialise EAL and everything the workers need; workers are not launched yet.
 * Every failure is logged naming the object and step.
 * @return 0 or -errno.
 */
int cp_dataplane_init(struct cp_daemon *d);

/** Launch a worker on each worker lcore. */
int cp_dataplane_launch(struct cp_daemon *d);

/** Stop the workers, close ports (removing XDP programs), free what init made, EAL cleanup. */
void cp_dataplane_fini(struct cp_daemon *d);

/**
 * Stop the workers and wait for their lcores (no-op if not launched): after it
 * nothing touches the rings, the doorbell or the loop from a worker.
 */
void cp_dataplane_stop(struct cp_daemon *d);

#endif /* CP_DATAPLANE_H */
