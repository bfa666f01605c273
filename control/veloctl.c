/* SPDX-License-Identifier: BSD-3-Clause */
/* veloctl: send one command to a running velodns over its control socket and print the result. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "cp_ctl.h"
#include "veloctl.h"

#define VC_DEFAULT_TIMEOUT 10.0               /* seconds to connect, and between lines */
#define VC_MAX_LINE        (64u * 1024 * 1024) /* longest response line accepted */

struct vc_opts {
	const char *socket;
	double timeout;                           /* 0: wait forever */
	struct vc_fmt fmt;
};

static const char vc_usage_text[] =
	"usage: veloctl [-s SOCKET] [--json] [--timeout SEC] COMMAND [ARGS...]\n"
	"\n"
	"commands:\n"
	"  status                          daemon state\n"
	"  stats                           counters per worker, total, control thread\n"
	"  cache lookup NAME [TYPE]        what the caches hold for NAME/TYPE (default A)\n"
	"  cache flush [NAME]              empty the caches, or drop NAME\n"
	"  cache flush zone ZONE           drop ZONE and all below it (workers: everything)\n"
	"  cache dump                      the master cache in presentation format\n"
	"  infra                           upstream servers: RTT, RTO, EDNS, lame, backoff\n"
	"  local-data add \"RR\"             add a record: \"www.example. 300 A 192.0.2.1\"\n"
	"  local-data remove \"RR\"          remove one record\n"
	"  local-data remove NAME [TYPE]   remove every record of NAME (of TYPE)\n"
	"  local-data list [NAME]          list local data\n"
	"  forward list                    forward zones, their forwarders and each one's state\n"
	"  forward add ZONE ADDR [ADDR...] send ZONE (\".\": every name) to these resolvers,\n"
	"                                  ADDR or ADDR@PORT; replaces ZONE's list if it exists\n"
	"  forward remove ZONE             resolve ZONE again without forwarders\n"
	"  help                            the commands the daemon offers\n"
	"  CMD [KEY=VALUE...]              any other daemon command; VALUE is JSON or a string\n"
	"\n"
	"options:\n"
	"  -s, --socket PATH   control socket (default: $VELOCTL_SOCKET, else\n"
	"                      " CP_CTL_DEFAULT_SOCKET ")\n"
	"  -j, --json          print the result as JSON (streamed parts one per line first)\n"
	"  -t, --timeout SEC   give up after SEC seconds without a reply (default 10; 0: never)\n"
	"  -h, --help          this text\n"
	"\n"
	"exit status: 0 ok, 1 command failed, 2 usage error, 3 cannot connect, 4 timeout\n";

static VD_NORETURN VD_PRINTF(1, 2) void
vc_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("veloctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(veloctl --help for usage)\n", stderr);
	exit(VC_EXIT_USAGE);
}

/* ---- request from the command line ---- */

static char *
vc_join(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (s == NULL)
		exit(VC_EXIT_FAILED);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Set args[key] to @p value (borrowed string). */
static void
vc_set(json_t *args, const char *key, const char *value)
{
	json_t *s = json_string(value);

	if (s == NULL)
		vc_usage("argument is not valid UTF-8: %s", value);
	json_object_set_new(args, key, s);
}

/*
 * Map the words after the options to a command and its args. The daemon checks
 * them again; this only gives the common commands a natural syntax.
 */
static const char *
vc_build(int argc, char **argv, json_t *args)
{
	const char *w = argv[0], *sub = argc > 1 ? argv[1] : NULL;

	if (strcmp(w, "status") == 0 || strcmp(w, "stats") == 0 || strcmp(w, "help") == 0 ||
	    strcmp(w, "infra") == 0) {
		if (argc != 1)
			vc_usage("%s takes no arguments", w);
		return w;
	}
	if (strcmp(w, "cache") == 0) {
		if (sub != NULL && strcmp(sub, "lookup") == 0) {
			if (argc < 3 || argc > 4)
				vc_usage("usage: %s lookup NAME [TYPE]", w);
			vc_set(args, "name", argv[2]);
			vc_set(args, "type", argc == 4 ? argv[3] : "A");
			return "cache-lookup";
		}
		if (sub != NULL && strcmp(sub, "flush") == 0) {
			/* "zone" is a keyword only before a zone: "flush zone" drops a name. */
			if (argc == 4 && strcmp(argv[2], "zone") == 0) {
				vc_set(args, "zone", argv[3]);
				return "cache-flush";
			}
			if (argc > 3)
				vc_usage("usage: %s flush [NAME] | flush zone ZONE", w);
			if (argc == 3)
				vc_set(args, "name", argv[2]);
			return "cache-flush";
		}
		if (sub != NULL && strcmp(sub, "dump") == 0) {
			if (argc != 2)
				vc_usage("usage: %s dump", w);
			return "cache-dump";
		}
		vc_usage("usage: %s lookup NAME [TYPE] | flush [NAME] | flush zone ZONE | dump", w);
	}
	if (strcmp(w, "local-data") == 0) {
		if (sub != NULL && strcmp(sub, "add") == 0) {
			if (argc < 3)
				vc_usage("usage: %s add \"NAME [TTL] [CLASS] TYPE RDATA\"", w);
			char *rr = vc_join(argc - 2, argv + 2);
			vc_set(args, "rr", rr);
			free(rr);
			return "local-data-add";
		}
		if (sub != NULL && strcmp(sub, "remove") == 0) {
			if (argc < 3)
				vc_usage("usage: %s remove \"RR\" | NAME [TYPE]", w);
			/* One or two words: a name and a type; more: a whole record. */
			char *rr = vc_join(argc - 2, argv + 2);
			char *save = NULL, *copy = strdup(rr);
			char *t1 = strtok_r(copy, " \t", &save), *t2 = strtok_r(NULL, " \t", &save);

			if (t1 == NULL)
				vc_usage("usage: %s remove \"RR\" | NAME [TYPE]", w);
			if (strtok_r(NULL, " \t", &save) != NULL) {
				vc_set(args, "rr", rr);
			} else {
				vc_set(args, "name", t1);
				if (t2 != NULL)
					vc_set(args, "type", t2);
			}
			free(copy);
			free(rr);
			return "local-data-remove";
		}
		if (sub != NULL && strcmp(sub, "list") == 0) {
			if (argc > 3)
				vc_usage("usage: %s list [NAME]", w);
			if (argc == 3)
				vc_set(args, "name", argv[2]);
			return "local-data-list";
		}
		vc_usage("usage: %s add \"RR\" | remove \"RR\" | remove NAME [TYPE] | list", w);
	}
	if (strcmp(w, "forward") == 0) {
		if (sub != NULL && strcmp(sub, "list") == 0) {
			if (argc != 2)
				vc_usage("usage: %s list", w);
			return "forward-list";
		}
		if (sub != NULL && strcmp(sub, "add") == 0) {
			json_t *servers = json_array();

			if (argc < 4)
				vc_usage("usage: %s add ZONE ADDR [ADDR...] (ADDR or ADDR@PORT)", w);
			vc_set(args, "zone", argv[2]);
			for (int i = 3; i < argc; i++) {
				json_t *a = json_string(argv[i]);

				if (a == NULL)
					vc_usage("argument is not valid UTF-8: %s", argv[i]);
				json_array_append_new(servers, a);
			}
			json_object_set_new(args, "servers", servers);
			return "forward-add";
		}
		if (sub != NULL && strcmp(sub, "remove") == 0) {
			if (argc != 3)
				vc_usage("usage: %s remove ZONE", w);
			vc_set(args, "zone", argv[2]);
			return "forward-remove";
		}
		vc_usage("usage: %s list | add ZONE ADDR [ADDR...] | remove ZONE", w);
	}
	/* Any other command: KEY=VALUE arguments, VALUE as JSON when it parses. */
	if (strlen(w) > CP_CTL_MAX_CMD_LEN || strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
						     strlen(w) || w[0] == '-')
		vc_usage("unknown command \"%s\"", w);
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		json_t *v;

		if (eq == NULL || eq == argv[i])
			vc_usage("expected KEY=VALUE, got \"%s\"", argv[i]);
		*eq = '\0';
		v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (v != NULL)
			json_object_set_new(args, argv[i], v);
		else
			vc_set(args, argv[i], eq + 1);
	}
	return w;
}

/* ---- the exchange ---- */

static int
vc_connect(const struct vc_opts *o)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = (time_t)o->timeout,
			     .tv_usec = (suseconds_t)((o->timeout - floor(o->timeout)) * 1e6)};
	int fd;

	if (strlen(o->socket) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "veloctl: cannot connect to %s: %s\n", o->socket,
			strerror(ENAMETOOLONG));
		exit(VC_EXIT_CONNECT);
	}
	strcpy(addr.sun_path, o->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "veloctl: socket: %s\n", strerror(errno));
		exit(VC_EXIT_CONNECT);
	}
	/* A blocking connect() to a Unix socket with a full backlog waits up to SO_SNDTIMEO. */
	if (o->timeout > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int err = errno;

		if (err == EAGAIN || err == EINPROGRESS) {
			fprintf(stderr, "veloctl: timed out connecting to %s\n", o->socket);
			exit(VC_EXIT_TIMEOUT);
		}
		fprintf(stderr, "veloctl: cannot connect to %s: %s\n", o->socket, strerror(err));
		exit(VC_EXIT_CONNECT);
	}
	return fd;
}

static void
vc_send(int fd, const char *cmd, json_t *args)
{
	json_t *req = json_pack("{s:s, s:O, s:i}", "cmd", cmd, "args", args, "id", 1);
	char *line = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	size_t len, off = 0;

	if (line == NULL) {
		fprintf(stderr, "veloctl: cannot encode the request\n");
		exit(VC_EXIT_FAILED);
	}
	len = strlen(line);
	line[len++] = '\n'; /* replaces the NUL; the buffer is not used as a string again */
	if (len > CP_CTL_MAX_LINE + 1) {
		fprintf(stderr, "veloctl: request of %zu bytes is too long\n", len);
		exit(VC_EXIT_USAGE);
	}
	while (off < len) {
		ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* the daemon may have refused us with a line: read it */
		off += (size_t)n;
	}
	free(line);
	json_decref(req);
}

/* Act on one response line. @return -1 to read on, else the exit code. */
static int
vc_line(const char *line, size_t len, const struct vc_opts *o)
{
	json_t *msg = json_loadb(line, len, 0, NULL), *id, *ok;
	int ret = -1;

	if (!json_is_object(msg)) {
		fprintf(stderr, "veloctl: malformed reply from the daemon\n");
		json_decref(msg);
		return VC_EXIT_FAILED;
	}
	id = json_object_get(msg, "id");
	ok = json_object_get(msg, "ok");
	/* id null: an error about the connection itself (refused, line too long). */
	if (!json_is_null(id) && !(json_is_integer(id) && json_integer_value(id) == 1))
		goto out;
	if (ok == NULL && json_object_get(msg, "partial") != NULL) {
		vc_print(json_object_get(msg, "partial"), &o->fmt, true);
	} else if (json_is_true(ok)) {
		json_t *result = json_object_get(msg, "result");

		vc_print(result != NULL ? result : json_null(), &o->fmt, false);
		ret = VC_EXIT_OK;
	} else if (json_is_false(ok)) {
		json_t *err = json_object_get(msg, "error");
		json_t *s = json_is_string(err) ? err : json_string("unknown error");
		char *t = vc_text(s);

		fflush(stdout);
		fprintf(stderr, "veloctl: %s\n", t);
		free(t);
		if (s != err)
			json_decref(s);
		ret = VC_EXIT_FAILED;
	}
out:
	json_decref(msg);
	return ret;
}

static int
vc_exchange(int fd, const struct vc_opts *o)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return VC_EXIT_FAILED;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int ms = o->timeout > 0 ? (int)ceil(o->timeout * 1000) : -1;
		int rc = poll(&pfd, 1, ms);
		ssize_t n;

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			fflush(stdout);
			fprintf(stderr, "veloctl: no reply from %s within %g s\n", o->socket,
				o->timeout);
			free(buf);
			return VC_EXIT_TIMEOUT;
		}
		if (len == cap) {
			if (cap >= VC_MAX_LINE) {
				fprintf(stderr, "veloctl: reply line longer than %u bytes\n",
					VC_MAX_LINE);
				free(buf);
				return VC_EXIT_FAILED;
			}
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return VC_EXIT_FAILED;
			}
			buf = nb;
		}
		n = rc < 0 ? -1 : read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fflush(stdout);
			fprintf(stderr, "veloctl: %s closed the connection before replying%s%s\n",
				o->socket, n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			free(buf);
			return VC_EXIT_FAILED;
		}
		size_t start = 0, scan = len;

		len += (size_t)n;
		for (size_t i = scan; i < len; i++) {
			if (buf[i] != '\n')
				continue;
			rc = vc_line(buf + start, i - start, o);
			start = i + 1;
			if (rc >= 0) {
				free(buf);
				return rc;
			}
		}
		memmove(buf, buf + start, len - start);
		len -= start;
	}
}

static size_t
vc_term_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env != NULL && *env != '\0')
		return (size_t)strtoul(env, NULL, 10);
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vc_opts o = {.timeout = VC_DEFAULT_TIMEOUT};
	const char *cmd;
	json_t *args;
	char *end;
	int c, fd, ret;

	o.socket = getenv("VELOCTL_SOCKET");
	if (o.socket == NULL || *o.socket == '\0')
		o.socket = CP_CTL_DEFAULT_SOCKET;
	/* '+': options only before the command, so its arguments may start with '-'. */
	while ((c = getopt_long(argc, argv, "+s:jt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 'j':
			o.fmt.json = true;
			break;
		case 't':
			errno = 0;
			o.timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(o.timeout >= 0) ||
			    o.timeout > 86400)
				vc_usage("bad --timeout \"%s\" (seconds, 0 to 86400)", optarg);
			break;
		case 'h':
			fputs(vc_usage_text, stdout);
			return VC_EXIT_OK;
		default:
			fputs("(veloctl --help for usage)\n", stderr);
			return VC_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(vc_usage_text, stderr);
		return VC_EXIT_USAGE;
	}
	o.fmt.width = vc_term_width();
	args = json_object();
	cmd = vc_build(argc - optind, argv + optind, args);
	fd = vc_connect(&o);
	vc_send(fd, cmd, args);
	ret = vc_exchange(fd, &o);
	close(fd);
	json_decref(args);
	fflush(stdout);
	return ret;
}
