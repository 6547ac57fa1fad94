/*
 * json-libs — runs each per-library parse benchmark in its own process and
 * prints MB/s and peak RSS side by side, the measurement behind libmamori's
 * choice of JSON library (see ARCHITECTURE.md).
 *
 * usage: json-libs DIR-OF-PARSERS FILE [REPEAT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR FILE [REPEAT]\n", argv[0]);
		return 2;
	}
	const char *libs[][2] = {{"jansson", "bench-json-jansson"},
				 {"json-c", "bench-json-jsonc"},
				 {"cJSON", "bench-json-cjson"}};
	const char *repeat = argc > 3 ? argv[3] : "3";
	struct stat st;
	if (stat(argv[2], &st)) {
		perror(argv[2]);
		return 2;
	}
	printf("JSON DOM parse + walk of %s (%.1f MB); peak RSS includes the %.1f MB input buffer\n",
	       argv[2], (double)st.st_size / 1048576, (double)st.st_size / 1048576);
	printf("%-8s %9s %13s %15s\n", "library", "MB/s", "peak RSS MB", "string bytes");
	for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
		char exe[4096];
		snprintf(exe, sizeof exe, "%s/%s", argv[1], libs[i][1]);
		int fds[2];
		if (pipe(fds))
			return 3;
		pid_t pid = fork();
		if (pid < 0)
			return 3;
		if (pid == 0) {
			dup2(fds[1], 1);
			close(fds[0]);
			execl(exe, exe, argv[2], repeat, (char *)NULL);
			perror(exe);
			_exit(127);
		}
		close(fds[1]);
		char line[256] = {0};
		ssize_t got = read(fds[0], line, sizeof line - 1);
		close(fds[0]);
		int status = 0;
		struct rusage ru;
		wait4(pid, &status, 0, &ru);
		double mbs = 0;
		size_t bytes = 0;
		if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
		    sscanf(line, "%lf %zu", &mbs, &bytes) != 2) {
			printf("%-8s failed\n", libs[i][0]);
			continue;
		}
		printf("%-8s %9.1f %13.1f %15zu\n", libs[i][0], mbs, (double)ru.ru_maxrss / 1024, bytes);
	}
	return 0;
}
