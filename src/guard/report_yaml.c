/*
 * report_yaml.c — cJSON trees printed as YAML (block style), for the
 * structured report and the parse tree, which cfn-guard prints as YAML on
 * request.  Strings are quoted whenever a plain scalar would be read back
 * as something else.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool plain_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return false;
	mg_value probe = {0};
	mg_type_plain_scalar(s, n, &probe);
	if (probe.type != MG_STRING)
		return false;
	if (strchr("!&*-?:,[]{}#|>@`\"'% \t", s[0]) || s[n - 1] == ' ')
		return false;
	static const char *const words[] = {"yes", "no", "on", "off", "y", "n", "Yes", "No",
					    "True", "False", "TRUE", "FALSE", "YES", "NO",
					    "On", "Off", "ON", "OFF", NULL};
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], s) == 0)
			return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == ':' && (i + 1 == n || s[i + 1] == ' '))
			return false;
		if (c == '#' && s[i - 1] == ' ')
			return false;
	}
	return true;
}

static void scalar(const cJSON *v, mamori_buf *out)
{
	if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		bool ctrl = false;
		for (const char *c = s; *c; c++)
			ctrl |= (unsigned char)*c < 0x20 || *c == 0x7f;
		if (plain_ok(s)) {
			mamori_buf_puts(out, s);
		} else if (ctrl) {
			mamori_json_quote(out, s);
		} else {
			/* single quotes, as serde_yaml writes them; a quote is doubled */
			mamori_buf_putc(out, '\'');
			for (const char *c = s; *c; c++) {
				if (*c == '\'')
					mamori_buf_putc(out, '\'');
				mamori_buf_putc(out, *c);
			}
			mamori_buf_putc(out, '\'');
		}
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 1e15)
			mamori_buf_printf(out, "%.0f", d);
		else
			mamori_buf_printf(out, "%.17g", d);
	} else if (cJSON_IsBool(v)) {
		mamori_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	} else {
		mamori_buf_puts(out, "null");
	}
}

static void indent(mamori_buf *out, int n)
{
	for (int i = 0; i < n; i++)
		mamori_buf_putc(out, ' ');
}

static bool is_empty_container(const cJSON *v)
{
	return (cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child;
}

static void emit(const cJSON *v, mamori_buf *out, int ind, int depth);

static void emit_value_after_key(const cJSON *v, mamori_buf *out, int ind, int depth)
{
	if (is_empty_container(v)) {
		mamori_buf_puts(out, cJSON_IsArray(v) ? " []\n" : " {}\n");
	} else if (cJSON_IsObject(v)) {
		mamori_buf_putc(out, '\n');
		emit(v, out, ind + 2, depth + 1);
	} else if (cJSON_IsArray(v)) {
		/* serde_yaml style: a sequence under a key is not indented further */
		mamori_buf_putc(out, '\n');
		emit(v, out, ind, depth + 1);
	} else {
		mamori_buf_putc(out, ' ');
		scalar(v, out);
		mamori_buf_putc(out, '\n');
	}
}

static void emit(const cJSON *v, mamori_buf *out, int ind, int depth)
{
	if (depth > 200) {
		indent(out, ind);
		mamori_buf_puts(out, "null\n");
		return;
	}
	if (cJSON_IsObject(v)) {
		for (const cJSON *c = v->child; c; c = c->next) {
			indent(out, ind);
			scalar(&(cJSON){.type = cJSON_String, .valuestring = c->string}, out);
			mamori_buf_putc(out, ':');
			emit_value_after_key(c, out, ind, depth);
		}
	} else if (cJSON_IsArray(v)) {
		for (const cJSON *c = v->child; c; c = c->next) {
			indent(out, ind);
			mamori_buf_puts(out, "-");
			if (is_empty_container(c)) {
				mamori_buf_puts(out, cJSON_IsArray(c) ? " []\n" : " {}\n");
			} else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
				/* first entry on the dash line, the rest aligned under it */
				mamori_buf sub = MAMORI_BUF_INIT;
				emit(c, &sub, ind + 2, depth + 1);
				mamori_buf_putc(out, ' ');
				mamori_buf_append(out, sub.data + ind + 2, sub.len - (size_t)(ind + 2));
				mamori_buf_free(&sub);
			} else {
				mamori_buf_putc(out, ' ');
				scalar(c, out);
				mamori_buf_putc(out, '\n');
			}
		}
	} else {
		indent(out, ind);
		scalar(v, out);
		mamori_buf_putc(out, '\n');
	}
}

void mg_report_yaml(const cJSON *v, mamori_buf *out)
{
	if (is_empty_container(v)) {
		mamori_buf_puts(out, cJSON_IsArray(v) ? "[]\n" : "{}\n");
		return;
	}
	emit(v, out, 0, 0);
}

int mg_report_print(const cJSON *root, bool yaml, FILE *out)
{
	if (yaml) {
		mamori_buf b = MAMORI_BUF_INIT;
		mg_report_yaml(root, &b);
		if (b.len)
			fwrite(b.data, 1, b.len, out);
		mamori_buf_free(&b);
	} else {
		char *s = mamori_json_print(root, true);
		fputs(s, out);
		fputc('\n', out);
		free(s);
	}
	return ferror(out) ? -1 : 0;
}

cJSON *mg_report_value(const mg_value *v)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mg_to_json(v, &b);
	cJSON *j = cJSON_ParseWithLength(b.data, b.len);
	mamori_buf_free(&b);
	return j ? j : cJSON_CreateNull();
}
