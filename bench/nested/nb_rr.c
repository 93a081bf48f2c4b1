// SPDX-License-Identifier: GPL-2.0
/*
 * nb_rr: TCP request/response for the nested benchmark's net part
 * (iperf3 has no RR mode and netperf is not in Debian main).
 *
 *   nb_rr server PORT              echo every byte back, one connection at
 *                                  a time, forever (runs in L1)
 *   nb_rr client HOST PORT N SIZE  N transactions of SIZE bytes: send SIZE,
 *                                  wait for all SIZE back (runs in L2)
 *
 * The client prints "transactions=N bytes=B seconds=S per_second=R" and
 * exits 1 if any transaction fails or the echo differs.  TCP_NODELAY on
 * both ends, so one transaction is one segment each way plus ACKs.
 * Built static by run.sh (gcc -static).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* all LEN bytes or -1 */
static int io_all(int fd, char *buf, size_t len, int wr)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? write(fd, buf + done, len - done) :
				 read(fd, buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int server(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[MAX_SIZE];
	int one = 1, ls, fd;
	ssize_t n;

	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(ls, 4)) {
		perror("nb_rr: listen");
		return 1;
	}
	for (;;) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		nodelay(fd);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (io_all(fd, buf, n, 1))
				break;
		close(fd);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int client(const char *host, int port, long count, long size)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char out[MAX_SIZE], in[MAX_SIZE];
	double t0, t;
	long i;
	int fd;

	if (size < 1 || size > MAX_SIZE || count < 1) {
		fprintf(stderr, "nb_rr: 1 <= SIZE <= %d, N >= 1\n", MAX_SIZE);
		return 2;
	}
	a.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "nb_rr: bad address %s\n", host);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("nb_rr: connect");
		return 1;
	}
	nodelay(fd);
	t0 = now();
	for (i = 0; i < count; i++) {
		memset(out, 'a' + i % 26, size);
		if (io_all(fd, out, size, 1) || io_all(fd, in, size, 0) ||
		    memcmp(in, out, size)) {
			fprintf(stderr, "nb_rr: transaction %ld failed\n", i);
			return 1;
		}
	}
	t = now() - t0;
	close(fd);
	printf("transactions=%ld bytes=%ld seconds=%.3f per_second=%.1f\n",
	       count, size, t, count / t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]));
	if (argc == 6 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atol(argv[4]),
			      atol(argv[5]));
	fprintf(stderr, "usage: nb_rr server PORT | nb_rr client HOST PORT N SIZE\n");
	return 2;
}
