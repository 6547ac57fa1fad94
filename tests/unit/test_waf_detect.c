/*
 * The parts of the WAF that read hostile bytes: the text transformations
 * (AWS's semantics), the SQL-injection and XSS detectors (written-here
 * attack and prose cases, none from the corpus), the proxy's HTTP/1.1
 * parser (RFC 9112 edge cases) and the log readers (ALB, CloudFront, HAR,
 * AWS WAF logs, with error positions).
 */
#include <ctype.h>

#include "json.h"
#include "mamori/waf.h"
#include "testutil.h"
#include "waf/proxy/http.h"
#include "waf/waf_internal.h"

static char *tx(int t, const char *in)
{
	size_t n = strlen(in);
	char *out = malloc(waf_tx_bound(t, n) + 1);
	size_t m = waf_tx_apply(t, (const unsigned char *)in, n, (unsigned char *)out);
	assert_true(m <= waf_tx_bound(t, n));
	out[m] = 0;
	return out;
}

static void check_tx(int t, const char *in, const char *want)
{
	char *got = tx(t, in);
	if (strcmp(got, want) != 0)
		fail_msg("%s(\"%s\") = \"%s\", want \"%s\"", waf_tx_name(t), in, got, want);
	free(got);
}

static void transformations(void **state)
{
	(void)state;
	check_tx(TX_NONE, "a%20b", "a%20b");
	check_tx(TX_COMPRESS_WHITE_SPACE, "a \t\n\r\f\vb  c", "a b c");
	check_tx(TX_HTML_ENTITY_DECODE, "&lt;a&gt; &quot;&#65;&#x42;&colon;&amp;x", "<a> \"AB:&x");
	check_tx(TX_LOWERCASE, "SeLeCT ÄB", "select Äb");
	check_tx(TX_CMD_LINE, "C^at  /Etc/\"Pass\"wd ;,Ls", "cat/etc/passwd ls");
	check_tx(TX_URL_DECODE, "a%2fb+c%zz%4", "a/b c%zz%4");
	check_tx(TX_URL_DECODE_UNI, "%u002e%uFF0E%2e", "...");
	check_tx(TX_BASE64_DECODE, "aGVsbG8=", "hello");
	check_tx(TX_BASE64_DECODE_EXT, "aGV$sb*G8", "hello");
	check_tx(TX_HEX_DECODE, "414243", "ABC");
	check_tx(TX_REPLACE_COMMENTS, "a/*x*/b/*unterminated", "a b ");
	check_tx(TX_ESCAPE_SEQ_DECODE, "a\\tb\\x41\\101\\\\", "a\tbAA\\");
	check_tx(TX_SQL_HEX_DECODE, "0x414243 and 0x4", "ABC and 0x4");
	check_tx(TX_CSS_DECODE, "\\6a \\61vascript", "javascript");
	check_tx(TX_JS_DECODE, "\\u0061\\x62\\143\\n", "abc\n");
	check_tx(TX_NORMALIZE_PATH, "/a/./b/../../../c//d/", "/c/d/");
	check_tx(TX_NORMALIZE_PATH, "a/../../b", "../b");
	check_tx(TX_NORMALIZE_PATH_WIN, "\\a\\..\\b\\.\\c", "/b/c");
	check_tx(TX_UTF8_TO_UNICODE, "a\xc3\xa9", "a%u00e9");
	char *md5 = tx(TX_MD5, "abc");
	assert_int_equal((unsigned char)md5[0], 0x90); /* 900150983cd24fb0... */
	assert_int_equal((unsigned char)md5[15], 0x72);
	free(md5);
	/* NULs */
	unsigned char nul[] = {'a', 0, 'b'}, out[8];
	assert_int_equal(waf_tx_apply(TX_REMOVE_NULLS, nul, 3, out), 2);
	assert_memory_equal(out, "ab", 2);
	assert_int_equal(waf_tx_apply(TX_REPLACE_NULLS, nul, 3, out), 3);
	assert_memory_equal(out, "a b", 3);
	for (int t = 0; t < TX_COUNT; t++)
		assert_int_equal(waf_tx_parse(waf_tx_name(t)), t);
	assert_int_equal(waf_tx_parse("ROT13"), -1);
}

static void sqli_detector(void **state)
{
	(void)state;
	static const char *const attacks[] = {
		"' OR 'a'='a",
		"1 OR 1=1",
		"x') or ('y'='y",
		"admin'--",
		"admin' #",
		"1;DROP TABLE accounts",
		"'; exec master..xp_cmdshell 'ping 10.0.0.1'--",
		"-1 UNION/**/ALL/**/SELECT username,password FROM users",
		"1 uNiOn sElEcT null,null,@@version",
		"' AND SLEEP(5) AND 'x'='x",
		"1' and extractvalue(1,concat(0x7e,database()))--",
		"'||(SELECT pg_sleep(3))||'",
		"\" or \"\"=\"",
		"1 order by 9--",
		"%27%20or%20%271%27%3D%271",
		"1/*!50000UNION*//*!50000SELECT*/1,2",
		"x' waitfor delay '0:0:5'--",
		"select * from information_schema.tables",
		"' OR '{\"a\":1}'::jsonb @> '{\"a\":1}'",
	};
	static const char *const prose[] = {
		"rock and roll",
		"Don't select the red one; take the blue one",
		"I'd rather be sailing -- Anonymous",
		"\"Well,\" she said, \"that's it\" -- and left.",
		"O'Reilly & Sons, 12 or 13 items",
		"select the best option from our catalog",
		"union members voted to select a leader",
		"The price is 5-10 dollars (or so)",
		"drop me a line; update your profile at any time",
		"Where there is a will, there is a way.",
		"user@example.org",
		"C++ and C# are languages",
	};
	for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
		const char *why;
		size_t at, span;
		if (!mamori_waf_sqli(attacks[i], strlen(attacks[i]), true, &why, &at, &span))
			fail_msg("missed SQL injection: %s", attacks[i]);
		assert_true(at + span <= strlen(attacks[i]));
	}
	for (size_t i = 0; i < sizeof prose / sizeof *prose; i++) {
		const char *why = NULL;
		if (mamori_waf_sqli(prose[i], strlen(prose[i]), true, &why, NULL, NULL))
			fail_msg("prose taken for SQL injection (%s): %s", why, prose[i]);
	}
	/* LOW is stricter than HIGH */
	assert_true(mamori_waf_sqli("database(", 9, true, NULL, NULL, NULL));
	assert_false(mamori_waf_sqli("database(", 9, false, NULL, NULL, NULL));
	/* one word or number alone (the short cut for plain tokens): only the
	 * few that are evidence on their own are flagged, at HIGH */
	static const char *const lone_hits[] = {"information_schema", "xp_cmdshell", "SP_OAcreate",
						"GLOB", "rlike"};
	static const char *const lone_plain[] = {"id", "page_2", "1234567", "0x41414141", "Information",
						 "xp_", "sp", "username", "1union"};
	for (size_t i = 0; i < sizeof lone_hits / sizeof *lone_hits; i++) {
		if (!mamori_waf_sqli(lone_hits[i], strlen(lone_hits[i]), true, NULL, NULL, NULL))
			fail_msg("missed a SQL word alone at HIGH: %s", lone_hits[i]);
		if (mamori_waf_sqli(lone_hits[i], strlen(lone_hits[i]), false, NULL, NULL, NULL))
			fail_msg("a word alone flagged at LOW: %s", lone_hits[i]);
	}
	for (size_t i = 0; i < sizeof lone_plain / sizeof *lone_plain; i++)
		if (mamori_waf_sqli(lone_plain[i], strlen(lone_plain[i]), true, NULL, NULL, NULL))
			fail_msg("a plain token taken for SQL injection: %s", lone_plain[i]);
}

static void xss_detector(void **state)
{
	(void)state;
	static const char *const attacks[] = {
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"<svg/onload=confirm(1)>",
		"\"><iframe src=javascript:alert(1)>",
		"\" autofocus onfocus=\"alert(1)",
		"<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
		"javascript:alert(document.domain)",
		"';alert(String.fromCharCode(88))//",
		"<body onpageshow=alert(1)>",
		"<div style=\"background:url(javascript:alert(1))\">",
		"%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"&lt;img src=x onerror=alert(1)&gt;",
		"+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
		"{{constructor.constructor('alert(1)')()}}",
		"<x onmouseover=prompt(1)>hover",
		"document.cookie",
		"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	};
	static const char *const prose[] = {
		"if a < b and c > d then swap",
		"I <3 this, <b>bold</b> and <i>italic</i> are fine",
		"<a href=\"https://example.org/docs\">docs</a>",
		"please confirm (by Friday) the online order",
		"The javascript: scheme is discussed in RFC 3986",
		"window seat, please; document attached",
		"x = \"hello\" + name;",
	};
	for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
		const char *why;
		size_t at, span;
		if (!mamori_waf_xss(attacks[i], strlen(attacks[i]), &why, &at, &span))
			fail_msg("missed XSS: %s", attacks[i]);
		assert_true(at + span <= strlen(attacks[i]));
	}
	for (size_t i = 0; i < sizeof prose / sizeof *prose; i++) {
		const char *why = NULL;
		if (mamori_waf_xss(prose[i], strlen(prose[i]), &why, NULL, NULL))
			fail_msg("text taken for XSS (%s): %s", why, prose[i]);
	}
}

static int parse(const char *raw, http_request *rq)
{
	http_limits lim = {1024, 256, 4096};
	return http_parse_request(raw, strlen(raw), &lim, rq);
}

static void http_parser_rfc9112(void **state)
{
	(void)state;
	http_request rq;
	assert_int_equal(parse("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A:  v  \r\n\r\nrest", &rq), HTTP_OK);
	assert_int_equal(rq.header_count, 2);
	assert_int_equal(rq.headers[1].value_len, 1); /* OWS trimmed */
	assert_int_equal(rq.head_len, strlen("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A:  v  \r\n\r\n"));
	assert_true(rq.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &rq), HTTP_MORE);
	assert_int_equal(parse("\r\nGET / HTTP/1.1\nHost: x\n\n", &rq), HTTP_OK); /* leading CRLF, bare LF */
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &rq), HTTP_OK);	     /* 1.0: Host optional */
	assert_false(rq.keep_alive);
	static const struct {
		const char *raw;
		int status;
	} bad[] = {
		{"GET / HTTP/1.1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400},
		{"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n", 413},
		{"GET / HTTP/1.1\r\nHost: x\r\nX: \x01\r\n\r\n", 400},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (parse(bad[i].raw, &rq) != HTTP_ERROR || rq.error_status != bad[i].status)
			fail_msg("case %zu: want %d, got %d (%s)", i, bad[i].status, rq.error_status,
				 rq.error ? rq.error : "accepted");
	}
	char big[2048];
	snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\nX: %01500d\r\n\r\n", 0);
	assert_int_equal(parse(big, &rq), HTTP_ERROR);
	assert_int_equal(rq.error_status, 431);
	snprintf(big, sizeof big, "GET /%0300d HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	assert_int_equal(parse(big, &rq), HTTP_ERROR);
	assert_int_equal(rq.error_status, 414);

	/* chunked: extensions, trailers, one byte at a time */
	const char *body = "4;name=v\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\nNEXT";
	http_chunked c;
	memset(&c, 0, sizeof c);
	char out[64];
	size_t o = 0, i = 0, used, produced;
	int st = HTTP_MORE;
	while (st == HTTP_MORE && i < strlen(body)) {
		st = http_chunked_decode(&c, body + i, 1, out + o, sizeof out - o, &used, &produced);
		i += used;
		o += produced;
	}
	assert_int_equal(st, HTTP_OK);
	assert_int_equal(o, 9);
	assert_memory_equal(out, "Wikipedia", 9);
	assert_string_equal(body + i, "NEXT");
	memset(&c, 0, sizeof c);
	assert_int_equal(http_chunked_decode(&c, "fffffffffffffffff\r\n", 19, out, sizeof out, &used, &produced),
			 HTTP_ERROR);
	memset(&c, 0, sizeof c);
	assert_int_equal(http_chunked_decode(&c, "3\r\nabcX", 7, out, sizeof out, &used, &produced), HTTP_ERROR);
}

typedef struct seen {
	int n, bad;
	char ids[8][64];
	char uris[8][256];
	char ips[8][64];
	char agents[8][128];
} seen;

static int collect(void *ud, const mamori_waf_record *rec)
{
	seen *s = ud;
	if (!rec) {
		s->bad++;
		return 0;
	}
	if (s->n < 8) {
		snprintf(s->ids[s->n], 64, "%s", rec->id);
		snprintf(s->uris[s->n], 256, "%.*s", (int)(rec->request.uri_len ? rec->request.uri_len : strlen(rec->request.uri)),
			 rec->request.uri);
		snprintf(s->ips[s->n], 64, "%s", rec->request.client_ip ? rec->request.client_ip : "");
		for (size_t i = 0; i < rec->request.header_count; i++)
			if (!strncasecmp(rec->request.headers[i].name, "user-agent", 10))
				snprintf(s->agents[s->n], 128, "%.*s", (int)rec->request.headers[i].value_len,
					 rec->request.headers[i].value);
	}
	s->n++;
	return 0;
}

static void readers(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	seen s;
	const char *alb =
		"https 2026-11-20T10:00:01.1Z app/lb/1 203.0.113.9:41000 10.0.0.1:80 0.001 0.002 0.000 200 200 1 2 "
		"\"GET https://shop.example:443/a?q=%27x HTTP/1.1\" \"Mozilla/5.0 (X; \\\"q\\\")\" - - arn \"Root=1\" "
		"\"shop.example\" \"-\" 0 2026-11-20T10:00:01Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\"\n"
		"this is not an ALB line\n";
	memset(&s, 0, sizeof s);
	assert_int_equal(mamori_waf_input_sniff("x.log", alb, strlen(alb)), MAMORI_WAF_INPUT_ALB);
	mamori_waf_read_requests(ctx, "alb.log", alb, strlen(alb), MAMORI_WAF_INPUT_AUTO, collect, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.bad, 1);
	assert_string_equal(s.uris[0], "/a?q=%27x");
	assert_string_equal(s.ips[0], "203.0.113.9");
	assert_string_equal(s.agents[0], "Mozilla/5.0 (X; \"q\")");
	assert_non_null(strstr(mamori_error_last(ctx)->message, "alb.log:2:1:"));

	const char *cf = "#Version: 1.0\n#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query cs(User-Agent)\n"
			 "2026-11-20\t10:01:00\t198.51.100.7\tGET\t/s\tq=a%20b\tcurl/8.0%20(x)\n";
	memset(&s, 0, sizeof s);
	assert_int_equal(mamori_waf_input_sniff("cf", cf, strlen(cf)), MAMORI_WAF_INPUT_CLOUDFRONT);
	mamori_waf_read_requests(ctx, "cf.log", cf, strlen(cf), MAMORI_WAF_INPUT_AUTO, collect, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.uris[0], "/s?q=a%20b");
	assert_string_equal(s.agents[0], "curl/8.0 (x)");

	const char *waf = "{\"timestamp\":1,\"action\":\"ALLOW\",\"httpRequest\":{\"clientIp\":\"192.0.2.1\",\"country\":\"FR\","
			  "\"headers\":[{\"name\":\"user-agent\",\"value\":\"ua\"}],\"uri\":\"/p\",\"args\":\"a=1\","
			  "\"httpMethod\":\"POST\",\"requestId\":\"r-1\"}}\n";
	memset(&s, 0, sizeof s);
	assert_int_equal(mamori_waf_input_sniff("w", waf, strlen(waf)), MAMORI_WAF_INPUT_WAFLOG);
	mamori_waf_read_requests(ctx, "waf.log", waf, strlen(waf), MAMORI_WAF_INPUT_AUTO, collect, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.ids[0], "r-1");
	assert_string_equal(s.uris[0], "/p?a=1");

	const char *har = "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"http://h.example/x?y=1\","
			  "\"headers\":[{\"name\":\":authority\",\"value\":\"h.example\"}]}},{\"request\":{}}]}}";
	memset(&s, 0, sizeof s);
	mamori_waf_read_requests(ctx, "t.har", har, strlen(har), MAMORI_WAF_INPUT_AUTO, collect, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.bad, 1);
	assert_string_equal(s.uris[0], "/x?y=1");

	const char *jl = "{\"id\":\"a\",\"uri\":\"/1\"}\n\n{\"id\":\"b\",\"uri\":\"/2\",\"body_b64\":\"AAEC\"}\n{\"id\": 3,\n";
	memset(&s, 0, sizeof s);
	mamori_waf_read_requests(ctx, "r.jsonl", jl, strlen(jl), MAMORI_WAF_INPUT_AUTO, collect, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.bad, 1);
	assert_string_equal(s.ids[1], "b");
	assert_non_null(strstr(mamori_error_last(ctx)->message, "r.jsonl:4:"));
	mamori_ctx_free(ctx);
}

/* The lexer's keyword table (a perfect hash): every keyword in any case,
 * nothing else. */
static void sqli_keywords(void **state)
{
	(void)state;
	unsigned count = 0;
	for (unsigned kw = 1; waf_sqli_keyword_name(kw); kw++, count++) {
		const char *w = waf_sqli_keyword_name(kw);
		size_t n = strlen(w);
		char up[32], near[32];
		for (size_t i = 0; i <= n; i++)
			up[i] = (char)(i % 2 ? toupper((unsigned char)w[i]) : w[i]);
		assert_int_equal(waf_sqli_keyword(w, n), kw);
		assert_int_equal(waf_sqli_keyword(up, n), kw);
		memcpy(near, w, n + 1);
		near[n / 2] = near[n / 2] == 'q' ? 'z' : 'q';
		assert_int_equal(waf_sqli_keyword(near, n), 0);
		assert_int_equal(waf_sqli_keyword(w, n - 1 ? n - 1 : 1) == kw, false);
	}
	assert_true(count > 50);
	static const char *const prose[] = {"hello", "world", "rock", "roll", "selected", "an",
					    "fromage", "orders", "nulls", "x", "unionize"};
	for (size_t i = 0; i < sizeof prose / sizeof *prose; i++)
		assert_int_equal(waf_sqli_keyword(prose[i], strlen(prose[i])), 0);
}

/* A transformation said to leave a value as it is really does. */
static void tx_identity(void **state)
{
	(void)state;
	static const char *const in[] = {"", "plain text", "Upper Case", "a%41b", "a+b", "&amp;x",
					 "\\x41", "/* c */", "a\0b", "%zz", "&", "\\", "a/b/../c",
					 "  two  spaces ", "0x41", "caf\xc3\xa9"};
	for (int t = 1; t < TX_COUNT; t++) {
		for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
			size_t n = strlen(in[i]);
			if (!waf_tx_identity(t, (const unsigned char *)in[i], n))
				continue;
			char *got = tx(t, in[i]);
			if (strcmp(got, in[i]) != 0)
				fail_msg("%s(\"%s\") = \"%s\" but was said to change nothing", waf_tx_name(t),
					 in[i], got);
			free(got);
		}
	}
	assert_true(waf_tx_identity(TX_LOWERCASE, (const unsigned char *)"abc", 3));
	assert_false(waf_tx_identity(TX_LOWERCASE, (const unsigned char *)"aBc", 3));
	assert_false(waf_tx_identity(TX_URL_DECODE, (const unsigned char *)"a%41", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqli_keywords),   cmocka_unit_test(tx_identity),
		cmocka_unit_test(transformations), cmocka_unit_test(sqli_detector),
		cmocka_unit_test(xss_detector),	   cmocka_unit_test(http_parser_rfc9112),
		cmocka_unit_test(readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
