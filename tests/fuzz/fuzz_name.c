/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: compressed-name unpacking at every early offset of an arbitrary message. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[DNS_NAME_MAXLEN], again[DNS_NAME_MAXLEN];
	int scanned = dns_name_scan(data, size, NULL);

	for (size_t pos = 0; pos <= size && pos < 64; pos++) {
		bool fold = (pos & 1) != 0;
		size_t wire_len = 0;
		int n = dns_name_unpack(data, size, pos, out, fold, &wire_len);

		if (n < 0)
			continue;
		/* The result is a valid uncompressed name that lies inside the message. */
		if (n > DNS_NAME_MAXLEN || wire_len < 1 || wire_len > size - pos ||
		    dns_name_scan(out, (size_t)n, again) != n || dns_name_length(out) != (size_t)n)
			__builtin_trap();
		for (int i = 0; fold && i < n; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				__builtin_trap();
		/* An uncompressed name unpacks to itself. */
		if (pos == 0 && scanned > 0 && (n != scanned || wire_len != (size_t)scanned))
			__builtin_trap();
	}
	return 0;
}
