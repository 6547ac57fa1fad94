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
	return (n > 7 && memcmp(line, "version", 7) == 0) ||
	       (memmem(line, n, "srcaddr", 7) && memmem(line, n, "dstaddr", 7) &&
		!(line[0] >= '0' && line[0] <= '9'));
}

bool dt_ip_parse(const char *s, size_t n, uint8_t out[16], bool *v4)
{
	/* IPv4 by hand */
	unsigned parts[4], k = 0, v = 0, digits = 0;
	size_t i = 0;
	for (; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			v = v * 10 + (unsigned)(c - '0');
			if (++digits > 3 || v > 255)
				break;
		} else if (c == '.' && digits && k < 3) {
			parts[k++] = v;
			v = digits = 0;
		} else {
			break;
		}
	}
	if (i == n && k == 3 && digits) {
		parts[3] = v;
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		for (int j = 0; j < 4; j++)
			out[12 + j] = (uint8_t)parts[j];
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

bool dt_flow_parse(const dt_flow_format *fmt, const char *line, size_t n, dt_flow_rec *r,
		   const char **why)
{
	memset(r->f, 0, sizeof r->f);
	r->has_src = r->has_dst = false;
	r->srcport = r->dstport = r->protocol = r->tcp_flags = -1;
	r->start = r->end = 0;
	r->packets = r->bytes = 0;
	r->action = r->direction = -1;
	r->nodata = false;
	size_t col = 0, i = 0;
	while (i < n) {
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n || line[i] == '#')
			break;
		size_t st = i;
		while (i < n && line[i] != ' ' && line[i] != '\t')
			i++;
		if (col < fmt->columns && fmt->map[col] >= 0 && !(i - st == 1 && line[st] == '-')) {
			r->f[fmt->map[col]] = line + st;
			r->n[fmt->map[col]] = (uint16_t)(i - st > 65535 ? 65535 : i - st);
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
