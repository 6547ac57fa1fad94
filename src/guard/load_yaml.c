/*
 * load_yaml.c — YAML documents into Guard values through libfyaml's event
 * API (see load.h for the typing and the CloudFormation tags).
 *
 * Events are folded into values with an explicit stack of open containers,
 * so a deeply nested document cannot exhaust the C stack; the depth is
 * capped at MG_MAX_DEPTH.  Anchors are remembered when their node is
 * complete and an alias shares the anchored value (no copy, so "billion
 * laughs" costs nothing); an alias to a node still being built is refused.
 */
#include "load.h"

#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cfn-guard's SINGLE_VALUE_FUNC_REF: scalar forms, value kept as a string. */
static const char *const single_fn[] = {"Ref",	       "Base64",    "Sub",	 "GetAZs",
					"ImportValue", "GetAtt",    "Condition", "RefAll",
					NULL};
/* SEQUENCE_VALUE_FUNC_REF: sequence forms. */
static const char *const seq_fn[] = {"GetAtt",	 "Sub",		 "Select",	     "Split",
				     "Join",	 "FindInMap",	 "And",		     "Equals",
				     "Contains", "EachMemberIn", "EachMemberEquals", "ValueOf",
				     "If",	 "Not",		 "Or",		     NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return true;
	return false;
}

/* "Ref" and "Condition" keep their names; everything else gets "Fn::". */
static void long_name(const char *s, size_t n, char *out, size_t outlen)
{
	if ((n == 3 && memcmp(s, "Ref", 3) == 0) || (n == 9 && memcmp(s, "Condition", 9) == 0))
		snprintf(out, outlen, "%.*s", (int)n, s);
	else
		snprintf(out, outlen, "Fn::%.*s", (int)n, s);
}

typedef struct yanchor {
	char *name;
	const mg_value *value; /* NULL while the anchored node is being built */
} yanchor;

typedef struct yframe {
	mg_value *node;	   /* the list or map being built */
	mg_value *wrapper; /* {"Fn::X": node} for a tagged sequence, or NULL */
	size_t start;	   /* first child in pend */
	long anchor;	   /* index in anchors, or -1 */
	bool is_map;
} yframe;

typedef struct yloader {
	mamori_ctx *ctx;
	const char *path;
	const char *buf;
	size_t len;
	mamori_arena *arena;
	mg_value **pend;
	size_t npend, cappend;
	yframe *stack;
	size_t depth, capstack;
	yanchor *anchors;
	size_t nanchors, capanchors;
	mg_value **docs;
	size_t ndocs, capdocs;
	mg_value *doc_root;
} yloader;

static int yerr_at(yloader *l, const struct fy_mark *m, const char *fmt, ...) MAMORI_PRINTF(3, 4);

static int yerr_at(yloader *l, const struct fy_mark *m, const char *fmt, ...)
{
	size_t off = m ? m->input_pos : 0;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mamori_error_set_at(l->ctx, MAMORI_EINPUT, l->path, l->buf, l->len,
				   off > l->len ? l->len : off, "%s", msg);
}

static void push_pend(yloader *l, mg_value *v)
{
	if (l->npend == l->cappend) {
		l->cappend = l->cappend ? l->cappend * 2 : 256;
		l->pend = mamori_xrealloc(l->pend, l->cappend * sizeof *l->pend);
	}
	l->pend[l->npend++] = v;
}

static void set_loc(mg_value *v, const struct fy_mark *m)
{
	if (m) {
		v->line = (uint32_t)m->line + 1;
		v->col = (uint32_t)m->column + 1;
	}
}

static long anchor_begin(yloader *l, struct fy_token *anchor)
{
	if (!anchor)
		return -1;
	size_t n = 0;
	const char *s = fy_token_get_text(anchor, &n);
	if (!s)
		return -1;
	if (l->nanchors == l->capanchors) {
		l->capanchors = l->capanchors ? l->capanchors * 2 : 16;
		l->anchors = mamori_xrealloc(l->anchors, l->capanchors * sizeof *l->anchors);
	}
	yanchor *a = &l->anchors[l->nanchors];
	a->name = mamori_arena_strndup(l->arena, s, n);
	a->value = NULL;
	return (long)l->nanchors++;
}

/* Is the next value pushed into the top frame a mapping key? */
static bool at_key(yloader *l)
{
	if (!l->depth)
		return false;
	yframe *f = &l->stack[l->depth - 1];
	return f->is_map && ((l->npend - f->start) % 2) == 0;
}

/* A complete value: into its container, or the document root. */
static int deliver(yloader *l, mg_value *v, const struct fy_mark *m)
{
	if (!l->depth) {
		l->doc_root = v;
		return 0;
	}
	if (at_key(l)) {
		if (v->type != MG_STRING)
			return yerr_at(l, m, "%s",
				       "a mapping key must be a scalar (complex keys and tagged "
				       "intrinsic functions as keys are not supported)");
		if (!(v->flags & MG_F_KEY)) {
			/* an alias used as a key: give the key its own node */
			mg_value *k = mg_new(l->arena, MG_STRING);
			*k = *v;
			k->parent = NULL;
			v = k;
		}
		v->flags |= MG_F_KEY;
	}
	push_pend(l, v);
	return 0;
}

static mg_value *wrap_fn(yloader *l, const char *suffix, size_t n, mg_value *inner,
			 const struct fy_mark *m)
{
	char name[64];
	long_name(suffix, n, name, sizeof name);
	mg_value *w = mg_new(l->arena, MG_MAP);
	set_loc(w, m);
	mg_value *k = mg_new_str(l->arena, MG_STRING, name, strlen(name));
	k->flags = MG_F_KEY;
	set_loc(k, m);
	mg_value *kv[2] = {k, inner};
	mg_load_finish_map(l->arena, w, kv, 1);
	return w;
}

/* Tag handle and suffix: "!" + "Ref", "!!" + "int", or a verbatim tag. */
static void tag_parts(struct fy_token *tag, const char **h, size_t *hl, const char **sfx,
		      size_t *sl)
{
	*h = fy_tag_token_handle(tag, hl);
	*sfx = fy_tag_token_suffix(tag, sl);
	if (!*h) {
		*h = "";
		*hl = 0;
	}
	if (!*sfx) {
		*sfx = "";
		*sl = 0;
	}
}

#define YAML_TYPE_PREFIX "tag:yaml.org,2002:"

/* Which standard type a tag names ("int", "str"...), or NULL. */
static const char *std_type(const char *h, size_t hl, const char *s, size_t sl, size_t *tl)
{
	if (hl == 2 && memcmp(h, "!!", 2) == 0) {
		*tl = sl;
		return s;
	}
	size_t pl = strlen(YAML_TYPE_PREFIX);
	if (sl > pl && memcmp(s, YAML_TYPE_PREFIX, pl) == 0) {
		*tl = sl - pl;
		return s + pl;
	}
	return NULL;
}

static int on_scalar(yloader *l, struct fy_event *e)
{
	struct fy_event_scalar_data *sd = &e->scalar;
	const struct fy_mark *m = fy_event_start_mark(e);
	size_t n = 0;
	const char *text = fy_token_get_text(sd->value, &n);
	if (!text) {
		text = "";
		n = 0;
	}
	long anc = anchor_begin(l, sd->anchor);
	bool key = at_key(l);
	mg_value *v = mg_new(l->arena, MG_STRING);
	set_loc(v, m);
	bool plain = fy_token_scalar_style(sd->value) == FYSS_PLAIN;
	const char *h = "", *sfx = "";
	size_t hl = 0, sl = 0;
	if (sd->tag)
		tag_parts(sd->tag, &h, &hl, &sfx, &sl);
	size_t tl = 0;
	const char *ty = sd->tag ? std_type(h, hl, sfx, sl, &tl) : NULL;
	bool set_str = true;
	if (sd->tag && hl == 1 && h[0] == '!') {
		if (key)
			return yerr_at(l, m, "%s",
				       "a tagged intrinsic function cannot be a mapping key");
		if (in_list(single_fn, sfx, sl)) {
			char *p = mamori_arena_alloc(l->arena, n + 1);
			memcpy(p, text, n);
			v->s.p = p;
			v->s.len = (uint32_t)n;
			v = wrap_fn(l, sfx, sl, v, m);
			set_str = false;
		}
		/* any other local tag: the scalar stays a string */
	} else if (ty && !key) {
		if (tl == 3 && memcmp(ty, "int", 3) == 0) {
			if (!mg_parse_i64(text, n, &v->i))
				return yerr_at(l, m, "%s", "a !!int scalar is not an integer");
			v->type = MG_INT;
			set_str = false;
		} else if (tl == 5 && memcmp(ty, "float", 5) == 0) {
			if (!mg_parse_f64(text, n, &v->f))
				return yerr_at(l, m, "%s", "a !!float scalar is not a number");
			v->type = MG_FLOAT;
			set_str = false;
		} else if (tl == 4 && memcmp(ty, "bool", 4) == 0) {
			if ((n == 4 && memcmp(text, "true", 4) == 0) ||
			    (n == 5 && memcmp(text, "false", 5) == 0)) {
				v->type = MG_BOOL;
				v->b = n == 4;
				set_str = false;
			}
		} else if (tl == 4 && memcmp(ty, "null", 4) == 0) {
			v->type = MG_NULL;
			set_str = false;
		}
	} else if (!sd->tag && plain && !key) {
		mg_type_plain_scalar(text, n, v);
		set_str = v->type == MG_STRING;
	}
	if (set_str) {
		char *p = mamori_arena_alloc(l->arena, n + 1);
		memcpy(p, text, n);
		v->s.p = p;
		v->s.len = (uint32_t)n;
		if (key)
			v->flags = MG_F_KEY;
	}
	if (anc >= 0)
		l->anchors[anc].value = v;
	return deliver(l, v, m);
}

static int on_start(yloader *l, struct fy_event *e, bool is_map)
{
	const struct fy_mark *m = fy_event_start_mark(e);
	if (at_key(l))
		return yerr_at(l, m, "%s",
			       "a mapping key must be a scalar (complex keys are not supported)");
	if (l->depth >= MG_MAX_DEPTH)
		return yerr_at(l, m, "%s", "nested deeper than the limit (1000 levels)");
	struct fy_token *anchor = is_map ? e->mapping_start.anchor : e->sequence_start.anchor;
	struct fy_token *tag = is_map ? e->mapping_start.tag : e->sequence_start.tag;
	mg_value *node = mg_new(l->arena, is_map ? MG_MAP : MG_LIST);
	set_loc(node, m);
	mg_value *wrapper = NULL;
	if (!is_map && tag) {
		const char *h, *sfx;
		size_t hl, sl;
		tag_parts(tag, &h, &hl, &sfx, &sl);
		if (hl == 1 && h[0] == '!' && in_list(seq_fn, sfx, sl)) {
			char name[64];
			long_name(sfx, sl, name, sizeof name);
			wrapper = mg_new(l->arena, MG_MAP);
			set_loc(wrapper, m);
			mg_value *k = mg_new_str(l->arena, MG_STRING, name, strlen(name));
			k->flags = MG_F_KEY;
			set_loc(k, m);
			/* the key waits in the wrapper's list slot until the sequence ends */
			wrapper->map.k = mamori_arena_alloc(l->arena, sizeof(mg_value *));
			wrapper->map.k[0] = k;
		}
	}
	if (l->depth == l->capstack) {
		l->capstack = l->capstack ? l->capstack * 2 : 32;
		l->stack = mamori_xrealloc(l->stack, l->capstack * sizeof *l->stack);
	}
	l->stack[l->depth++] = (yframe){node, wrapper, l->npend, anchor_begin(l, anchor), is_map};
	return 0;
}

static int on_end(yloader *l, struct fy_event *e)
{
	yframe f = l->stack[--l->depth];
	size_t n = l->npend - f.start;
	mg_value **items = n ? l->pend + f.start : NULL; /* pend is NULL before the first item */
	if (f.is_map)
		mg_load_finish_map(l->arena, f.node, items, n / 2);
	else
		mg_load_finish_list(l->arena, f.node, items, n);
	l->npend = f.start;
	mg_value *v = f.node;
	if (f.wrapper) {
		mg_value *kv[2] = {f.wrapper->map.k[0], f.node};
		mg_load_finish_map(l->arena, f.wrapper, kv, 1);
		v = f.wrapper;
	}
	if (f.anchor >= 0)
		l->anchors[f.anchor].value = v;
	return deliver(l, v, fy_event_start_mark(e));
}

static int on_alias(yloader *l, struct fy_event *e)
{
	size_t n = 0;
	const char *name = fy_token_get_text(e->alias.anchor, &n);
	const struct fy_mark *m = fy_event_start_mark(e);
	if (!name)
		return yerr_at(l, m, "%s", "bad alias");
	for (size_t i = l->nanchors; i-- > 0;) {
		yanchor *a = &l->anchors[i];
		if (strlen(a->name) == n && memcmp(a->name, name, n) == 0) {
			if (!a->value)
				return yerr_at(l, m, "%s", "an alias refers to a node that contains it");
			return deliver(l, (mg_value *)a->value, m);
		}
	}
	char nm[80];
	snprintf(nm, sizeof nm, "%.*s", (int)(n < 60 ? n : 60), name);
	return yerr_at(l, m, "unknown alias *%s", nm);
}

static void add_doc(yloader *l)
{
	if (l->ndocs == l->capdocs) {
		l->capdocs = l->capdocs ? l->capdocs * 2 : 4;
		l->docs = mamori_xrealloc(l->docs, l->capdocs * sizeof *l->docs);
	}
	mg_value *root = l->doc_root;
	if (!root)
		root = mg_new_str(l->arena, MG_STRING, "", 0);
	l->docs[l->ndocs++] = root;
	l->doc_root = NULL;
}

static int parse_error(yloader *l, struct fy_diag *diag)
{
	void *it = NULL;
	struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
	if (de && de->line >= 0) {
		size_t off = 0;
		for (int ln = 0; off < l->len && ln < de->line; off++)
			if (l->buf[off] == '\n')
				ln++;
		off += (size_t)(de->column > 0 ? de->column : 0);
		return mamori_error_set_at(l->ctx, MAMORI_EINPUT, l->path, l->buf, l->len,
					   off > l->len ? l->len : off, "invalid YAML: %s",
					   de->msg ? de->msg : "syntax error");
	}
	return mamori_error_set(l->ctx, MAMORI_EINPUT, "%s: invalid YAML", l->path);
}

int mg_load_yaml(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		 mamori_arena *arena, mg_docs *out)
{
	yloader l = {.ctx = ctx, .path = path, .buf = buf, .len = len, .arena = arena};
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (!diag)
		mamori_oom(0);
	fy_diag_set_collect_errors(diag, true);
	struct fy_parse_cfg cfg = {0};
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_ALLOW_DUPLICATE_KEYS |
		    FYPCF_SLOPPY_FLOW_INDENTATION; /* libyaml (cfn-guard) is lenient there */
	cfg.diag = diag;
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp)
		mamori_oom(0);
	int rc = 0;
	bool ended = false;
	if (fy_parser_set_string(fyp, buf, len) != 0) {
		rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot read YAML", path);
		goto done;
	}
	struct fy_event *e;
	while (!rc && (e = fy_parser_parse(fyp)) != NULL) {
		switch (e->type) {
		case FYET_STREAM_END:
			ended = true;
			break;
		case FYET_DOCUMENT_END:
			add_doc(&l);
			break;
		case FYET_SCALAR:
			rc = on_scalar(&l, e);
			break;
		case FYET_SEQUENCE_START:
			rc = on_start(&l, e, false);
			break;
		case FYET_MAPPING_START:
			rc = on_start(&l, e, true);
			break;
		case FYET_SEQUENCE_END:
		case FYET_MAPPING_END:
			rc = on_end(&l, e);
			break;
		case FYET_ALIAS:
			rc = on_alias(&l, e);
			break;
		default:
			break;
		}
		fy_parser_event_free(fyp, e);
	}
	if (!rc && !ended)
		rc = parse_error(&l, diag);
done:
	fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	free(l.pend);
	free(l.stack);
	free(l.anchors);
	if (rc) {
		free(l.docs);
		return rc < 0 ? rc : MAMORI_EINPUT;
	}
	out->roots = mamori_arena_alloc(arena, (l.ndocs ? l.ndocs : 1) * sizeof(mg_value *));
	if (l.ndocs)
		memcpy(out->roots, l.docs, l.ndocs * sizeof(mg_value *));
	out->count = l.ndocs;
	free(l.docs);
	return MAMORI_OK;
}
