/*
 * xss.c — mamori's cross-site-scripting detector.
 *
 * The value is read the way a browser would read it in each context where a
 * web page may echo it:
 *
 *   HTML text       a tag is opened ("<name", with the HTML tokenizer's idea
 *                   of where names and attributes end: "/" and control
 *                   characters separate too) and the tag is able to run script:
 *                   a script-capable element (script, iframe, object, embed,
 *                   svg, base, ...), any event-handler attribute (on...=), a
 *                   URL attribute whose value — entity-decoded, with the tab
 *                   and newline characters browsers ignore removed — is
 *                   javascript:, vbscript: or data:text/html, or a style that
 *                   runs code (expression(), -moz-binding, behavior);
 *   attribute value the value closes a quoted (or unquoted) attribute and
 *                   adds one of the above ("  onmouseover=..., "><svg ...);
 *   URL             the value itself is a javascript:/vbscript:/data: URL;
 *   script          the value closes a JS string or expression and calls a
 *                   function ("';alert(1)//", "-confirm`1`-"), or uses the
 *                   DOM's dangerous sinks (document.cookie, eval(), window[..]);
 *   template        {{ ... }} expressions reaching constructor (AngularJS).
 *
 * Prose with "<" and ">" ("if a < b and c > d"), ordinary markup (<b>,
 * <a href="https://...">) and words like "online" do not trigger.  The value
 * is inspected as given and fully decoded (URL incl. %u and double encoding,
 * HTML entities, JS escapes, UTF-7).
 */
#include "waf_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t waf_detector_decode(const char *s, size_t n, char *out);

typedef struct xs {
	const char *s;
	size_t n;
	size_t at, span;
	const char *why;
} xs;

static bool hit(xs *x, size_t at, size_t end, const char *why)
{
	x->at = at;
	x->span = end > at ? end - at : 1;
	x->why = why;
	return true;
}

static inline unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static inline bool is_alpha(unsigned char c)
{
	c = lc(c);
	return c >= 'a' && c <= 'z';
}

/* HTML's attribute-separating whitespace, plus what old browsers skipped. */
static bool html_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0;
}

static bool ieq(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && strncasecmp(a, b, an) == 0;
}

/* Elements that run or load script whatever their attributes. */
static const char *const script_tags[] = {
	"script", "iframe", "frame",  "frameset", "object", "embed", "applet", "base",
	"svg",	  "math",   "xml",    "import",	  "meta",   "link",  "style",  "isindex",
	"vmlframe", "xss",  "template", "portal",  "listing", "xmp", "plaintext", "noembed",
	"noscript", "bgsound", "layer", "ilayer", "handler", "set", "animate", "animatetransform",
	"foreignobject", "use", "image", NULL,
};

/* Attributes whose value is a URL that may be navigated to or loaded. */
static const char *const url_attrs[] = {
	"href",	      "src",	"action",     "formaction", "data",	"xlink:href", "background",
	"poster",     "dynsrc", "lowsrc",     "code",	    "codebase", "srcdoc",     "to",
	"from",	      "values", "by",	      "folder",	    "ping",	"lowsrc",     "content",
	"location",   "url",	"datasrc",    "cite",	    "profile",	"manifest",   "icon",
	"archive",    "classid", "longdesc",  "usemap",	    "srcset",	"imagesrcset", NULL,
};

static bool in_list(const char *const *l, const char *s, size_t n)
{
	if (n == 0)
		return false;
	unsigned char first = lc((unsigned char)s[0]);
	for (; *l; l++) {
		const char *w = *l;
		if ((unsigned char)w[0] != first)
			continue;
		size_t k = 1;
		while (k < n && w[k] && (unsigned char)w[k] == lc((unsigned char)s[k]))
			k++;
		if (k == n && w[k] == 0)
			return true;
	}
	return false;
}

/* Decode an attribute value the way the browser does before using it: entity
 * references, then drop what URL parsing ignores (tab, newline, leading
 * spaces and control characters). */
static size_t url_clean(const char *v, size_t n, char *out)
{
	char *tmp = malloc(n + 1);
	size_t m = waf_html_decode((const unsigned char *)v, n, (unsigned char *)tmp);
	size_t o = 0;
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)tmp[i];
		if (c == '\t' || c == '\n' || c == '\r' || (o == 0 && c <= 0x20))
			continue;
		if (c == 0)
			continue;
		out[o++] = (char)c;
	}
	free(tmp);
	return o;
}

static bool starts_ci(const char *s, size_t n, const char *p)
{
	size_t pn = strlen(p);
	return n >= pn && strncasecmp(s, p, pn) == 0;
}

static bool dangerous_url(const char *v, size_t n)
{
	if (n > 4096)
		n = 4096;
	char *c = malloc(n + 1);
	size_t m = url_clean(v, n, c);
	bool bad = starts_ci(c, m, "javascript:") || starts_ci(c, m, "vbscript:") ||
		   starts_ci(c, m, "livescript:") || starts_ci(c, m, "data:text/html") ||
		   starts_ci(c, m, "data:image/svg") || starts_ci(c, m, "data:application/x") ||
		   starts_ci(c, m, "data:text/xml") || starts_ci(c, m, "mocha:") ||
		   starts_ci(c, m, "jar:") || starts_ci(c, m, "data:text/javascript");
	free(c);
	return bad;
}

static bool dangerous_style(const char *v, size_t n)
{
	if (n > 4096)
		n = 4096;
	char *c = malloc(n + 1);
	size_t m = waf_html_decode((const unsigned char *)v, n, (unsigned char *)c);
	m = waf_tx_apply(TX_CSS_DECODE, (unsigned char *)c, m, (unsigned char *)c);
	/* comments and whitespace do not separate CSS tokens for this purpose */
	m = waf_tx_apply(TX_REPLACE_COMMENTS, (unsigned char *)c, m, (unsigned char *)c);
	size_t o = 0;
	for (size_t i = 0; i < m; i++)
		if (!html_space((unsigned char)c[i]) && c[i] != ' ')
			c[o++] = (char)lc((unsigned char)c[i]);
	bool bad = memmem(c, o, "expression(", 11) || memmem(c, o, "-moz-binding", 12) ||
		   memmem(c, o, "behavior:", 9) || memmem(c, o, "url(javascript", 14) ||
		   memmem(c, o, "url('javascript", 15) || memmem(c, o, "url(\"javascript", 15) ||
		   memmem(c, o, "url(vbscript", 12) || memmem(c, o, "@import", 7) ||
		   memmem(c, o, "javascript:", 11);
	free(c);
	return bad;
}

/* Parse attributes from i up to the end of the tag.  Returns true if one can
 * run script.  *end receives the index after the tag (or n). */
static bool attributes(xs *x, size_t i, size_t *end, size_t tag_at)
{
	const char *s = x->s;
	size_t n = x->n;
	int count = 0;
	while (i < n && count++ < 64) {
		while (i < n && (html_space((unsigned char)s[i]) || s[i] == '/' || s[i] == '"' ||
				 s[i] == '\''))
			i++;
		if (i >= n || s[i] == '>') {
			*end = i < n ? i + 1 : n;
			return false;
		}
		size_t an = i;
		while (i < n && !html_space((unsigned char)s[i]) && s[i] != '/' && s[i] != '>' &&
		       s[i] != '=')
			i++;
		size_t alen = i - an;
		if (alen == 0) { /* a lone '=' */
			i++;
			continue;
		}
		size_t k = i;
		while (k < n && html_space((unsigned char)s[k]))
			k++;
		const char *v = NULL;
		size_t vn = 0;
		if (k < n && s[k] == '=') {
			k++;
			while (k < n && html_space((unsigned char)s[k]))
				k++;
			if (k < n && (s[k] == '"' || s[k] == '\'' || s[k] == '`')) {
				char q = s[k++];
				v = s + k;
				while (k < n && s[k] != q)
					k++;
				vn = (size_t)(s + k - v);
				if (k < n)
					k++;
			} else {
				v = s + k;
				while (k < n && !html_space((unsigned char)s[k]) && s[k] != '>')
					k++;
				vn = (size_t)(s + k - v);
			}
			i = k;
			/* event handler: on + letters, with a value */
			if (alen > 2 && lc((unsigned char)s[an]) == 'o' && lc((unsigned char)s[an + 1]) == 'n') {
				bool letters = true;
				for (size_t c = an + 2; c < an + alen; c++)
					letters &= is_alpha((unsigned char)s[c]);
				if (letters)
					return hit(x, tag_at, i, "an event handler attribute");
			}
			if (in_list(url_attrs, s + an, alen) && dangerous_url(v, vn))
				return hit(x, tag_at, i, "a script URL in an attribute");
			if (ieq(s + an, alen, "style") && dangerous_style(v, vn))
				return hit(x, tag_at, i, "a style that runs code");
			if (ieq(s + an, alen, "srcdoc") && memchr(v, '<', vn))
				return hit(x, tag_at, i, "markup in srcdoc");
		} else {
			i = k > i ? k : i;
		}
	}
	*end = i;
	return false;
}

/* A tag at s[i] == '<'. */
static bool tag(xs *x, size_t i, size_t *next)
{
	const char *s = x->s;
	size_t n = x->n;
	size_t j = i + 1;
	*next = i + 1;
	if (j < n && s[j] == '/')
		j++;
	if (j + 2 < n && s[j] == '!' && s[j + 1] == '[') /* <![CDATA[ */
		return false;
	if (j < n && s[j] == '?') { /* <?import, <?xml-stylesheet */
		if (starts_ci(s + j + 1, n - j - 1, "import") || starts_ci(s + j + 1, n - j - 1, "xml-stylesheet"))
			return hit(x, i, j + 7, "an XML processing instruction loading code");
		return false;
	}
	if (j >= n || !is_alpha((unsigned char)s[j]))
		return false;
	size_t nm = j;
	while (j < n && !html_space((unsigned char)s[j]) && s[j] != '/' && s[j] != '>')
		j++;
	size_t len = j - nm;
	const char *name = s + nm;
	/* namespaced names: <x:script> */
	const char *colon = memchr(name, ':', len);
	if (colon) {
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	bool closing = s[i + 1] == '/';
	if (!closing && in_list(script_tags, name, len)) {
		/* "<style" or "<link" in prose is rare; demand a real tag */
		size_t e = j;
		while (e < n && e < j + 512 && s[e] != '>' && s[e] != '<')
			e++;
		bool complete = e < n && s[e] == '>';
		bool strong = ieq(name, len, "script") || ieq(name, len, "iframe") ||
			      ieq(name, len, "object") || ieq(name, len, "embed") ||
			      ieq(name, len, "applet") || ieq(name, len, "svg") ||
			      ieq(name, len, "frameset") || ieq(name, len, "base") ||
			      ieq(name, len, "math") || ieq(name, len, "import") ||
			      ieq(name, len, "vmlframe") || ieq(name, len, "isindex") ||
			      ieq(name, len, "portal") || ieq(name, len, "xss");
		if (strong || complete)
			return hit(x, i, complete ? e + 1 : j, "a script-capable element");
	}
	if (closing) {
		if (ieq(name, len, "script") || ieq(name, len, "title") || ieq(name, len, "textarea") ||
		    ieq(name, len, "style") || ieq(name, len, "noscript"))
			*next = j;
		return false;
	}
	size_t end;
	if (attributes(x, j, &end, i))
		return true;
	*next = end > i ? end : i + 1;
	return false;
}

/* After a quote or at the start: attributes that close out of a value. */
static bool attr_breakout(xs *x)
{
	const char *s = x->s;
	size_t n = x->n;
	static const char qs[] = {'"', '\'', '`'};
	for (size_t q = 0; q < sizeof qs; q++) {
		const char *p = memchr(s, qs[q], n);
		if (!p)
			continue;
		size_t i = (size_t)(p - s) + 1;
		/* the closing quote must be followed by a separator */
		if (i < n && !html_space((unsigned char)s[i]) && s[i] != '/' && s[i] != '>')
			continue;
		size_t end;
		if (attributes(x, i, &end, (size_t)(p - s)))
			return true;
	}
	/* unquoted attribute context: a separator then an event handler */
	size_t i = 0;
	while (i < n && !html_space((unsigned char)s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '<')
		i++;
	if (i < n && i < 64 && (html_space((unsigned char)s[i]) || s[i] == '/')) {
		size_t end;
		xs sub = *x;
		if (attributes(&sub, i, &end, 0)) {
			/* only an event handler counts here: "a b=c" is prose-like */
			if (sub.why && !strcmp(sub.why, "an event handler attribute")) {
				*x = sub;
				return true;
			}
		}
	}
	return false;
}

/* ---- script context ---- */

static inline bool js_ident(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '$';
}

static const char *const js_calls[] = {
	"alert",	"prompt",	"confirm",	"eval",	      "settimeout", "setinterval",
	"function",	"execscript",	"fetch",	"import",     "atob",	    "open",
	"print",	"write",	"writeln",	"fromcharcode", "constructor", "navigate",
	"assign",	"replace",	"showmodaldialog", "postmessage", "createelement", "appendchild",
	"insertadjacenthtml", "require", "unescape", "decodeuricomponent", "xmlhttprequest", "apply",
	"call",		"bind",		NULL,
};

static const char *const js_objects[] = {
	"document", "window", "self", "top", "parent", "frames", "globalthis", "this", "location",
	"navigator", "content", "opener", "reflect", NULL,
};

static const char *const js_props[] = {
	"cookie", "location", "domain", "write", "writeln", "innerhtml", "outerhtml", "href",
	"eval", "execscript", "documentelement", "body", "referrer", "url", "localstorage",
	"sessionstorage", "origin", "opener", "constructor", "navigate", "apply", "call", NULL,
};

/* A call of a known function at i: name, optional spaces, "(" or "`". */
static bool js_call_at(const char *s, size_t n, size_t i, size_t *end)
{
	size_t j = i;
	while (j < n && js_ident((unsigned char)s[j]))
		j++;
	if (j == i)
		return false;
	size_t k = j;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	/* the name is looked up only when a call follows (the cheaper test first) */
	if (k < n && (s[k] == '(' || s[k] == '`') && in_list(js_calls, s + i, j - i)) {
		/* the argument must look like code, not prose: "(1)", "(document.x)", "`1`" */
		char close = s[k] == '(' ? ')' : '`';
		const char *e = memchr(s + k + 1, close, n - k - 1);
		if (!e) {
			*end = n;
			return k == j && n - k < 64; /* cut payload: "alert(" right at the end */
		}
		size_t an = (size_t)(e - (s + k + 1));
		const char *a = s + k + 1;
		bool code = an == 0 || an < 64;
		int spaces = 0;
		for (size_t c = 0; c < an; c++)
			if (a[c] == ' ')
				spaces++;
		if (spaces > 2 && !memchr(a, '(', an) && !memchr(a, '.', an) && !memchr(a, '"', an) &&
		    !memchr(a, '\'', an))
			code = false; /* "(by the end of the week)" */
		if (k > j && spaces > 0)
			code = false; /* "confirm (the date)" */
		*end = (size_t)(e - s) + 1;
		return code;
	}
	return false;
}

static bool js_gap(char c)
{
	return c == ' ' || c == '\t' || c == '/' || c == '*';
}

static bool js_sinks(xs *x)
{
	const char *s = x->s;
	size_t n = x->n;
	/* only a name followed by . [ ( or ` (a NUL byte counts too, as it did
	 * with strchr), maybe after up to 40 bytes of spaces and comment
	 * marks, can be a sink or a call: found from those bytes backwards,
	 * names in order */
	static const bool follow[256] = {[0] = 1, ['.'] = 1, ['['] = 1, ['('] = 1, ['`'] = 1};
	for (size_t f = 0; f < n; f++) {
		if (!follow[(unsigned char)s[f]])
			continue;
		size_t j = f;
		while (j > 0 && f - j < 40 && js_gap(s[j - 1]))
			j--;
		if (j == 0 || !js_ident((unsigned char)s[j - 1]))
			continue;
		size_t i = j - 1;
		while (i > 0 && js_ident((unsigned char)s[i - 1]))
			i--;
		size_t end;
		/* obj.prop / obj[...] / obj.call(...) */
		if (in_list(js_objects, s + i, j - i) && j < n) {
			size_t k = j;
			while (k < n && (s[k] == ' ' || s[k] == '/' || s[k] == '*') && k < j + 40) {
				if (s[k] == '/' && k + 1 < n && s[k + 1] == '*') {
					const char *e = memmem(s + k + 2, n - k - 2, "*/", 2);
					k = e ? (size_t)(e - s) + 2 : n;
				} else if (s[k] == ' ') {
					k++;
				} else {
					break;
				}
			}
			if (k < n && s[k] == '[')
				return hit(x, i, k + 1, "bracket access on a DOM global");
			if (k < n && s[k] == '.') {
				size_t p = k + 1, q = p;
				while (q < n && js_ident((unsigned char)s[q]))
					q++;
				if (q > p && (in_list(js_props, s + p, q - p) || js_call_at(s, n, p, &end)))
					return hit(x, i, q, "a DOM sink");
			}
		}
		if (js_call_at(s, n, i, &end)) {
			/* a bare call counts when something around it is code-like */
			static const bool code[256] = {
				[0] = 1, [';'] = 1, ['('] = 1, ['-'] = 1, ['+'] = 1, ['*'] = 1, ['/'] = 1,
				['|'] = 1, ['&'] = 1, ['!'] = 1, ['='] = 1, [','] = 1, [':'] = 1, ['\''] = 1,
				['"'] = 1, ['`'] = 1, ['{'] = 1, ['}'] = 1, ['>'] = 1, ['['] = 1, [' '] = 1,
				['\t'] = 1, ['\n'] = 1};
			bool before = i == 0 || code[(unsigned char)s[i - 1]];
			if (before)
				return hit(x, i, end, "a script call");
		}
	}
	return false;
}

/* {{ ... }} reaching the Function constructor (AngularJS sandbox escapes). */
static bool template_expr(xs *x)
{
	const char *o = memmem(x->s, x->n, "{{", 2);
	if (!o)
		return false;
	size_t at = (size_t)(o - x->s);
	const char *c = memmem(o, x->n - at, "}}", 2);
	size_t end = c ? (size_t)(c - x->s) : x->n;
	for (size_t i = at; i + 11 <= end; i++)
		if (strncasecmp(x->s + i, "constructor", 11) == 0 || strncasecmp(x->s + i, "$eval", 5) == 0 ||
		    strncasecmp(x->s + i, "alert", 5) == 0 || strncasecmp(x->s + i, "$on.", 4) == 0)
			return hit(x, at, end, "a template expression reaching code");
	return false;
}

/* UTF-7: +ADw- is '<'.  Decode the base64 runs into ASCII where possible. */
static size_t utf7_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '+' || i + 1 >= n || s[i + 1] == '-') {
			out[o++] = s[i];
			continue;
		}
		size_t j = i + 1;
		uint32_t acc = 0;
		int bits = 0;
		size_t start = o;
		while (j < n) {
			char c = s[j];
			int v = (c >= 'A' && c <= 'Z')	 ? c - 'A'
				: (c >= 'a' && c <= 'z') ? c - 'a' + 26
				: (c >= '0' && c <= '9') ? c - '0' + 52
				: c == '+'		 ? 62
				: c == '/'		 ? 63
							 : -1;
			if (v < 0)
				break;
			acc = (acc << 6) | (uint32_t)v;
			bits += 6;
			if (bits >= 16) {
				bits -= 16;
				uint32_t u = (acc >> bits) & 0xFFFF;
				out[o++] = u < 0x80 && u ? (char)u : '?';
			}
			j++;
		}
		if (o == start) {
			out[o++] = s[i];
			continue;
		}
		if (j < n && s[j] == '-')
			j++;
		i = j - 1;
	}
	return o;
}

/* Which of the characters the contexts need occur: each check below can
 * only succeed with its own (a tag needs '<', a URL ':', an attribute '=',
 * a sink or a call one of ".[(`", a template '{'). */
enum { C_LT = 1, C_COLON = 2, C_EQ = 4, C_SINK = 8, C_BRACE = 16, C_X = 32, C_G = 64 };

static unsigned needed_chars(const char *s, size_t n)
{
	static const unsigned char cls[256] = {
		['<'] = C_LT,	['='] = C_EQ,	['.'] = C_SINK,	 ['['] = C_SINK,
		['('] = C_SINK, ['`'] = C_SINK, ['{'] = C_BRACE, [':'] = C_COLON,
		['x'] = C_X,	['g'] = C_G, /* "expression", "binding" */
	};
	unsigned m = 0;
	for (size_t i = 0; i < n; i++)
		m |= cls[(unsigned char)s[i]];
	return m;
}

static bool detect_one(xs *x)
{
	const char *s = x->s;
	size_t n = x->n;
	unsigned has = needed_chars(s, n);
	/* HTML text context */
	for (size_t i = 0; (has & C_LT) && i < n;) {
		const char *lt = memchr(s + i, '<', n - i);
		if (!lt)
			break;
		size_t next;
		if (tag(x, (size_t)(lt - s), &next))
			return true;
		i = next;
	}
	/* a URL context: the whole value */
	size_t lead = 0;
	while (lead < n && ((unsigned char)s[lead] <= 0x20 || s[lead] == '"' || s[lead] == '\''))
		lead++;
	if (n - lead > 5 && (has & C_COLON) && dangerous_url(s + lead, n - lead)) {
		char *c = malloc(n + 1);
		size_t m = url_clean(s + lead, n - lead, c);
		/* "javascript:" alone is prose; a payload follows the scheme */
		const char *colon = memchr(c, ':', m);
		bool payload = colon && (size_t)(colon - c) + 2 < m;
		free(c);
		if (payload)
			return hit(x, lead, n, "a script URL");
	}
	if ((has & C_EQ) && attr_breakout(x))
		return true;
	if ((has & C_SINK) && js_sinks(x))
		return true;
	if ((has & C_BRACE) && template_expr(x))
		return true;
	/* CSS context */
	if (((has & C_X && memmem(s, n, "expression", 10)) || (has & C_G && memmem(s, n, "binding", 7))) &&
	    dangerous_style(s, n))
		return hit(x, 0, n, "a style that runs code");
	return false;
}

bool waf_xss_detect(const char *s, size_t n, size_t *at, size_t *span, const char **why)
{
	if (n == 0)
		return false;
	if (n > 65536)
		n = 65536;
	xs x = {s, n, 0, 0, NULL};
	if (detect_one(&x)) {
		*at = x.at;
		*span = x.span;
		*why = x.why;
		return true;
	}
	char small[4096];
	char *d = n < sizeof small ? small : mamori_xmalloc(n + 1);
	size_t m = waf_detector_decode(s, n, d);
	bool found = false;
	if (m) {
		xs y = {d, m, 0, 0, NULL};
		found = detect_one(&y);
		*why = y.why;
	}
	if (!found && memchr(s, '+', n) && memmem(s, n, "+AD", 3)) {
		size_t k = utf7_decode(s, n, d);
		xs y = {d, k, 0, 0, NULL};
		found = detect_one(&y);
		*why = y.why;
	}
	if (d != small)
		free(d);
	if (found) {
		*at = 0;
		*span = n;
	}
	return found;
}

bool mamori_waf_xss(const char *s, size_t len, const char **why, size_t *at, size_t *span)
{
	size_t a, b;
	const char *w;
	bool r = waf_xss_detect(s, len, &a, &b, &w);
	if (r) {
		if (why)
			*why = w;
		if (at)
			*at = a;
		if (span)
			*span = b;
	}
	return r;
}
