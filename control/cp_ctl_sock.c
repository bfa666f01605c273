/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's file (mode, stale files, ownership) and its peer credential check. */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cp_ctl_sock.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux >= 4.13 */
#endif

#define CP_CTL_MAX_GROUPS 65536 /* NGROUPS_MAX on Linux */

/*
 * libuv writes with write(2): a client that leaves with output queued would raise
 * SIGPIPE, whose default action kills the daemon. Ignore it (EPIPE is handled),
 * unless the process installed a disposition of its own.
 */
static void
cp_ctl_ignore_sigpipe(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL &&
	    !(sa.sa_flags & SA_SIGINFO))
		(void)signal(SIGPIPE, SIG_IGN);
}

/* A socket file is left over from a daemon that died, or in use by a running one. */
static int
cp_ctl_remove_stale(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, ret = 0;

	if (lstat(addr->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST; /* never remove what is not a socket: a typo in the config */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Non-blocking: a full backlog (EAGAIN) also means someone listens. */
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 || errno == EAGAIN)
		ret = -EADDRINUSE;
	else if (errno != ECONNREFUSED)
		ret = -errno;
	else if (unlink(addr->sun_path) != 0 && errno != ENOENT)
		ret = -errno;
	close(fd);
	return ret;
}

int
cp_ctl_sock_open(const char *path, gid_t group, unsigned backlog, struct cp_ctl_sock *s)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old_mask;
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	cp_ctl_ignore_sigpipe();
	ret = cp_ctl_remove_stale(&addr);
	if (ret != 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* The file never exists with a wider mode; the chmod makes 0660 exact. */
	old_mask = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	ret = bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) == 0 ? 0 : -errno;
	umask(old_mask);
	if (ret != 0)
		goto err_close;
	/* Listen only once mode and group are final: until then connect() is refused. */
	if (chmod(path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) != 0 ||
	    (group != 0 && group != (gid_t)-1 && chown(path, (uid_t)-1, group) != 0) ||
	    stat(path, &st) != 0 || listen(fd, (int)backlog) != 0) {
		ret = -errno;
		goto err_unlink;
	}
	s->path = strdup(path);
	if (s->path == NULL) {
		ret = -ENOMEM;
		goto err_unlink;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->gid = st.st_gid;
	s->self_uid = geteuid();
	return fd;

err_unlink:
	unlink(path);
err_close:
	close(fd);
	return ret;
}

void
cp_ctl_sock_close(struct cp_ctl_sock *s)
{
	struct stat st;

	if (s->path == NULL)
		return;
	/* Remove the file only if it is still ours, not a successor's. */
	if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	s->path = NULL;
}

bool
cp_ctl_sock_peer_allowed(const struct cp_ctl_sock *s, int fd, pid_t *pid, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;
	gid_t gid = s->gid;
	gid_t *groups;
	bool ok = false;

	*pid = -1;
	*uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
		return false;
	*pid = cred.pid;
	*uid = cred.uid;
	if (cred.uid == 0 || cred.uid == s->self_uid)
		return true;
	/* The group may have been changed since (chgrp by the operator): use the file's. */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		gid = st.st_gid;
	if (cred.gid == gid)
		return true;
	len = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, NULL, &len) != 0 && errno != ERANGE)
		return false;
	if (len == 0 || len > CP_CTL_MAX_GROUPS * sizeof(gid_t) || len % sizeof(gid_t) != 0)
		return false;
	groups = malloc(len);
	if (groups != NULL && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		for (size_t i = 0; i < len / sizeof(gid_t) && !ok; i++)
			ok = groups[i] == gid;
	}
	free(groups);
	return ok;
}
