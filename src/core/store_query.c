/*
 * store_query.c — the hub's views of a store, written once for every backend.
 *
 * A dashboard over a million findings asks for pages, counts and compliance
 * scores many times a minute.  This file turns a mamori_query into SQL for
 * the backend's dialect (SQLite or PostgreSQL: numbered parameters, ILIKE)
 * and runs it through the backend's two generic primitives, select() and
 * exec() (store_backend.h), so both backends answer with the same semantics.
 *
 * Speed comes from the schema (migration 2, store_schema.c): the summary
 * reads the trigger-kept summary_counts (per dimension, severity and
 * class = record_state * 8 + workflow * 2 + passed) when it is not filtered
 * by a dimension, and groups the findings themselves otherwise; scores read
 * control_status (per control and account); pages use composite indexes
 * ending in (severity, last_observed_at) and stop after their rows; a
 * page's total comes from summary_counts when the filter names at most one
 * dimension, else the page looks one row ahead to say whether more follow.
 */
#include "store_backend.h"
#include "store_schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building SQL ---- */

#define MAX_PARAMS 24

typedef struct sqlq {
	mamori_sql_dialect dialect;
	mamori_buf sql;
	mamori_sql_param params[MAX_PARAMS];
	size_t n;
} sqlq;

static void sq_init(sqlq *q, mamori_store *s)
{
	memset(q, 0, sizeof *q);
	q->dialect = s->ops->dialect;
}

static void sq_free(sqlq *q)
{
	mamori_buf_free(&q->sql);
}

/* Bind p without writing its placeholder; returns its number (see sq_ref). */
static size_t sq_bind(sqlq *q, mamori_sql_param p)
{
	if (q->n == MAX_PARAMS)
		mamori_oom(0); /* a bug: the builders below never bind this many */
	q->params[q->n++] = p;
	return q->n;
}

/* Refer to an already bound placeholder. */
static void sq_ref(sqlq *q, size_t number)
{
	mamori_buf_printf(&q->sql, q->dialect == MAMORI_SQL_POSTGRES ? "$%zu" : "?%zu", number);
}

/* Append a placeholder bound to p; returns its number for reuse. */
static size_t sq_param(sqlq *q, mamori_sql_param p)
{
	size_t n = sq_bind(q, p);
	sq_ref(q, n);
	return n;
}

static size_t sq_text(sqlq *q, const char *text)
{
	return sq_param(q, (mamori_sql_param){text, 0, false});
}

static void sq_num(sqlq *q, int64_t v)
{
	sq_param(q, (mamori_sql_param){NULL, v, true});
}


static void sq_puts(sqlq *q, const char *s)
{
	mamori_buf_puts(&q->sql, s);
}

/* "col IN (a, b)" for the bits set in mask (values 0..max). */
static void sq_in_bits(sqlq *q, const char *col, unsigned mask, int max)
{
	mamori_buf_printf(&q->sql, " AND %s IN (", col);
	bool first = true;
	for (int v = 0; v <= max; v++) {
		if (!(mask & MAMORI_BIT(v)))
			continue;
		mamori_buf_printf(&q->sql, "%s%d", first ? "" : ", ", v);
		first = false;
	}
	if (first)
		sq_puts(q, "-1"); /* no valid bit: matches nothing */
	sq_puts(q, ")");
}

static void sq_eq(sqlq *q, const char *col, const char *v)
{
	if (!v)
		return;
	mamori_buf_printf(&q->sql, " AND %s = ", col);
	sq_text(q, v);
}

/* How a text filter is answered (text_plan). */
typedef enum text_mode { TEXT_SCAN = 0, TEXT_INDEX } text_mode;

#define OPEN_SQL                                                                           \
	"record_state = 0 AND workflow NOT IN (2, 3) AND compliance <> 1"

/* The dimensions of summary_counts, and the query fields that filter them. */
static const char *const dim_names[] = {"pillar", "module", "account", "region",
					"resource_type", "rule"};

static const char *const *dim_values(const mamori_query *q, const char **v)
{
	v[0] = q->pillar, v[1] = q->module, v[2] = q->account, v[3] = q->region;
	v[4] = q->resource_type, v[5] = q->generator;
	return v;
}

/* Filters summary_counts cannot answer at all. */
static bool beyond_counts(const mamori_query *q)
{
	return q->resource_id || q->target || !mamori_str_empty(q->text) || q->since || q->until ||
	       q->compliance >= 0 || q->control;
}

/* How many dimension filters q has; *which is the last one. */
static int dim_filters(const mamori_query *q, int *which)
{
	const char *v[6];
	dim_values(q, v);
	int n = 0;
	for (int i = 0; i < 6; i++)
		if (v[i])
			n++, *which = i;
	return n;
}

/* The state filters of q on summary_counts' class column. */
static void sq_class_where(sqlq *sq, const mamori_query *q)
{
	if (q->severities)
		sq_in_bits(sq, "severity", q->severities, MAMORI_SEV_CRITICAL);
	if (q->workflows)
		sq_in_bits(sq, "(class % 8) / 2", q->workflows, MAMORI_WORKFLOW_SUPPRESSED);
	if (q->record_state >= 0)
		mamori_buf_printf(&sq->sql, " AND class / 8 = %d", q->record_state);
	if (q->open_only)
		sq_puts(sq, " AND class IN (0, 2)"); /* ACTIVE, NEW or NOTIFIED, not passed */
}

/* ---- text search ----
 *
 * Semantics, the same on every backend: the text is a substring of the
 * title, the first resource id or the rule id, letters A-Z matching either
 * case and every other character only itself (SQLite's LIKE; PostgreSQL's
 * LIKE over translate()d columns); or the text is the finding's whole id,
 * or (8 hex digits or more) the start of its hash.
 *
 * Speed: a text of three characters or more has trigrams, and the store a
 * trigram index of those columns (migration 4: FTS5 on SQLite, pg_trgm on
 * PostgreSQL).  The rows holding every trigram of the text are candidates,
 * checked with the LIKE above.  A rare text has few candidates: the query
 * reads them and sorts them (TEXT_INDEX).  A common one has many: reading
 * them all to sort them would cost more than walking the page's ordered
 * index and checking rows until the page is full, which stops early
 * because matches are dense (TEXT_SCAN).  text_plan() counts candidates, up
 * to TEXT_INDEX_MAX, to choose (SQLite: FTS5 counts 20,000 in a few ms);
 * PostgreSQL's GIN cannot count without visiting each candidate's row, so
 * there the planner's estimate stands for the count.  Deeper pages move the
 * limit up: a scan must pass (offset + limit) / density rows, the index
 * path its candidates, so the index wins below sqrt((offset + limit) x N).
 */
#define TEXT_INDEX_MAX 20000
/* pg_trgm's estimates were within 3x at 1M findings (bench/hub): 20,194 for
 * a word in 65,750 findings, which must scan; 10,097 for one in 3,170, which
 * must not */
#define TEXT_INDEX_MAX_ESTIMATED 15000
#define TEXT_TRIGRAMS_MAX 64
#define ASCII_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define ASCII_LOWER "abcdefghijklmnopqrstuvwxyz"

/* The length of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* The FTS5 query of the text's distinct trigrams ("abc" AND "bcd" ...), NULL
 * when it has fewer than three characters. */
static const char *fts_query(const char *text, mamori_arena *a)
{
	const unsigned char *p = (const unsigned char *)text;
	mamori_buf b = MAMORI_BUF_INIT;
	size_t n = 0;
	for (; *p && n < TEXT_TRIGRAMS_MAX; p += char_len(p)) {
		size_t l1 = char_len(p), l2 = p[l1] ? char_len(p + l1) : 0;
		size_t l3 = l2 && p[l1 + l2] ? char_len(p + l1 + l2) : 0;
		if (!l3)
			break;
		mamori_buf gram = MAMORI_BUF_INIT;
		mamori_buf_putc(&gram, '"');
		for (size_t i = 0; i < l1 + l2 + l3; i++) {
			if (p[i] == '"')
				mamori_buf_putc(&gram, '"');
			mamori_buf_putc(&gram, (char)p[i]);
		}
		mamori_buf_putc(&gram, '"');
		if (!b.len || !strstr(mamori_buf_cstr(&b), mamori_buf_cstr(&gram))) {
			mamori_buf_printf(&b, "%s%s", b.len ? " AND " : "", mamori_buf_cstr(&gram));
			n++;
		}
		mamori_buf_free(&gram);
	}
	const char *q = n ? mamori_arena_strdup(a, mamori_buf_cstr(&b)) : NULL;
	mamori_buf_free(&b);
	return q;
}

/*
 * What the index is asked for: a trigram index answers fastest for rare
 * trigrams, and a common one costs as much as reading its whole posting
 * list (at 1,000,000 findings, "resource 42424 " took 34 ms in FTS5 and 3,500
 * buffers in GIN; "42424" alone 2 ms and 150 buffers).  Words holding a
 * digit, punctuation or a non-ASCII character are the rare ones in findings'
 * text (ids, versions, names): the longest such word of three characters or
 * more stands for the text; without one, the whole text.  Any substring of
 * the text gives a superset of its matches, which the LIKE check then
 * narrows, so the choice changes the speed, never the answer.
 */
static const char *candidate_text(const char *text, mamori_arena *a)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		bool rare = false;
		size_t chars = 0;
		for (; *p && *p != ' '; p++) {
			unsigned char ch = (unsigned char)*p;
			rare |= ch >= 0x80 || (ch >= '0' && ch <= '9') ||
				(ch < 0x80 && !(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z'));
			chars += (ch & 0xc0) != 0x80;
		}
		if (rare && chars >= 3 && (size_t)(p - w) > best_len)
			best = w, best_len = (size_t)(p - w);
	}
	return best ? mamori_arena_strndup(a, best, best_len) : text;
}

/* '%text%' with LIKE's wildcards escaped; ASCII letters lowered when asked. */
static const char *like_pattern(const char *text, bool lower, mamori_arena *a)
{
	mamori_buf pat = MAMORI_BUF_INIT;
	mamori_buf_putc(&pat, '%');
	for (const char *p = text; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			mamori_buf_putc(&pat, '\\');
		mamori_buf_putc(&pat, lower && *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p);
	}
	mamori_buf_putc(&pat, '%');
	const char *r = mamori_arena_strdup(a, mamori_buf_cstr(&pat));
	mamori_buf_free(&pat);
	return r;
}

/* 8 hex digits or more: the text may start a finding's hash. */
static bool hash_prefix(const char *text)
{
	size_t n = strspn(text, "0123456789abcdef");
	return n >= 8 && !text[n];
}

static void sq_text_where(sqlq *sq, const char *text, text_mode mode, mamori_arena *a)
{
	bool pg = sq->dialect == MAMORI_SQL_POSTGRES;
	sq_puts(sq, " AND ((");
	if (mode == TEXT_INDEX && pg) {
		sq_puts(sq, MAMORI_PG_TEXT_EXPR " ILIKE ");
		sq_text(sq, like_pattern(candidate_text(text, a), false, a));
		sq_puts(sq, " ESCAPE '\\' AND ");
	} else if (mode == TEXT_INDEX) {
		sq_puts(sq, "rowid IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH ");
		sq_text(sq, fts_query(candidate_text(text, a), a));
		sq_puts(sq, ") AND ");
	}
	/* the check itself: LIKE is ASCII-case-insensitive in SQLite; in
	 * PostgreSQL, LIKE over columns with A-Z lowered is the same */
	size_t n = sq_bind(sq, (mamori_sql_param){like_pattern(text, pg, a), 0, false});
	static const char *const cols[] = {"title", "resource_id", "generator_id"};
	sq_puts(sq, "(");
	for (size_t i = 0; i < 3; i++) {
		if (pg)
			mamori_buf_printf(&sq->sql, "%stranslate(%s, '" ASCII_UPPER "', '" ASCII_LOWER
						    "') LIKE ",
					  i ? " OR " : "", cols[i]);
		else
			mamori_buf_printf(&sq->sql, "%s%s LIKE ", i ? " OR " : "", cols[i]);
		sq_ref(sq, n);
		sq_puts(sq, " ESCAPE '\\'");
	}
	sq_puts(sq, "))");
	if (strchr(text, '/')) {
		sq_puts(sq, " OR id = ");
		sq_text(sq, text);
	}
	if (hash_prefix(text)) {
		sq_puts(sq, pg ? " OR hash LIKE " : " OR (hash >= ");
		size_t h = sq_text(sq, pg ? mamori_arena_printf(a, "%s%%", text) : text);
		if (!pg) {
			sq_puts(sq, " AND hash < ");
			sq_ref(sq, h);
			sq_puts(sq, " || 'g')");
		}
	}
	sq_puts(sq, ")");
}

/* The conditions of q after "WHERE 1=1" on findings; a text filter as mode says. */
static void sq_where(sqlq *sq, const mamori_query *q, text_mode mode, mamori_arena *a)
{
	if (q->severities)
		sq_in_bits(sq, "severity", q->severities, MAMORI_SEV_CRITICAL);
	if (q->workflows)
		sq_in_bits(sq, "workflow", q->workflows, MAMORI_WORKFLOW_SUPPRESSED);
	if (q->record_state >= 0)
		mamori_buf_printf(&sq->sql, " AND record_state = %d", q->record_state);
	if (q->compliance >= 0)
		mamori_buf_printf(&sq->sql, " AND compliance = %d", q->compliance);
	if (q->open_only)
		sq_puts(sq, " AND " OPEN_SQL);
	sq_eq(sq, "pillar", q->pillar);
	sq_eq(sq, "module", q->module);
	sq_eq(sq, "account", q->account);
	sq_eq(sq, "region", q->region);
	sq_eq(sq, "resource_type", q->resource_type);
	sq_eq(sq, "resource_id", q->resource_id);
	sq_eq(sq, "generator_id", q->generator);
	sq_eq(sq, "scope", q->target);
	if (q->since) {
		sq_puts(sq, " AND last_observed_at >= ");
		sq_text(sq, q->since);
	}
	if (q->until) {
		sq_puts(sq, " AND last_observed_at < ");
		sq_text(sq, q->until);
	}
	if (q->control) {
		/* as finding_controls records them: a requirement without '/'
		 * is a standard whose control is the rule */
		const char *standard, *control;
		bool split = mamori_requirement_split(q->control, a, &standard, &control);
		sq_puts(sq, " AND id IN (SELECT finding_id FROM finding_controls WHERE standard = ");
		sq_text(sq, standard);
		sq_puts(sq, split ? " AND control = " : " AND control = generator_id");
		if (split)
			sq_text(sq, control);
		sq_puts(sq, ")");
	}
	if (!mamori_str_empty(q->text))
		sq_text_where(sq, q->text, mode, a);
}

static int sq_select(mamori_ctx *ctx, mamori_store *s, sqlq *q, mamori_sql_row_fn row, void *ud)
{
	return s->ops->select(ctx, s, mamori_buf_cstr(&q->sql), q->params, q->n, row, ud);
}

static int count_row(void *ud, const char *const *c, size_t n)
{
	*(size_t *)ud = n ? (size_t)strtoull(c[0] ? c[0] : "0", NULL, 10) : 0;
	return MAMORI_OK;
}

/* Does the store have its text index (migration 4)?  Asked once per store. */
static int text_index(mamori_ctx *ctx, mamori_store *s)
{
	if (s->text_index)
		return MAMORI_OK;
	size_t n = 0;
	int rc = s->ops->select(ctx, s,
				s->ops->dialect == MAMORI_SQL_POSTGRES
					? "SELECT count(*) FROM pg_indexes WHERE schemaname = "
					  "current_schema() AND indexname = 'findings_text_trgm'"
					: "SELECT count(*) FROM sqlite_master WHERE name = 'findings_fts'",
				NULL, 0, count_row, &n);
	if (rc == MAMORI_OK)
		s->text_index = n ? 1 : -1;
	return rc;
}

/* The estimated rows of the plan EXPLAIN (FORMAT JSON) printed. */
static int plan_rows(void *ud, const char *const *c, size_t n)
{
	const char *at = n && c[0] ? strstr(c[0], "\"Plan Rows\":") : NULL;
	*(size_t *)ud = at ? (size_t)strtoull(at + 12, NULL, 10) : SIZE_MAX / 4;
	return MAMORI_OK;
}

/* How to answer q's text filter: through the index when it has few
 * candidates or when every match is wanted anyway (not a page). */
static int text_plan(mamori_ctx *ctx, mamori_store *s, const mamori_query *q, bool page,
		     mamori_arena *a, text_mode *mode)
{
	*mode = TEXT_SCAN;
	const char *cand = mamori_str_empty(q->text) ? NULL : candidate_text(q->text, a);
	const char *match = cand ? fts_query(cand, a) : NULL;
	if (!match)
		return MAMORI_OK;
	int rc = text_index(ctx, s);
	if (rc || s->text_index < 0)
		return rc;
	if (!page) {
		*mode = TEXT_INDEX;
		return MAMORI_OK;
	}
	/* a deep page of a scan costs (offset + limit) / density rows, the
	 * index its candidates: past page 1 the index wins for more of them */
	size_t total = 0, deep = q->offset + q->limit;
	rc = s->ops->select(ctx, s,
			    "SELECT coalesce(sum(n), 0) FROM summary_counts WHERE dim = 'pillar'",
			    NULL, 0, count_row, &total);
	if (rc)
		return rc;
	size_t limit = (size_t)sqrt((double)deep * (double)total);
	bool pg = s->ops->dialect == MAMORI_SQL_POSTGRES;
	if (limit < (pg ? TEXT_INDEX_MAX_ESTIMATED : TEXT_INDEX_MAX))
		limit = pg ? TEXT_INDEX_MAX_ESTIMATED : TEXT_INDEX_MAX;
	sqlq sq;
	sq_init(&sq, s);
	size_t n = 0;
	if (pg) {
		/* counting would cost a heap visit per candidate (GIN only says
		 * "maybe"): ask the planner's estimate instead, which pg_trgm
		 * bases on the trigram index's statistics */
		sq_puts(&sq, "EXPLAIN (FORMAT JSON) SELECT 1 FROM findings WHERE " MAMORI_PG_TEXT_EXPR
			     " ILIKE ");
		sq_text(&sq, like_pattern(cand, false, a));
		sq_puts(&sq, " ESCAPE '\\'");
		rc = sq_select(ctx, s, &sq, plan_rows, &n);
	} else {
		sq_puts(&sq, "SELECT count(*) FROM (SELECT rowid FROM findings_fts WHERE "
			     "findings_fts MATCH ");
		sq_text(&sq, match);
		mamori_buf_printf(&sq.sql, " LIMIT %zu) AS x", limit + 1);
		rc = sq_select(ctx, s, &sq, count_row, &n);
	}
	sq_free(&sq);
	if (rc == MAMORI_OK && n <= limit)
		*mode = TEXT_INDEX;
	return rc;
}

static size_t to_size(const char *s)
{
	return s ? (size_t)strtoull(s, NULL, 10) : 0;
}

static int to_int(const char *s)
{
	return s ? atoi(s) : 0;
}

/* ---- a small string-keyed table for the aggregations ---- */

typedef struct keymap {
	const char **keys;
	size_t *index; /* position in the caller's array */
	size_t cap;    /* power of two */
	size_t count;
} keymap;

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The index stored for key, or SIZE_MAX. */
static size_t keymap_find(const keymap *m, const char *key)
{
	if (!m->cap)
		return SIZE_MAX;
	size_t j = fnv(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (strcmp(m->keys[j], key) == 0)
			return m->index[j];
		j = (j + 1) & (m->cap - 1);
	}
	return SIZE_MAX;
}

/* Add key (which must outlive the map) at index; the key must be new. */
static void keymap_put(keymap *m, const char *key, size_t index)
{
	if (m->count * 2 >= m->cap) {
		keymap bigger = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
		bigger.keys = mamori_xcalloc(bigger.cap, sizeof *bigger.keys);
		bigger.index = mamori_xcalloc(bigger.cap, sizeof *bigger.index);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				keymap_put(&bigger, m->keys[i], m->index[i]);
		free(m->keys);
		free(m->index);
		*m = bigger;
	}
	size_t j = fnv(key) & (m->cap - 1);
	while (m->keys[j])
		j = (j + 1) & (m->cap - 1);
	m->keys[j] = key;
	m->index[j] = index;
	m->count++;
}

static void keymap_free(keymap *m)
{
	free(m->keys);
	free(m->index);
	memset(m, 0, sizeof *m);
}

/* ---- a page of findings ---- */

typedef struct page_rows {
	mamori_ctx *ctx;
	mamori_findings *out;
} page_rows;

/* columns: created_at, first_observed_at, workflow, record_state, compliance,
 * severity, updated_at, last_observed_at, doc */
#define PAGE_COLUMNS                                                                        \
	"created_at, first_observed_at, workflow, record_state, compliance, severity, "      \
	"updated_at, last_observed_at, doc"

static int page_row(void *ud, const char *const *c, size_t n)
{
	page_rows *pr = ud;
	if (n < 9 || !c[8])
		return mamori_error_set(pr->ctx, MAMORI_ESTORE, "a stored finding has no document");
	mamori_store_state st = {.exists = true};
	snprintf(st.created_at, sizeof st.created_at, "%s", c[0] ? c[0] : "");
	snprintf(st.first_observed_at, sizeof st.first_observed_at, "%s", c[1] ? c[1] : "");
	st.workflow = to_int(c[2]);
	st.record_state = to_int(c[3]);
	st.compliance = to_int(c[4]);
	st.severity = to_int(c[5]);
	return mamori_store_row_to_finding(pr->ctx, pr->out, c[8], strlen(c[8]), &st,
					   c[6] ? c[6] : "", c[7] ? c[7] : "");
}

static const char *order_by(mamori_sort sort, bool asc)
{
	/* one direction for every column, ending with id, so that an index
	 * (migration 2) can be walked forwards or backwards and pages never
	 * overlap */
	static const char *const desc[MAMORI_SORT_COUNT_] = {
		[MAMORI_SORT_SEVERITY] = "severity DESC, last_observed_at DESC, id DESC",
		[MAMORI_SORT_LAST_SEEN] = "last_observed_at DESC, id DESC",
		[MAMORI_SORT_FIRST_SEEN] = "first_observed_at DESC, id DESC",
		[MAMORI_SORT_TITLE] = "title DESC, id DESC",
		[MAMORI_SORT_RESOURCE] = "resource_id DESC, id DESC",
		[MAMORI_SORT_ACCOUNT] = "account DESC, severity DESC, last_observed_at DESC, id DESC",
		[MAMORI_SORT_REGION] = "region DESC, severity DESC, last_observed_at DESC, id DESC",
		[MAMORI_SORT_RULE] = "generator_id DESC, severity DESC, last_observed_at DESC, id DESC",
		[MAMORI_SORT_WORKFLOW] = "workflow DESC, severity DESC, last_observed_at DESC, id DESC",
	};
	static const char *const ascending[MAMORI_SORT_COUNT_] = {
		[MAMORI_SORT_SEVERITY] = "severity, last_observed_at, id",
		[MAMORI_SORT_LAST_SEEN] = "last_observed_at, id",
		[MAMORI_SORT_FIRST_SEEN] = "first_observed_at, id",
		[MAMORI_SORT_TITLE] = "title, id",
		[MAMORI_SORT_RESOURCE] = "resource_id, id",
		[MAMORI_SORT_ACCOUNT] = "account, severity, last_observed_at, id",
		[MAMORI_SORT_REGION] = "region, severity, last_observed_at, id",
		[MAMORI_SORT_RULE] = "generator_id, severity, last_observed_at, id",
		[MAMORI_SORT_WORKFLOW] = "workflow, severity, last_observed_at, id",
	};
	unsigned i = (unsigned)sort < MAMORI_SORT_COUNT_ ? (unsigned)sort : 0;
	return asc ? ascending[i] : desc[i];
}


int mamori_store_find(mamori_ctx *ctx, mamori_store *store, const mamori_query *q,
		      mamori_findings *out, mamori_page_info *page)
{
	mamori_arena a = {0};
	int which = 0;
	text_mode mode;
	int rc = text_plan(ctx, store, q, q->limit != 0, &a, &mode);
	if (rc) {
		mamori_arena_free(&a);
		return rc;
	}
	/* a total from summary_counts, or else a lower bound: one row more than
	 * the page tells whether more follow, where an exact count would read
	 * every matching row of a million (not so for a text search answered by
	 * its index: the candidates are few, and counting them is exact) */
	bool counted = !beyond_counts(q) && dim_filters(q, &which) <= 1;
	bool lookahead = page && !counted && q->limit && mode != TEXT_INDEX;
	size_t before = out->count;
	sqlq sq;
	sq_init(&sq, store);
	sq_puts(&sq, "SELECT " PAGE_COLUMNS " FROM findings WHERE 1=1");
	sq_where(&sq, q, mode, &a);
	mamori_buf_printf(&sq.sql, " ORDER BY %s", order_by(q->sort, q->ascending));
	if (q->limit) {
		sq_puts(&sq, " LIMIT ");
		sq_num(&sq, (int64_t)q->limit + lookahead);
	} else if (store->ops->dialect == MAMORI_SQL_SQLITE) {
		sq_puts(&sq, " LIMIT -1"); /* SQLite needs a LIMIT before OFFSET */
	}
	if (q->offset) {
		sq_puts(&sq, " OFFSET ");
		sq_num(&sq, (int64_t)q->offset);
	}
	page_rows pr = {ctx, out};
	rc = sq_select(ctx, store, &sq, page_row, &pr);
	sq_free(&sq);
	if (rc == MAMORI_OK && lookahead) {
		size_t got = out->count - before;
		memset(page, 0, sizeof *page);
		page->total = q->offset + got;
		if (got > q->limit) {
			out->count--; /* the look-ahead row is not part of the page */
			page->total = q->offset + q->limit + 1;
			page->total_capped = true;
		}
	} else if (rc == MAMORI_OK && page) {
		memset(page, 0, sizeof *page);
		sq_init(&sq, store);
		if (counted) {
			const char *v[6];
			dim_values(q, v);
			sq_puts(&sq, "SELECT coalesce(sum(n), 0) FROM summary_counts WHERE n > 0");
			if (dim_filters(q, &which)) {
				/* the name comes from dim_names, the value is bound */
				mamori_buf_printf(&sq.sql, " AND dim = '%s' AND key = ",
						  dim_names[which]);
				sq_text(&sq, v[which]);
			} else {
				sq_puts(&sq, " AND dim = 'pillar'"); /* every finding has one */
			}
			sq_class_where(&sq, q);
		} else {
			sq_puts(&sq, "SELECT count(*) FROM (SELECT 1 FROM findings WHERE 1=1");
			sq_where(&sq, q, mode, &a);
			mamori_buf_printf(&sq.sql, " LIMIT %d) AS x", MAMORI_COUNT_CAP + 1);
		}
		rc = sq_select(ctx, store, &sq, count_row, &page->total);
		sq_free(&sq);
		if (page->total > MAMORI_COUNT_CAP && !counted)
			page->total = MAMORI_COUNT_CAP, page->total_capped = true;
	}
	mamori_arena_free(&a);
	return rc;
}

/* ---- the summary ---- */

typedef struct count_builder {
	mamori_count *items;
	size_t count, cap;
	keymap map;
} count_builder;

static mamori_count *count_slot(count_builder *b, mamori_arena *a, const char *key)
{
	size_t i = keymap_find(&b->map, key);
	if (i != SIZE_MAX)
		return &b->items[i];
	if (b->count == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->items = mamori_xrealloc(b->items, b->cap * sizeof *b->items);
	}
	mamori_count *c = &b->items[b->count];
	memset(c, 0, sizeof *c);
	c->key = mamori_arena_strdup(a, key);
	keymap_put(&b->map, c->key, b->count++);
	return c;
}

static int by_open_desc(const void *x, const void *y)
{
	const mamori_count *a = x, *b = y;
	if (a->open != b->open)
		return a->open < b->open ? 1 : -1;
	if (a->total != b->total)
		return a->total < b->total ? 1 : -1;
	return strcmp(a->key, b->key);
}

static void count_finish(count_builder *b, mamori_arena *a, mamori_count_list *out)
{
	if (b->count) /* qsort's array may not be NULL, even empty */
		qsort(b->items, b->count, sizeof *b->items, by_open_desc);
	out->count = b->count;
	out->items = b->count ? mamori_arena_memdup(a, b->items, b->count * sizeof *b->items) : NULL;
	free(b->items);
	keymap_free(&b->map);
	memset(b, 0, sizeof *b);
}

typedef struct summary_acc {
	mamori_store_summary *s;
	count_builder dims[4]; /* pillar, module, account, region */
} summary_acc;

static void count_add(mamori_count *c, size_t n, bool open, int sev)
{
	c->total += n;
	if (open) {
		c->open += n;
		c->by_severity[sev] += n;
	}
}

/* Count n findings of one state into dimension dim's key, and into the totals
 * when dim is the pillar (0): every finding has exactly one pillar. */
static void summary_add(summary_acc *acc, int dim, const char *key, int sev, int wf, int rs,
			bool passed, size_t n)
{
	mamori_store_summary *s = acc->s;
	if (sev < 0 || sev > MAMORI_SEV_CRITICAL)
		sev = 0;
	bool open = rs == MAMORI_RECORD_ACTIVE && wf != MAMORI_WORKFLOW_RESOLVED &&
		    wf != MAMORI_WORKFLOW_SUPPRESSED && !passed;
	if (dim == 0) {
		s->total += n;
		if (open) {
			s->open += n;
			s->by_severity[sev] += n;
		}
		if (rs == MAMORI_RECORD_ARCHIVED) {
			s->archived += n;
		} else {
			if (wf >= 0 && wf <= MAMORI_WORKFLOW_SUPPRESSED)
				s->by_workflow[wf] += n;
			if (passed)
				s->passed += n;
		}
	}
	count_add(count_slot(&acc->dims[dim], &s->arena, key ? key : ""), n, open, sev);
}

/* from findings: pillar, module, account, region, severity, workflow,
 * record_state, compliance, n */
static int summary_row(void *ud, const char *const *c, size_t ncols)
{
	summary_acc *acc = ud;
	if (ncols < 9 || !to_size(c[8]))
		return MAMORI_OK;
	size_t n = to_size(c[8]);
	int sev = to_int(c[4]), wf = to_int(c[5]), rs = to_int(c[6]);
	bool passed = to_int(c[7]) == MAMORI_COMPLIANCE_PASSED;
	for (int d = 0; d < 4; d++) /* the pillar (d = 0) also counts the totals */
		summary_add(acc, d, c[d], sev, wf, rs, passed, n);
	return MAMORI_OK;
}

/* from summary_counts: dim, key, severity, class, n */
static int counted_row(void *ud, const char *const *c, size_t ncols)
{
	summary_acc *acc = ud;
	if (ncols < 5 || !c[0] || !to_size(c[4]))
		return MAMORI_OK;
	int dim = -1;
	for (int d = 0; d < 4 && dim < 0; d++)
		if (!strcmp(c[0], dim_names[d]))
			dim = d;
	int cls = to_int(c[3]);
	if (dim >= 0)
		summary_add(acc, dim, c[1], to_int(c[2]), (cls % 8) / 2, cls / 8, cls % 2,
			    to_size(c[4]));
	return MAMORI_OK;
}

int mamori_store_summarize(mamori_ctx *ctx, mamori_store *store, const mamori_query *q,
			   mamori_store_summary *out)
{
	memset(out, 0, sizeof *out);
	mamori_arena_init(&out->arena, 0);
	text_mode mode;
	int rc = text_plan(ctx, store, q, false, &out->arena, &mode);
	if (rc) {
		mamori_store_summary_free(out);
		return rc;
	}
	sqlq sq;
	sq_init(&sq, store);
	int which = 0;
	bool counted = !beyond_counts(q) && dim_filters(q, &which) == 0;
	if (counted) {
		sq_puts(&sq, "SELECT dim, key, severity, class, n FROM summary_counts WHERE n > 0 "
			     "AND dim IN ('pillar', 'module', 'account', 'region')");
		sq_class_where(&sq, q);
	} else {
		sq_puts(&sq, "SELECT coalesce(pillar, ''), module, account, coalesce(region, ''), "
			     "severity, workflow, record_state, compliance, count(*) FROM findings "
			     "WHERE 1=1");
		sq_where(&sq, q, mode, &out->arena);
		sq_puts(&sq, " GROUP BY coalesce(pillar, ''), module, account, coalesce(region, ''), "
			     "severity, workflow, record_state, compliance");
	}
	summary_acc acc = {out, {{0}}};
	rc = sq_select(ctx, store, &sq, counted ? counted_row : summary_row, &acc);
	sq_free(&sq);
	mamori_count_list *lists[4] = {&out->pillars, &out->modules, &out->accounts, &out->regions};
	for (int d = 0; d < 4; d++)
		count_finish(&acc.dims[d], &out->arena, lists[d]);
	if (rc)
		mamori_store_summary_free(out);
	return rc;
}

void mamori_store_summary_free(mamori_store_summary *s)
{
	mamori_arena_free(&s->arena);
	memset(s, 0, sizeof *s);
}

/* ---- standards and controls ---- */

bool mamori_requirement_split(const char *req, mamori_arena *a, const char **standard,
			      const char **control)
{
	const char *slash = req ? strrchr(req, '/') : NULL;
	if (!slash || slash == req || !slash[1]) {
		*standard = req;
		*control = NULL;
		return false;
	}
	*standard = mamori_arena_strndup(a, req, (size_t)(slash - req));
	*control = mamori_arena_strdup(a, slash + 1);
	return true;
}

/* The (standard, control) pairs a finding belongs to. */
typedef struct pair {
	const char *standard;
	const char *control;
} pair;

static size_t finding_controls(const mamori_finding *f, mamori_arena *a, pair **out)
{
	size_t n = f->related_requirements.count;
	*out = mamori_arena_alloc(a, (n + 1) * sizeof **out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		pair p;
		if (!mamori_requirement_split(f->related_requirements.items[i], a, &p.standard,
					      &p.control))
			p.control = f->generator_id;
		if (mamori_str_empty(p.standard) || mamori_str_empty(p.control))
			continue;
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = !strcmp((*out)[j].standard, p.standard) &&
			      !strcmp((*out)[j].control, p.control);
		if (!dup)
			(*out)[k++] = p;
	}
	return k;
}

typedef struct pair_rows {
	mamori_arena *a;
	pair *items;
	size_t count, cap;
} pair_rows;

static int pair_row(void *ud, const char *const *c, size_t n)
{
	pair_rows *pr = ud;
	if (n < 2)
		return MAMORI_OK;
	if (pr->count == pr->cap) {
		pr->cap = pr->cap ? pr->cap * 2 : 8;
		pair *bigger = mamori_arena_alloc(pr->a, pr->cap * sizeof *bigger);
		if (pr->count)
			memcpy(bigger, pr->items, pr->count * sizeof *bigger);
		pr->items = bigger;
	}
	pr->items[pr->count++] = (pair){mamori_arena_strdup(pr->a, c[0] ? c[0] : ""),
					mamori_arena_strdup(pr->a, c[1] ? c[1] : "")};
	return MAMORI_OK;
}

static bool same_pairs(const pair *a, size_t na, const pair *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t j = 0; j < nb && !found; j++)
			found = !strcmp(a[i].standard, b[j].standard) &&
				!strcmp(a[i].control, b[j].control);
		if (!found)
			return false;
	}
	return true;
}

int mamori_store_sync_controls(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f,
			       bool known)
{
	mamori_arena a = {0};
	pair *want;
	size_t nwant = finding_controls(f, &a, &want);
	const char *sel = s->ops->dialect == MAMORI_SQL_POSTGRES
				  ? "SELECT standard, control FROM finding_controls WHERE finding_id = $1"
				  : "SELECT standard, control FROM finding_controls WHERE finding_id = ?1";
	mamori_sql_param id = {f->id, 0, false};
	pair_rows have = {&a, NULL, 0, 0};
	/* a new finding has none yet: no need to ask */
	int rc = known ? s->ops->select(ctx, s, sel, &id, 1, pair_row, &have) : MAMORI_OK;
	if (rc || same_pairs(want, nwant, have.items, have.count)) {
		mamori_arena_free(&a);
		return rc;
	}
	bool pg = s->ops->dialect == MAMORI_SQL_POSTGRES;
	if (have.count)
		rc = s->ops->exec(ctx, s,
				  pg ? "DELETE FROM finding_controls WHERE finding_id = $1"
				     : "DELETE FROM finding_controls WHERE finding_id = ?1",
				  &id, 1);
	for (size_t i = 0; rc == MAMORI_OK && i < nwant; i++) {
		mamori_sql_param p[3] = {id, {want[i].standard, 0, false}, {want[i].control, 0, false}};
		rc = s->ops->exec(ctx, s,
				  pg ? "INSERT INTO finding_controls VALUES ($1, $2, $3) ON CONFLICT "
				       "DO NOTHING"
				     : "INSERT OR FAIL INTO finding_controls VALUES (?1, ?2, ?3) ON CONFLICT "
				       "DO NOTHING",
				  p, 3);
	}
	mamori_arena_free(&a);
	return rc;
}

/* Each standard's controls passed, failed and unknown, from control_status. */
#define SNAPSHOT_SELECT                                                                     \
	" standard, sum(CASE WHEN st = 1 THEN 1 ELSE 0 END), "                              \
	"sum(CASE WHEN st = 2 THEN 1 ELSE 0 END), sum(CASE WHEN st = 0 THEN 1 ELSE 0 END) "  \
	"FROM (SELECT standard, control, CASE WHEN sum(failed) > 0 THEN 2 WHEN sum(passed) > 0 " \
	"THEN 1 ELSE 0 END AS st FROM control_status WHERE passed + failed + other > 0 "       \
	"GROUP BY standard, control) AS c GROUP BY standard"

int mamori_store_snapshot_compliance(mamori_ctx *ctx, mamori_store *s, int64_t scan_id,
				     const char *at)
{
	mamori_sql_param p[2] = {{NULL, scan_id, true}, {at, 0, false}};
	return s->ops->exec(ctx, s,
			    s->ops->dialect == MAMORI_SQL_POSTGRES
				    ? "INSERT INTO compliance_snapshots (scan_id, at, standard, passed, "
				      "failed, unknown) SELECT $1, $2," SNAPSHOT_SELECT
				    : "INSERT INTO compliance_snapshots (scan_id, at, standard, passed, "
				      "failed, unknown) SELECT ?1, ?2," SNAPSHOT_SELECT,
			    p, 2);
}

typedef struct control_builder {
	mamori_arena *a;
	mamori_control *items;
	size_t count, cap;
	keymap map;
	mamori_buf key;
} control_builder;

static mamori_control *control_slot(control_builder *b, const char *standard, const char *control,
				    const char *account)
{
	mamori_buf_reset(&b->key);
	mamori_buf_printf(&b->key, "%s\x1f%s\x1f%s", standard, control, account ? account : "");
	size_t i = keymap_find(&b->map, mamori_buf_cstr(&b->key));
	if (i != SIZE_MAX)
		return &b->items[i];
	if (b->count == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->items = mamori_xrealloc(b->items, b->cap * sizeof *b->items);
	}
	mamori_control *c = &b->items[b->count++];
	memset(c, 0, sizeof *c);
	c->standard = mamori_arena_strdup(b->a, standard);
	c->control = mamori_arena_strdup(b->a, control);
	c->account = account ? mamori_arena_strdup(b->a, account) : NULL;
	c->max_severity = -1;
	keymap_put(&b->map, mamori_arena_strdup(b->a, mamori_buf_cstr(&b->key)), b->count - 1);
	return c;
}

typedef struct compliance_acc {
	control_builder cells, controls;
} compliance_acc;

static void control_add(mamori_control *c, size_t passed, size_t failed, int max_sev)
{
	c->passed += passed;
	c->failed += failed;
	if (max_sev > c->max_severity)
		c->max_severity = max_sev;
	c->state = c->failed ? MAMORI_CONTROL_FAILED
		   : c->passed ? MAMORI_CONTROL_PASSED
			       : MAMORI_CONTROL_UNKNOWN;
}

/* columns: standard, control, account, passed, failed, other, f0..f4 */
static int compliance_row(void *ud, const char *const *c, size_t ncols)
{
	compliance_acc *acc = ud;
	if (ncols < 11 || !c[0] || !c[1] || !c[2])
		return MAMORI_OK;
	size_t passed = to_size(c[3]), failed = to_size(c[4]);
	int max_sev = -1;
	for (int sev = 0; sev <= MAMORI_SEV_CRITICAL; sev++)
		if (to_size(c[6 + sev]))
			max_sev = sev;
	control_add(control_slot(&acc->cells, c[0], c[1], c[2]), passed, failed, max_sev);
	control_add(control_slot(&acc->controls, c[0], c[1], NULL), passed, failed, max_sev);
	return MAMORI_OK;
}

/* Numeric-aware comparison, so that control 2.10 comes after 2.9. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			char *ea, *eb;
			unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);
			if (x != y)
				return x < y ? -1 : 1;
			a = ea, b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++, b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int by_standard_control(const void *x, const void *y)
{
	const mamori_control *a = x, *b = y;
	int c = strcmp(a->standard, b->standard);
	if (!c)
		c = natural_cmp(a->control, b->control);
	if (!c)
		c = strcmp(a->account ? a->account : "", b->account ? b->account : "");
	return c;
}

/* Failing controls first, the most severe and widespread first. */
static int by_importance(const void *x, const void *y)
{
	const mamori_control *a = x, *b = y;
	if (a->state != b->state)
		return a->state == MAMORI_CONTROL_FAILED ? -1
		       : b->state == MAMORI_CONTROL_FAILED ? 1
							   : (int)b->state - (int)a->state;
	if (a->max_severity != b->max_severity)
		return b->max_severity - a->max_severity;
	if (a->failed != b->failed)
		return a->failed < b->failed ? 1 : -1;
	return by_standard_control(a, b);
}

int mamori_store_compliance(mamori_ctx *ctx, mamori_store *store, const char *account,
			    mamori_compliance_report *out)
{
	memset(out, 0, sizeof *out);
	mamori_arena_init(&out->arena, 0);
	sqlq sq;
	sq_init(&sq, store);
	sq_puts(&sq, "SELECT standard, control, account, passed, failed, other, f0, f1, f2, f3, f4 "
		     "FROM control_status WHERE passed + failed + other > 0");
	if (account) {
		sq_puts(&sq, " AND account = ");
		sq_text(&sq, account);
	}
	compliance_acc acc = {{&out->arena, NULL, 0, 0, {0}, MAMORI_BUF_INIT},
			      {&out->arena, NULL, 0, 0, {0}, MAMORI_BUF_INIT}};
	int rc = sq_select(ctx, store, &sq, compliance_row, &acc);
	sq_free(&sq);
	keymap_free(&acc.cells.map);
	keymap_free(&acc.controls.map);
	mamori_buf_free(&acc.cells.key);
	mamori_buf_free(&acc.controls.key);
	if (rc) {
		free(acc.cells.items);
		free(acc.controls.items);
		mamori_compliance_report_free(out);
		return rc;
	}
	if (acc.cells.count)
		qsort(acc.cells.items, acc.cells.count, sizeof *acc.cells.items,
		      by_standard_control);
	if (acc.controls.count)
		qsort(acc.controls.items, acc.controls.count, sizeof *acc.controls.items,
		      by_standard_control);
	/* standards: one pass over the controls, which are grouped by standard */
	out->standards = mamori_arena_alloc(&out->arena,
					    (acc.controls.count + 1) * sizeof *out->standards);
	for (size_t i = 0; i < acc.controls.count; i++) {
		const mamori_control *c = &acc.controls.items[i];
		mamori_standard_score *s = out->standard_count
						   ? &out->standards[out->standard_count - 1]
						   : NULL;
		if (!s || strcmp(s->standard, c->standard) != 0) {
			s = &out->standards[out->standard_count++];
			memset(s, 0, sizeof *s);
			s->standard = c->standard;
		}
		if (c->state == MAMORI_CONTROL_PASSED)
			s->passed++;
		else if (c->state == MAMORI_CONTROL_FAILED)
			s->failed++;
		else
			s->unknown++;
	}
	for (size_t i = 0; i < out->standard_count; i++) {
		mamori_standard_score *s = &out->standards[i];
		s->score = s->passed + s->failed ? (double)s->passed / (double)(s->passed + s->failed)
						 : -1;
	}
	if (acc.controls.count)
		qsort(acc.controls.items, acc.controls.count, sizeof *acc.controls.items,
		      by_importance);
	out->controls = acc.controls.count ? mamori_arena_memdup(&out->arena, acc.controls.items,
								 acc.controls.count *
									 sizeof *acc.controls.items)
					   : NULL;
	out->control_count = acc.controls.count;
	out->cells = acc.cells.count ? mamori_arena_memdup(&out->arena, acc.cells.items,
							   acc.cells.count * sizeof *acc.cells.items)
				     : NULL;
	out->cell_count = acc.cells.count;
	free(acc.cells.items);
	free(acc.controls.items);
	return MAMORI_OK;
}

void mamori_compliance_report_free(mamori_compliance_report *c)
{
	mamori_arena_free(&c->arena);
	memset(c, 0, sizeof *c);
}

typedef struct trend_rows {
	mamori_arena *a;
	mamori_score_point *items;
	size_t count, cap;
} trend_rows;

static int trend_row(void *ud, const char *const *c, size_t n)
{
	trend_rows *t = ud;
	if (n < 6)
		return MAMORI_OK;
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		mamori_score_point *bigger = mamori_arena_alloc(t->a, t->cap * sizeof *bigger);
		if (t->count)
			memcpy(bigger, t->items, t->count * sizeof *bigger);
		t->items = bigger;
	}
	mamori_score_point *p = &t->items[t->count++];
	p->scan_id = c[0] ? strtoll(c[0], NULL, 10) : 0;
	p->at = mamori_arena_strdup(t->a, c[1] ? c[1] : "");
	p->standard = mamori_arena_strdup(t->a, c[2] ? c[2] : "");
	p->passed = to_size(c[3]);
	p->failed = to_size(c[4]);
	p->unknown = to_size(c[5]);
	return MAMORI_OK;
}

int mamori_store_compliance_trend(mamori_ctx *ctx, mamori_store *store, size_t limit,
				  mamori_score_point **out, size_t *count, mamori_arena *arena)
{
	sqlq sq;
	sq_init(&sq, store);
	sq_puts(&sq, "SELECT scan_id, at, standard, passed, failed, unknown FROM "
		     "compliance_snapshots WHERE scan_id IN (SELECT DISTINCT scan_id FROM "
		     "compliance_snapshots ORDER BY scan_id DESC LIMIT ");
	sq_num(&sq, limit ? (int64_t)limit : 30);
	sq_puts(&sq, ") ORDER BY scan_id, standard");
	trend_rows t = {arena, NULL, 0, 0};
	int rc = sq_select(ctx, store, &sq, trend_row, &t);
	sq_free(&sq);
	*out = t.items;
	*count = rc ? 0 : t.count;
	return rc;
}

/* ---- resources and facets ---- */

typedef struct resource_rows {
	mamori_arena *a;
	mamori_resource_info *items;
	size_t count, cap;
} resource_rows;

static int resource_row(void *ud, const char *const *c, size_t n)
{
	resource_rows *r = ud;
	if (n < 8)
		return MAMORI_OK;
	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		mamori_resource_info *bigger = mamori_arena_alloc(r->a, r->cap * sizeof *bigger);
		if (r->count)
			memcpy(bigger, r->items, r->count * sizeof *bigger);
		r->items = bigger;
	}
	mamori_resource_info *i = &r->items[r->count++];
	i->id = mamori_arena_strdup(r->a, c[0] ? c[0] : "");
	i->type = mamori_arena_strdup(r->a, c[1] ? c[1] : "");
	i->account = mamori_arena_strdup(r->a, c[2] ? c[2] : "");
	i->region = mamori_arena_strdup(r->a, c[3] ? c[3] : "");
	i->findings = to_size(c[4]);
	i->open = to_size(c[5]);
	i->max_severity = c[6] ? atoi(c[6]) : -1;
	i->last_seen = mamori_arena_strdup(r->a, c[7] ? c[7] : "");
	return MAMORI_OK;
}

int mamori_store_resources(mamori_ctx *ctx, mamori_store *store, const mamori_query *q,
			   mamori_resource_info **out, size_t *count, mamori_arena *arena)
{
	text_mode mode;
	*out = NULL;
	*count = 0;
	int rc = text_plan(ctx, store, q, false, arena, &mode);
	if (rc)
		return rc;
	sqlq sq;
	sq_init(&sq, store);
	sq_puts(&sq, "SELECT resource_id, max(resource_type), max(account), max(region), count(*), "
		     "sum(CASE WHEN " OPEN_SQL " THEN 1 ELSE 0 END), "
		     "max(CASE WHEN " OPEN_SQL " THEN severity ELSE -1 END), max(last_observed_at) "
		     "FROM findings WHERE resource_id IS NOT NULL");
	sq_where(&sq, q, mode, arena);
	sq_puts(&sq, " GROUP BY resource_id ORDER BY 7 DESC, 6 DESC, 1 LIMIT ");
	sq_num(&sq, (int64_t)(q->limit ? q->limit : 50));
	sq_puts(&sq, " OFFSET ");
	sq_num(&sq, (int64_t)q->offset);
	resource_rows r = {arena, NULL, 0, 0};
	rc = sq_select(ctx, store, &sq, resource_row, &r);
	sq_free(&sq);
	*out = r.items;
	*count = rc ? 0 : r.count;
	return rc;
}

typedef struct facet_rows {
	mamori_arena *a;
	count_builder b;
} facet_rows;

static int facet_row(void *ud, const char *const *c, size_t n)
{
	facet_rows *f = ud;
	if (n < 2 || !c[0] || !*c[0])
		return MAMORI_OK;
	mamori_count *slot = count_slot(&f->b, f->a, c[0]);
	slot->total += to_size(c[1]);
	slot->open = slot->total; /* order by frequency */
	return MAMORI_OK;
}

int mamori_store_facet(mamori_ctx *ctx, mamori_store *store, const char *column, size_t limit,
		       mamori_count_list *out, mamori_arena *arena)
{
	/* columns of findings and their dimension in summary_counts */
	static const char *const columns[][2] = {
		{"pillar", "pillar"}, {"module", "module"}, {"account", "account"},
		{"region", "region"}, {"resource_type", "resource_type"}, {"generator_id", "rule"},
	};
	const char *dim = NULL;
	for (size_t i = 0; i < sizeof columns / sizeof *columns && !dim; i++)
		if (column && !strcmp(column, columns[i][0]))
			dim = columns[i][1];
	memset(out, 0, sizeof *out);
	if (!dim)
		return mamori_error_set(ctx, MAMORI_EUSAGE, "cannot list the values of \"%s\"",
					column ? column : "");
	sqlq sq;
	sq_init(&sq, store);
	sq_puts(&sq, "SELECT key, sum(n) FROM summary_counts WHERE n > 0 AND dim = ");
	sq_text(&sq, dim);
	sq_puts(&sq, " GROUP BY key ORDER BY 2 DESC, 1 LIMIT ");
	sq_num(&sq, (int64_t)(limit ? limit : 200));
	facet_rows f = {arena, {0}};
	int rc = sq_select(ctx, store, &sq, facet_row, &f);
	sq_free(&sq);
	count_finish(&f.b, arena, out);
	return rc;
}
