/*
 * cli_term.c — the terminal: colours (only on a TTY, never with NO_COLOR),
 * width, the log sink and the progress bar.
 *
 * The progress bar appears only on a TTY stderr and only once a task has run
 * for a second, so quick commands and pipes never see it; it redraws at most
 * ten times a second and erases itself when the task ends.
 */
#include "cli.h"
#include "cli_docs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

const mamori_embedded_file *cli_doc(const char *name)
{
	for (size_t i = 0; i < mamori_cli_docs_count; i++)
		if (strcmp(mamori_cli_docs[i].name, name) == 0)
			return &mamori_cli_docs[i];
	return NULL;
}

/* color_mode: 1 always, 0 never, -1 auto (TTY and no NO_COLOR, TERM not dumb) */
void cli_term_setup(cli *c, int color_mode)
{
	c->stdout_tty = isatty(STDOUT_FILENO);
	bool err_tty = isatty(STDERR_FILENO);
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	bool allowed = !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));
	c->color_forced = color_mode == 1;
	if (color_mode == 1) {
		c->color_out = c->color_err = true;
	} else if (color_mode == 0) {
		c->color_out = c->color_err = false;
	} else {
		c->color_out = allowed && c->stdout_tty;
		c->color_err = allowed && err_tty;
	}
	c->width = 0;
	if (c->stdout_tty) {
		struct winsize ws;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
			c->width = ws.ws_col;
		else
			c->width = 100;
	}
}

struct cli_progress {
	cli *c;
	char label[96];
	uint64_t total;
	uint64_t done;
	double started;
	double last_draw;
	bool active; /* a task is running: nested tasks keep its start time */
	bool drawn;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void erase(cli_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = false;
	}
}

static void draw(cli_progress *p, bool force)
{
	double t = now_s();
	if (t - p->started < 1.0 || (!force && t - p->last_draw < 0.1))
		return;
	p->last_draw = t;
	char line[160];
	if (p->total) {
		int width = 30;
		int fill = (int)((double)p->done / (double)p->total * width);
		if (fill > width)
			fill = width;
		char bar[32];
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '-', (size_t)(width - fill));
		bar[width] = '\0';
		snprintf(line, sizeof line, "%s [%s] %llu/%llu %.0fs", p->label, bar,
			 (unsigned long long)p->done, (unsigned long long)p->total, t - p->started);
	} else {
		static const char spin[] = "|/-\\";
		snprintf(line, sizeof line, "%s %c %.0fs", p->label, spin[(int)(t * 8) % 4],
			 t - p->started);
	}
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->drawn = true;
}

static void on_begin(void *ud, const char *label, uint64_t total)
{
	cli_progress *p = ud;
	snprintf(p->label, sizeof p->label, "%s", label);
	p->total = total;
	p->done = 0;
	bool nested = p->active;
	if (!p->active) {
		p->started = now_s(); /* the one-second grace counts from the outermost task */
		p->active = true;
	}
	/* a nested task's first update follows at once (the AWS collection
	 * relabels the bar per service and region): let that one draw */
	if (!nested)
		draw(p, true);
}

static void on_update(void *ud, uint64_t done)
{
	cli_progress *p = ud;
	p->done = done;
	draw(p, false);
}

static void on_end(void *ud)
{
	cli_progress *p = ud;
	p->active = false;
	erase(p);
}

static const mamori_progress_ops progress_ops = {on_begin, on_update, on_end};

static const char *const level_color[] = {"\033[1;31m", "\033[33m", "\033[36m", "\033[2m",
					  "\033[2m"};

static void log_sink(void *ud, mamori_log_level level, const char *msg)
{
	cli *c = ud;
	if (c->progress)
		erase(c->progress); /* never interleave with the bar */
	if (c->color_err)
		fprintf(stderr, "mamori: %s%s:\033[0m %s\n", level_color[level],
			mamori_log_level_name(level), msg);
	else
		fprintf(stderr, "mamori: %s: %s\n", mamori_log_level_name(level), msg);
}

void cli_progress_install(cli *c)
{
	mamori_ctx_set_log(c->ctx, (mamori_log_level)c->log_level, log_sink, c);
	if (!isatty(STDERR_FILENO) || c->progress)
		return;
	c->progress = calloc(1, sizeof *c->progress);
	if (!c->progress)
		return;
	c->progress->c = c;
	mamori_ctx_set_progress(c->ctx, &progress_ops, c->progress);
}

void cli_progress_uninstall(cli *c)
{
	if (!c->progress)
		return;
	erase(c->progress);
	mamori_ctx_set_progress(c->ctx, NULL, NULL);
	free(c->progress);
	c->progress = NULL;
}
