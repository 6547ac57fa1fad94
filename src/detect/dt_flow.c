/*
 * dt_flow.c — VPC Flow Log lines (see dt_flow.h).
 *
 * Lines are found with memchr in the input window and split on runs of
 * spaces (the AWS docs themselves print one record with a double space);
 * a trailing "#comment" is dropped.  A header line (field names) can
 * appear at the top of a file or again later (files concatenated); lines
 * starting with '#' are comments, except "# format: <header>" which sets
 * the format like a header.  IPv4 is parsed by hand (the hot path); IPv6
 * through inet_pton.
 */
#include "dt_flow.h"

#include <arpa/inet.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>

static const char *const names[FL_COUNT] = {
	"version",     "account-id",  "interface-id", "srcaddr",	     "dstaddr",
	"srcport",     "dstport",     "protocol",     "packets",	     "bytes",
	"start",       "end",	      "action",	      "log-status",	     "vpc-id",
	"subnet-id",   "instance-id", "tcp-flags",    "type",		     "pkt-srcaddr",
	"pkt-dstaddr", "region",      "az-id",	      "sublocation-type",    "sublocation-id",
	"pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
};

void dt_flow_format_default(dt_flow_format *fmt)
{
	memset(fmt->map, -1, sizeof fmt->map);
	for (int i = 0; i <= FL_LOG_STATUS; i++)
		fmt->map[i] = (int8_t)i;
	fmt->columns = FL_LOG_STATUS + 1;
}

static int field_of(const char *s, size_t n)
{
	for (int i = 0; i < FL_COUNT; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	/* Flow Logs also accept ${field} syntax and underscores (Athena/CloudWatch) */
	char buf[40];
	if (n >= 3 && s[0] == '$' && s[1] == '{' && s[n - 1] == '}')
		return field_of(s + 2, n - 3);
	if (n < sizeof buf && memchr(s, '_', n)) {
		for (size_t i = 0; i < n; i++)
			buf[i] = s[i] == '_' ? '-' : s[i];
		return field_of(buf, n);
	}
	return -1;
}

bool dt_flow_format_parse(dt_flow_format *fmt, const char *line, size_t n)
{
	memset(fmt->map, -1, sizeof fmt->map);
	fmt->columns = 0;
	bool known = false;
	size_t i = 0;
	while (i < n && fmt->columns < 64) {
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n || line[i] == '(')
			break; /* "(default v2)" style remarks */
		size_t st = i;
		while (i < n && line[i] != ' ' && line[i] != '\t')
			i++;
		int f = field_of(line + st, i - st);
		fmt->map[fmt->columns++] = (int8_t)f;
		known |= f == FL_SRCADDR || f == FL_DSTADDR;
	}
	return known;
}

bool dt_flow_is_header(const char *line, size_t n)
{
	/* records start with a number, '-' or an upper-case value far more
	 * often than not: answer those without searching the line */
	if (n == 0 || (line[0] >= '0' && line[0] <= '9') || line[0] == '-' ||
	    (line[0] >= 'A' && line[0] <= 'Z'))
		return false;
	return (n > 7 && memcmp(line, "version", 7) == 0) ||
	       (memmem(line, n, "srcaddr", 7) && memmem(line, n, "dstaddr", 7) &&
		!(line[0] >= '0' && line[0] <= '9'));
}

bool dt_ip_parse(const char *s, size_t n, uint8_t out[16], bool *v4)
{
	/* IPv4 by hand (the hot path): four 1-3 digit parts, each <= 255 */
	const char *p = s, *e = s + n;
	uint8_t q[4];
	int k = 0;
	for (; k < 4; k++) {
		unsigned v = 0;
		const char *st = p;
		while (p < e && (unsigned)(*p - '0') < 10 && p - st < 3)
			v = v * 10 + (unsigned)(*p++ - '0');
		if (p == st || v > 255)
			break;
		q[k] = (uint8_t)v;
		if (k < 3) {
			if (p >= e || *p != '.')
				break;
			p++;
		}
	}
	if (k == 4 && p == e) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, q, 4);
		*v4 = true;
		return true;
	}
	char buf[64];
	if (n == 0 || n >= sizeof buf || !memchr(s, ':', n))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v4 = false;
	return inet_pton(AF_INET6, buf, out) == 1;
}

bool dt_ip_private(const uint8_t a[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0) {
		const uint8_t *b = a + 12;
		return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xC0) == 64);
	}
	return (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||
	       (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
}

void dt_ip_format(const uint8_t a[16], char *out, size_t cap)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0)
		snprintf(out, cap, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
	else if (!inet_ntop(AF_INET6, a, out, (socklen_t)cap))
		snprintf(out, cap, "?");
}

static int64_t to_int(const char *s, size_t n, bool *ok)
{
	int64_t v = 0;
	*ok = n > 0 && n < 19;
	for (size_t i = 0; i < n && *ok; i++) {
		if (s[i] < '0' || s[i] > '9')
			*ok = false;
		else
			v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Bit i of the result: p[i] is a space or a tab (i < n <= 64). */
static inline uint64_t sep_mask(const char *p, size_t n)
{
	uint64_t m = 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned b = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab)));
		m |= (uint64_t)b << i;
	}
#endif
	for (; i < n; i++)
		if (p[i] == ' ' || p[i] == '\t')
			m |= 1ull << i;
	return m;
}

bool dt_flow_parse(const dt_flow_format *fmt, const char *line, size_t n, dt_flow_rec *r,
		   const char **why)
{
	memset(r->f, 0, sizeof r->f);
	r->has_src = r->has_dst = r->src_v4 = r->dst_v4 = false;
	r->srcport = r->dstport = r->protocol = r->tcp_flags = -1;
	r->start = r->end = 0;
	r->packets = r->bytes = 0;
	r->action = r->direction = -1;
	r->nodata = false;
	/* Tokens are runs of non-separators, found 64 bytes at a time: a token
	 * starts where a separator is followed by a non-separator. */
	size_t col = 0, tok = SIZE_MAX; /* tok: start of the token being read */
	bool prev_sep = true, comment = false;
	for (size_t base = 0; base < n && !comment; base += 64) {
		size_t len = n - base < 64 ? n - base : 64;
		uint64_t sep = sep_mask(line + base, len);
		uint64_t valid = len == 64 ? ~0ull : (1ull << len) - 1;
		uint64_t nonsep = ~sep & valid;
		uint64_t shifted_sep = (sep << 1) | (prev_sep ? 1 : 0);
		uint64_t starts = nonsep & shifted_sep;
		uint64_t ends = sep & ~((sep << 1) | (prev_sep ? 1 : 0)) & valid; /* first separator after a token */
		while (starts | ends) {
			unsigned s_at = starts ? (unsigned)__builtin_ctzll(starts) : 64;
			unsigned e_at = ends ? (unsigned)__builtin_ctzll(ends) : 64;
			if (tok != SIZE_MAX && e_at < s_at) {
				size_t st = tok, en = base + e_at;
				if (col < fmt->columns && fmt->map[col] >= 0 &&
				    !(en - st == 1 && line[st] == '-')) {
					r->f[fmt->map[col]] = line + st;
					r->n[fmt->map[col]] = (uint16_t)(en - st > 65535 ? 65535 : en - st);
				}
				col++;
				tok = SIZE_MAX;
				ends &= ends - 1;
				continue;
			}
			if (s_at == 64)
				break;
			if (line[base + s_at] == '#') { /* a trailing comment ends the record */
				comment = true;
				break;
			}
			tok = base + s_at;
			starts &= starts - 1;
		}
		prev_sep = (sep >> (len - 1)) & 1;
	}
	if (tok != SIZE_MAX && !comment) {
		size_t st = tok;
		if (col < fmt->columns && fmt->map[col] >= 0 && !(n - st == 1 && line[st] == '-')) {
			r->f[fmt->map[col]] = line + st;
			r->n[fmt->map[col]] = (uint16_t)(n - st > 65535 ? 65535 : n - st);
		}
		col++;
	}
	if (col != fmt->columns) {
		*why = col < fmt->columns ? "fewer fields than the format names"
					  : "more fields than the format names";
		return false;
	}
	bool ok;
	const char *s;
	if ((s = r->f[FL_LOG_STATUS]) && r->n[FL_LOG_STATUS] >= 6 &&
	    (memcmp(s, "NODATA", 6) == 0 || memcmp(s, "SKIPDATA", 8 <= r->n[FL_LOG_STATUS] ? 8 : 6) == 0))
		r->nodata = true;
	if (r->f[FL_SRCADDR]) {
		if (!dt_ip_parse(r->f[FL_SRCADDR], r->n[FL_SRCADDR], r->src, &r->src_v4)) {
			*why = "srcaddr is not an IP address";
			return false;
		}
		r->has_src = true;
	}
	if (r->f[FL_DSTADDR]) {
		if (!dt_ip_parse(r->f[FL_DSTADDR], r->n[FL_DSTADDR], r->dst, &r->dst_v4)) {
			*why = "dstaddr is not an IP address";
			return false;
		}
		r->has_dst = true;
	}
	static const int ints[] = {FL_SRCPORT, FL_DSTPORT, FL_PROTOCOL, FL_TCP_FLAGS};
	int *outs[] = {&r->srcport, &r->dstport, &r->protocol, &r->tcp_flags};
	for (size_t k = 0; k < 4; k++) {
		if (!r->f[ints[k]])
			continue;
		int64_t v = to_int(r->f[ints[k]], r->n[ints[k]], &ok);
		if (!ok || v > 65535) {
			*why = "a port, protocol or tcp-flags field is not a small number";
			return false;
		}
		*outs[k] = (int)v;
	}
	if (r->f[FL_START]) {
		r->start = to_int(r->f[FL_START], r->n[FL_START], &ok);
		if (!ok) {
			*why = "start is not a Unix time";
			return false;
		}
	}
	if (r->f[FL_END])
		r->end = to_int(r->f[FL_END], r->n[FL_END], &ok);
	if (r->f[FL_PACKETS])
		r->packets = (uint64_t)to_int(r->f[FL_PACKETS], r->n[FL_PACKETS], &ok);
	if (r->f[FL_BYTES])
		r->bytes = (uint64_t)to_int(r->f[FL_BYTES], r->n[FL_BYTES], &ok);
	if ((s = r->f[FL_ACTION]))
		r->action = s[0] == 'A' ? 1 : s[0] == 'R' ? 0 : -1;
	if ((s = r->f[FL_FLOW_DIRECTION]))
		r->direction = s[0] == 'i' ? 1 : s[0] == 'e' ? 0 : -1;
	return true;
}

int dt_flow_read(dt_flow_reader *fr)
{
	dt_input *in = fr->in;
	dt_flow_format fmt;
	dt_flow_format_default(&fmt);
	bool have_format = false;
	dt_flow_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.file = in->path;
	uint64_t line = in->base_line;
	for (;;) {
		char *p = in->buf + in->start, *end = in->buf + in->end;
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if (!in->eof) {
				size_t got = dt_input_fill(in);
				if (got > 0 || in->eof)
					continue;
				/* a line longer than the window */
				if (fr->problem)
					fr->problem(fr->ud, in->path, line, 1, "line too long; skipped");
				fr->bad++;
				in->start = in->end;
				continue;
			}
			if (p >= end)
				break;
			nl = end; /* last line without a newline */
		}
		size_t n = (size_t)(nl - p);
		if (n && p[n - 1] == '\r')
			n--;
		in->start = (size_t)(nl - in->buf) + (nl < end ? 1 : 0);
		uint64_t this_line = line++;
		if (n == 0)
			continue;
		if (p[0] == '#') {
			const char *h = p + 1;
			size_t hn = n - 1;
			while (hn && *h == ' ')
				h++, hn--;
			if (hn > 7 && memcmp(h, "format:", 7) == 0 &&
			    dt_flow_format_parse(&fmt, h + 7, hn - 7))
				have_format = true;
			continue;
		}
		if (dt_flow_is_header(p, n)) {
			if (dt_flow_format_parse(&fmt, p, n))
				have_format = true;
			else if (fr->problem)
				fr->problem(fr->ud, in->path, this_line, 1,
					    "header names no srcaddr/dstaddr; default format kept");
			continue;
		}
		(void)have_format;
		const char *why = NULL;
		rec.line = this_line;
		rec.text = p;
		rec.text_len = n;
		if (!dt_flow_parse(&fmt, p, n, &rec, &why)) {
			fr->bad++;
			if (fr->problem) {
				char msg[160];
				snprintf(msg, sizeof msg, "malformed flow log record: %s", why);
				fr->problem(fr->ud, in->path, this_line, 1, msg);
			}
			continue;
		}
		if (rec.nodata) {
			fr->nodata++;
			continue;
		}
		fr->records++;
		fr->record(fr->ud, &rec);
	}
	if (in->error[0] && fr->problem)
		fr->problem(fr->ud, in->path, line, 0, in->error);
	return MAMORI_OK;
}
