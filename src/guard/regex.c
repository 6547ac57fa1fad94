/*
 * regex.c — PCRE2 behind Guard's regex semantics (see regex.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include "mamori/arena.h"
#include "mamori/buf.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generous for real patterns, small enough that a catastrophic one gives up quickly. */
#define RX_MATCH_LIMIT 10000000u
#define RX_DEPTH_LIMIT 100000u
#define RX_DYNAMIC_MAX 64

typedef struct rx_dyn {
	char *pat;
	size_t len;
	pcre2_code *code; /* NULL: the pattern does not compile */
} rx_dyn;

struct mg_rx {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	rx_dyn dyn[RX_DYNAMIC_MAX];
	size_t ndyn;
};

void *mg_regex_compile(const char *pat, size_t len, char *err, size_t errlen)
{
	int ec = 0;
	PCRE2_SIZE eoff = 0;
	pcre2_code *code =
		pcre2_compile((PCRE2_SPTR)pat, len,
			      PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_INVALID_UTF,
			      &ec, &eoff, NULL);
	if (!code) {
		if (err && errlen) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof msg);
			snprintf(err, errlen, "%s at offset %zu", (const char *)msg, (size_t)eoff);
		}
		return NULL;
	}
	/* JIT is an optimisation: without it (no JIT support) matching still works */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

void mg_regex_free(void *code)
{
	pcre2_code_free(code);
}

mg_rx *mg_rx_new(void)
{
	mg_rx *rx = mamori_xcalloc(1, sizeof *rx);
	rx->md = pcre2_match_data_create(32, NULL);
	rx->mctx = pcre2_match_context_create(NULL);
	if (!rx->md || !rx->mctx)
		mamori_oom(0);
	pcre2_set_match_limit(rx->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(rx->mctx, RX_DEPTH_LIMIT);
	return rx;
}

void mg_rx_free(mg_rx *rx)
{
	if (!rx)
		return;
	for (size_t i = 0; i < rx->ndyn; i++) {
		free(rx->dyn[i].pat);
		pcre2_code_free(rx->dyn[i].code);
	}
	pcre2_match_data_free(rx->md);
	pcre2_match_context_free(rx->mctx);
	free(rx);
}

static int rx_exec(mg_rx *rx, pcre2_code *code, const char *s, size_t len, size_t start)
{
	int rc = pcre2_match(code, (PCRE2_SPTR)s, len, start, 0, rx->md, rx->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
		return 0;
	return -1;
}

int mg_regex_match(mg_rx *rx, void *code, const char *s, size_t len)
{
	if (!code)
		return -1;
	return rx_exec(rx, code, s, len, 0);
}

void *mg_rx_dynamic(mg_rx *rx, const char *pat, size_t len)
{
	for (size_t i = 0; i < rx->ndyn; i++)
		if (rx->dyn[i].len == len && memcmp(rx->dyn[i].pat, pat, len) == 0)
			return rx->dyn[i].code;
	pcre2_code *code = mg_regex_compile(pat, len, NULL, 0);
	if (rx->ndyn == RX_DYNAMIC_MAX) {
		/* a rule set with that many run-time patterns: recycle the oldest slot */
		free(rx->dyn[0].pat);
		pcre2_code_free(rx->dyn[0].code);
		memmove(&rx->dyn[0], &rx->dyn[1], (RX_DYNAMIC_MAX - 1) * sizeof rx->dyn[0]);
		rx->ndyn--;
	}
	rx_dyn *d = &rx->dyn[rx->ndyn++];
	d->pat = mamori_xmalloc(len + 1);
	memcpy(d->pat, pat, len);
	d->pat[len] = '\0';
	d->len = len;
	d->code = code;
	return code;
}

/* Append group `g` of the current match, if it participated. */
static void put_group(mg_rx *rx, const char *s, int g, int ngroups, mamori_buf *out)
{
	if (g < 0 || g >= ngroups)
		return;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
	if (ov[2 * g] == PCRE2_UNSET)
		return;
	mamori_buf_append(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/*
 * Rust's Captures::expand: `$$` is a literal $, `$name` takes the longest
 * run of [A-Za-z0-9_], `${name}` is braced; a name made of digits is a group
 * number; an unknown name expands to nothing; a `$` not followed by a name
 * is kept literally.
 */
static void expand(mg_rx *rx, pcre2_code *code, const char *s, int ngroups, const char *r,
		   size_t rl, mamori_buf *out)
{
	size_t i = 0;
	while (i < rl) {
		if (r[i] != '$') {
			mamori_buf_putc(out, r[i++]);
			continue;
		}
		if (i + 1 < rl && r[i + 1] == '$') {
			mamori_buf_putc(out, '$');
			i += 2;
			continue;
		}
		size_t ns, ne, next;
		if (i + 1 < rl && r[i + 1] == '{') {
			size_t j = i + 2;
			while (j < rl && r[j] != '}')
				j++;
			if (j >= rl) {
				mamori_buf_putc(out, r[i++]);
				continue;
			}
			ns = i + 2;
			ne = j;
			next = j + 1;
		} else {
			size_t j = i + 1;
			while (j < rl && (r[j] == '_' || (r[j] >= '0' && r[j] <= '9') ||
					  (r[j] >= 'a' && r[j] <= 'z') || (r[j] >= 'A' && r[j] <= 'Z')))
				j++;
			if (j == i + 1) {
				mamori_buf_putc(out, r[i++]);
				continue;
			}
			ns = i + 1;
			ne = j;
			next = j;
		}
		bool digits = ne > ns;
		for (size_t k = ns; k < ne; k++)
			if (r[k] < '0' || r[k] > '9')
				digits = false;
		if (digits) {
			long g = 0;
			for (size_t k = ns; k < ne && g < 100000; k++)
				g = g * 10 + (r[k] - '0');
			put_group(rx, s, (int)g, ngroups, out);
		} else if (ne > ns) {
			char name[128];
			size_t n = ne - ns < sizeof name - 1 ? ne - ns : sizeof name - 1;
			memcpy(name, r + ns, n);
			name[n] = '\0';
			int g = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
			if (g > 0)
				put_group(rx, s, g, ngroups, out);
		}
		i = next;
	}
}

int mg_regex_replace(mg_rx *rx, void *vcode, const char *s, size_t len, const char *repl,
		     size_t repl_len, mamori_buf *out)
{
	/* cfn-guard concatenates the expansion of every match (captures_iter +
	 * expand) and drops the text between matches: "abc-def" with ([a-z]+)
	 * and "<$1>" gives "<abc><def>", and no match gives "". */
	pcre2_code *code = vcode;
	if (!code)
		return -1;
	uint32_t cap = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
	size_t start = 0;
	while (start <= len) {
		int rc = rx_exec(rx, code, s, len, start);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
		size_t ms = ov[0], me = ov[1];
		expand(rx, code, s, (int)cap + 1, repl, repl_len, out);
		if (me == ms) {
			/* empty match: step over one character (UTF-8 aware) */
			if (me >= len)
				break;
			size_t step = 1;
			while (me + step < len && ((unsigned char)s[me + step] & 0xC0) == 0x80)
				step++;
			start = me + step;
		} else {
			start = me;
		}
	}
	return 0;
}
