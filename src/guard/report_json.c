/*
 * report_json.c — Guard values as cJSON trees, and cJSON trees printed the
 * way serde_json's pretty printer prints them (cfn-guard's JSON output).
 *
 * cJSON keeps numbers as doubles, which would turn the integer 5 and the
 * float 5.0 into the same thing and round integers beyond 2^53.  Numbers
 * that come from Guard values are therefore kept as raw cJSON items
 * holding their exact text ("5", "5.0", "1.5e-7"); the JSON and YAML
 * printers write raw items as they are (non-finite floats, which JSON
 * cannot hold, as null).
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static cJSON *raw_number(const mg_value *v)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mg_buf_ready(&b, 32);
	if (v->type == MG_INT)
		mamori_buf_printf(&b, "%lld", (long long)v->i);
	else if (isnan(v->f))
		mamori_buf_puts(&b, ".nan");
	else if (isinf(v->f))
		mamori_buf_puts(&b, v->f < 0 ? "-.inf" : ".inf");
	else
		mg_fmt_f64_ryu(v->f, &b);
	cJSON *r = cJSON_CreateRaw(b.data);
	mamori_buf_free(&b);
	return r;
}

static cJSON *value_json(const mg_value *v, int depth)
{
	if (depth > MG_MAX_DEPTH)
		return cJSON_CreateNull();
	switch ((mg_type)v->type) {
	case MG_NULL:
		return cJSON_CreateNull();
	case MG_BOOL:
		return cJSON_CreateBool(v->b);
	case MG_INT:
	case MG_FLOAT:
		return raw_number(v);
	case MG_STRING: {
		char *s = mamori_xmalloc(v->s.len + 1);
		memcpy(s, v->s.p, v->s.len);
		s[v->s.len] = '\0';
		cJSON *r = cJSON_CreateString(s);
		free(s);
		return r;
	}
	case MG_LIST: {
		cJSON *a = cJSON_CreateArray();
		for (uint32_t i = 0; i < v->list.n; i++)
			cJSON_AddItemToArray(a, value_json(v->list.v[i], depth + 1));
		return a;
	}
	case MG_MAP: {
		cJSON *o = cJSON_CreateObject();
		for (uint32_t i = 0; i < v->map.n; i++) {
			const mg_value *k = v->map.k[i];
			char *key = mamori_xmalloc(k->s.len + 1);
			memcpy(key, k->s.p, k->s.len);
			key[k->s.len] = '\0';
			cJSON_AddItemToObject(o, key, value_json(v->map.v[i], depth + 1));
			free(key);
		}
		return o;
	}
	default: {
		/* regexes, ranges and characters as the text cfn-guard shows */
		mamori_buf b = MAMORI_BUF_INIT;
		mg_to_json(v, &b);
		cJSON *j = cJSON_ParseWithLength(b.data, b.len);
		mamori_buf_free(&b);
		return j ? j : cJSON_CreateNull();
	}
	}
}

cJSON *mg_report_value(const mg_value *v)
{
	return value_json(v, 0);
}

/* ---- JSON text (evidence) back into a tree, numbers kept exact ---- */

typedef struct {
	const char *s;
	size_t pos;
} numscan;

/* the next number token outside strings, or false at the end */
static bool next_number(numscan *ns, const char **start, size_t *len)
{
	const char *s = ns->s;
	size_t i = ns->pos;
	while (s[i]) {
		if (s[i] == '"') {
			for (i++; s[i] && s[i] != '"'; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (s[i])
				i++;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			size_t b = i;
			while (s[i] && strchr("+-.0123456789eE", s[i]))
				i++;
			*start = s + b;
			*len = i - b;
			ns->pos = i;
			return true;
		} else {
			i++;
		}
	}
	ns->pos = i;
	return false;
}

/* cJSON walks a tree in the order its text was written: the n-th number
 * node is the n-th number token */
static void restore_numbers(cJSON *node, numscan *ns, int depth)
{
	for (; node; node = node->next) {
		if (cJSON_IsNumber(node)) {
			const char *t;
			size_t n;
			if (!next_number(ns, &t, &n))
				return;
			char *text = mamori_xmalloc(n + 1);
			memcpy(text, t, n);
			text[n] = '\0';
			cJSON *raw = cJSON_CreateRaw(text);
			free(text);
			node->type = cJSON_Raw;
			node->valuestring = raw->valuestring;
			raw->valuestring = NULL;
			cJSON_Delete(raw);
		} else if (node->child && depth < MG_MAX_DEPTH) {
			restore_numbers(node->child, ns, depth + 1);
		}
	}
}

cJSON *mg_report_json_text(const char *s)
{
	if (!s)
		return cJSON_CreateNull();
	cJSON *j = cJSON_Parse(s);
	if (!j)
		return cJSON_CreateString(s);
	numscan ns = {s, 0};
	restore_numbers(j, &ns, 0);
	return j;
}

/* ---- serde_json's pretty printer ---- */

static void json_string(const char *s, mamori_buf *out)
{
	mg_json_str(s, strlen(s), out);
}

static void newline_indent(mamori_buf *out, int level)
{
	mamori_buf_putc(out, '\n');
	for (int i = 0; i < level; i++)
		mamori_buf_puts(out, "  ");
}

static void json_value(const cJSON *v, int level, mamori_buf *out)
{
	if (level > 2 * MG_MAX_DEPTH) {
		mamori_buf_puts(out, "null");
		return;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		bool obj = cJSON_IsObject(v);
		mamori_buf_putc(out, obj ? '{' : '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			newline_indent(out, level + 1);
			if (obj) {
				json_string(c->string ? c->string : "", out);
				mamori_buf_puts(out, ": ");
			}
			json_value(c, level + 1, out);
			if (c->next)
				mamori_buf_putc(out, ',');
		}
		if (v->child)
			newline_indent(out, level);
		mamori_buf_putc(out, obj ? '}' : ']');
	} else if (cJSON_IsRaw(v)) {
		const char *r = v->valuestring;
		/* non-finite floats (.nan, .inf, -.inf): serde_json writes null */
		mamori_buf_puts(out, r[0] == '.' || (r[0] == '-' && r[1] == '.') ? "null" : r);
	} else if (cJSON_IsString(v)) {
		json_string(v->valuestring, out);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 9007199254740992.0)
			mamori_buf_printf(out, "%.0f", d);
		else
			mg_fmt_f64_ryu(d, out);
	} else if (cJSON_IsBool(v)) {
		mamori_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	} else {
		mamori_buf_puts(out, "null");
	}
}

void mg_report_json(const cJSON *root, mamori_buf *out)
{
	if (!out->data)
		mg_buf_ready(out, 256);
	json_value(root, 0, out);
}

int mg_report_print(const cJSON *root, bool yaml, bool final_newline, FILE *out)
{
	mamori_buf b = MAMORI_BUF_INIT;
	if (yaml) {
		mg_report_yaml(root, &b);
	} else {
		mg_report_json(root, &b);
		if (final_newline)
			mamori_buf_putc(&b, '\n');
	}
	if (b.len)
		fwrite(b.data, 1, b.len, out);
	mamori_buf_free(&b);
	return ferror(out) ? -1 : 0;
}
