/*
 * runsend: run a command once with stdin from a file and stdout to
 * /dev/null; print "<wall_s> <maxrss_kb> <exit_status>".
 *
 *   runsend INFILE CMD [ARG...]
 *
 * Wall time is CLOCK_MONOTONIC from fork to reap; the peak RSS comes from
 * wait4().  Used by tests/bench/fallback.py: a small C parent, because Linux
 * carries the pre-exec RSS of a forked child into ru_maxrss, so a python
 * parent would report its own size.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	pid_t pid;
	int in, st;

	if (argc < 3) {
		fprintf(stderr, "usage: runsend infile cmd [arg...]\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY);
	if (in < 0) {
		perror(argv[1]);
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in, 0);
		if (null >= 0)
			dup2(null, 1);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("wait4");
		return 2;
	}
	t1 = now();
	printf("%.6f %ld %d\n", t1 - t0, ru.ru_maxrss,
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
