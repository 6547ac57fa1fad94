#include "mamori/waf.h"
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
	char line[1 << 16];
	int which = argc > 1 ? argv[1][0] : 's';
	while (fgets(line, sizeof line, stdin)) {
		size_t n = strcspn(line, "\n");
		line[n] = 0;
		const char *why = NULL; size_t at = 0, span = 0;
		bool r = which == 'x' ? mamori_waf_xss(line, n, &why, &at, &span) : mamori_waf_sqli(line, n, which == 'h' || which == 's', &why, &at, &span);
		printf("%s\t%s\t[%.*s]\t%s\n", r ? "HIT" : "-", r ? why : "", (int)(r ? span : 0), line + at, line);
	}
}
