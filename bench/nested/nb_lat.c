// SPDX-License-Identifier: GPL-2.0
/*
 * nb_lat: 4 KiB O_DIRECT completion latency at queue depth 1, for the
 * nested benchmark's disk part (fio and its libraries do not fit L2's
 * 256 MiB initramfs; this is one static binary).
 *
 *   nb_lat DEV write|read N [SPAN_MB]
 *
 * N synchronous 4 KiB pwrite()s or pread()s at random 4 KiB-aligned
 * offsets in the first SPAN_MB (default 8) MiB of DEV, each timed on
 * CLOCK_MONOTONIC (L2's clock).  Prints one line:
 *   n=N p50_us=.. p99_us=.. max_us=.. mean_us=..
 * Percentiles are nearest-rank over the N samples.  Exit 1 on any error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLK 4096

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest sample with at least p% of them at or below */
static double pct_us(const uint64_t *s, long n, int p)
{
	long k = (n * p + 99) / 100;

	return s[k > 0 ? k - 1 : 0] / 1000.0;
}

int main(int argc, char **argv)
{
	long n, i, blocks;
	int fd, wr;
	uint64_t *lat, sum = 0, seed = 0x9e3779b97f4a7c15ull;
	void *buf;

	if (argc < 4 || (strcmp(argv[2], "write") && strcmp(argv[2], "read"))) {
		fprintf(stderr, "usage: nb_lat DEV write|read N [SPAN_MB]\n");
		return 1;
	}
	wr = !strcmp(argv[2], "write");
	n = atol(argv[3]);
	blocks = (argc > 4 ? atol(argv[4]) : 8) * (1 << 20) / BLK;
	if (n < 1 || blocks < 1) {
		fprintf(stderr, "nb_lat: N >= 1 and SPAN_MB >= 1\n");
		return 1;
	}
	fd = open(argv[1], (wr ? O_WRONLY : O_RDONLY) | O_DIRECT);
	lat = calloc(n, sizeof(*lat));
	if (fd < 0 || !lat || posix_memalign(&buf, BLK, BLK)) {
		perror("nb_lat");
		return 1;
	}
	memset(buf, 0xa5, BLK);
	for (i = 0; i < n; i++) {
		off_t off;
		uint64_t t0;
		ssize_t r;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		off = (off_t)((seed >> 33) % blocks) * BLK;
		t0 = now_ns();
		r = wr ? pwrite(fd, buf, BLK, off) : pread(fd, buf, BLK, off);
		lat[i] = now_ns() - t0;
		if (r != BLK) {
			perror("nb_lat: I/O");
			return 1;
		}
		sum += lat[i];
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("n=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n", n,
	       pct_us(lat, n, 50), pct_us(lat, n, 99), lat[n - 1] / 1000.0,
	       sum / 1000.0 / n);
	return 0;
}
