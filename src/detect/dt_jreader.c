/*
 * dt_jreader.c — the JSON record stream (see dt_jreader.h).
 *
 * The top level is a small state machine over the window: between records
 * it decides what comes next (a wrapper object whose first member is
 * "Records", an array, or a record object); a record is indexed in one go
 * and, when the window ends inside it, the window is refilled and the
 * record indexed again from its start.
 */
#include "dt_jreader.h"

#include <stdio.h>

enum { TOP, IN_ARRAY, AFTER_WRAPPER_ARRAY };

static void problem_at(dt_jreader *r, size_t off, const char *msg)
{
	uint64_t line;
	unsigned col;
	dt_input_position(r->in, off, &line, &col);
	r->stats.errors++;
	if (r->problem)
		r->problem(r->ud, r->in->path, line, col, msg);
}

static void deliver(dt_jreader *r, dt_index *ix, uint64_t line, int depth);

/* Index and deliver one object given in memory (an envelope's payload). */
static void deliver_span(dt_jreader *r, const char *p, size_t n, uint64_t line, int depth)
{
	const char *q = dt_json_ws(p, p + n), *err = NULL;
	if (q >= p + n || *q != '{')
		return;
	if (dt_json_index(r->ix, r->paths, &q, p + n, &err) == DT_JS_OK)
		deliver(r, r->ix, line, depth + 1);
}

static void deliver(dt_jreader *r, dt_index *ix, uint64_t line, int depth)
{
	if (depth < 3 && r->slot_marker >= 0 && ix->first[r->slot_marker] < 0) {
		/* not an event itself: maybe an envelope around one */
		const dt_jval *v;
		if (r->slot_detail >= 0 && (v = dt_index_get(ix, r->slot_detail)) &&
		    v->type == DT_JOBJ) {
			deliver_span(r, v->p, v->len, line, depth);
			return;
		}
		if (r->slot_event_data >= 0 && (v = dt_index_get(ix, r->slot_event_data))) {
			if (v->type == DT_JOBJ) {
				deliver_span(r, v->p, v->len, line, depth);
				return;
			}
			if (v->type == DT_JSTR) {
				char *s = dt_scratch_alloc(r->scratch, v->len + 1);
				dt_jval copy = *v;
				size_t n = dt_json_unescape(&copy, s);
				deliver_span(r, s, n, line, depth);
				return;
			}
		}
		if (r->slot_records >= 0 && (v = dt_index_get(ix, r->slot_records)) &&
		    v->type == DT_JARR) {
			/* a wrapper whose "Records" was not its first member */
			dt_jval arr = *v, el;
			size_t it = 0;
			while (dt_json_array_next(&arr, &it, &el))
				if (el.type == DT_JOBJ)
					deliver_span(r, el.p, el.len, line, depth);
				else
					r->stats.not_objects++;
			return;
		}
	}
	r->stats.records++;
	r->record(r->ud, ix, line);
}

/* Is the object at p (a '{') a wrapper: first member "Records" holding an array?
 * Returns 1 yes (*after = after the '['), 0 no, -1 need more input. */
static int wrapper_start(const char *p, const char *end, const char **after)
{
	const char *q = dt_json_ws(p + 1, end);
	if (end - q < 12)
		return -1;
	if (memcmp(q, "\"Records\"", 9) != 0)
		return 0;
	q = dt_json_ws(q + 9, end);
	if (q >= end)
		return -1;
	if (*q != ':')
		return 0;
	q = dt_json_ws(q + 1, end);
	if (q >= end)
		return -1;
	if (*q != '[')
		return 0;
	*after = q + 1;
	return 1;
}

/* After an error: resume at the next line. Returns false at the end of input. */
static bool resync(dt_jreader *r, size_t from)
{
	dt_input *in = r->in;
	for (;;) {
		const char *nl = memchr(in->buf + from, '\n', in->end - from);
		if (nl) {
			in->start = (size_t)(nl - in->buf) + 1;
			return true;
		}
		in->start = in->end;
		from = 0;
		if (dt_input_fill(in) == 0)
			return false;
	}
}

int dt_jreader_run(dt_jreader *r)
{
	dt_input *in = r->in;
	int state = TOP;
	bool wrapper = false, reported = false;
	for (;;) {
		const char *base = in->buf;
		const char *p = dt_json_ws(base + in->start, base + in->end);
		const char *end = base + in->end;
		in->start = (size_t)(p - base);
		if (p >= end) {
			if (dt_input_fill(in) == 0)
				break;
			continue;
		}
		const char *err = NULL;
		int rc;
		if (state == IN_ARRAY) {
			if (*p == ',') {
				in->start++;
				continue;
			}
			if (*p == ']') {
				in->start++;
				state = wrapper ? AFTER_WRAPPER_ARRAY : TOP;
				continue;
			}
			if (*p != '{') {
				const char *q = p;
				rc = dt_json_skip(&q, end, NULL, &err);
				if (rc == DT_JS_OK) {
					r->stats.not_objects++;
					problem_at(r, in->start, "array element is not an object; skipped");
					in->start = (size_t)(q - base);
					continue;
				}
				goto more_or_error;
			}
		} else if (state == AFTER_WRAPPER_ARRAY) {
			/* other members of the wrapper after "Records" */
			if (*p == '}') {
				in->start++;
				state = TOP;
				wrapper = false;
				continue;
			}
			if (*p == ',') {
				in->start++;
				continue;
			}
			const char *q = p;
			dt_jval k;
			if (*q != '"') {
				err = "expected a member name";
				rc = DT_JS_ERR;
				goto more_or_error;
			}
			rc = dt_json_string(&q, end, &k);
			if (rc == DT_JS_OK) {
				q = dt_json_ws(q, end);
				if (q < end && *q == ':')
					q++;
				rc = dt_json_skip(&q, end, NULL, &err);
			}
			if (rc == DT_JS_OK) {
				in->start = (size_t)(q - base);
				continue;
			}
			goto more_or_error;
		} else { /* TOP */
			if (*p == '[') {
				in->start++;
				state = IN_ARRAY;
				wrapper = false;
				continue;
			}
			if (*p != '{') {
				err = "expected a JSON object or array";
				rc = DT_JS_ERR;
				goto more_or_error;
			}
			const char *after;
			int w = wrapper_start(p, end, &after);
			if (w < 0 && !in->eof) {
				if (dt_input_fill(in) == 0 && !in->eof)
					goto too_long;
				continue;
			}
			if (w == 1) {
				in->start = (size_t)(after - base);
				state = IN_ARRAY;
				wrapper = true;
				continue;
			}
		}
		/* a record object at p */
		{
			uint64_t line;
			unsigned col;
			const char *q = p;
			rc = dt_json_index(r->ix, r->paths, &q, end, &err);
			if (rc == DT_JS_OK) {
				dt_input_position(in, in->start, &line, &col);
				dt_scratch_reset(r->scratch);
				deliver(r, r->ix, line, 0);
				in->start = (size_t)(q - base);
				continue;
			}
			p = q;
		}
	more_or_error:
		if (rc == DT_JS_MORE) {
			if (in->eof) {
				problem_at(r, in->start,
					   in->error[0] ? in->error
							: "input ends inside a JSON value (truncated file?)");
				reported = true;
				in->start = in->end;
				break;
			}
			size_t got = dt_input_fill(in);
			if (got == 0 && !in->eof)
				goto too_long;
			continue;
		}
		{
			size_t off = (size_t)(p - base);
			char msg[160];
			snprintf(msg, sizeof msg, "invalid JSON: %s", err ? err : "syntax error");
			problem_at(r, off, msg);
			state = TOP;
			wrapper = false;
			if (!resync(r, off))
				break;
			continue;
		}
	too_long:
		problem_at(r, in->start, "a record is longer than the reader's window; skipped");
		if (!resync(r, in->start))
			break;
		state = TOP;
	}
	if (in->error[0] && !reported) {
		problem_at(r, in->start, in->error);
	} else if (!reported && (state == IN_ARRAY || state == AFTER_WRAPPER_ARRAY)) {
		problem_at(r, in->start, "input ends inside the array of records (truncated file?)");
	}
	return MAMORI_OK;
}
