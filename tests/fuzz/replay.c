/* SPDX-License-Identifier: BSD-3-Clause */
/* Corpus replay: runs a fuzz target's LLVMFuzzerTestOneInput on every file given, without libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned replayed;

static int
replay_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;
	uint8_t *exact;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* An exact-size copy, so a sanitizer sees every read past the input. */
	exact = malloc(n > 0 ? n : 1);
	if (exact == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		exact[i] = buf[i];
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	replayed++;
	return 0;
}

static int
replay_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (replay_path(sub) != 0)
			err = -1;
	}
	closedir(d);
	return err;
}

int
main(int argc, char **argv)
{
	int err = 0;

	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i]) != 0)
			err = 1;
	printf("replayed %u inputs\n", replayed);
	/* An empty corpus is a broken test, not a passing one. */
	return err != 0 || replayed == 0;
}
