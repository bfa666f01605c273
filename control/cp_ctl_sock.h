/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's file and its trust boundary: creating the Unix socket at a
 * path (mode 0660, a stale file replaced, a live one left alone) and deciding which
 * peers may talk to the daemon. Internal to cp_ctl.c; no libuv here.
 *
 * Owner: the control thread.
 */
#ifndef CP_CTL_SOCK_H
#define CP_CTL_SOCK_H

#include <stdbool.h>
#include <sys/types.h>

/** The socket file as created, to recognise it later. */
struct cp_ctl_sock {
	char *path;                        /* malloc'd copy */
	dev_t dev;
	ino_t ino;
	gid_t gid;                         /* its group when created */
	uid_t self_uid;                    /* the daemon's effective uid */
};

/**
 * Create, bind and listen on a Unix stream socket at @p path, non-blocking and
 * close-on-exec, with the file mode 0660 and group @p group (0 or (gid_t)-1: keep).
 * A socket file left at the path is removed only if nothing listens on it.
 * Also makes the process ignore SIGPIPE if it has its default action.
 * @param s  filled on success (s->path to be freed with cp_ctl_sock_close()).
 * @return the listening fd, or -EADDRINUSE (another daemon listens), -EEXIST (a file
 *         that is not a socket), -ENAMETOOLONG, -ENOMEM, or a system call's -errno.
 */
int cp_ctl_sock_open(const char *path, gid_t group, unsigned backlog, struct cp_ctl_sock *s);

/** Remove the socket file if it is still the one we created, and free s->path. */
void cp_ctl_sock_close(struct cp_ctl_sock *s);

/**
 * May the peer on the accepted connection @p fd talk to the daemon? Root, the
 * daemon's own uid, or a peer whose primary or supplementary group (SO_PEERGROUPS)
 * is the socket file's group (its group now, if the operator changed it).
 * @param pid, uid  the peer's, from SO_PEERCRED (-1 when unknown).
 */
bool cp_ctl_sock_peer_allowed(const struct cp_ctl_sock *s, int fd, pid_t *pid, uid_t *uid);

#endif /* CP_CTL_SOCK_H */
