/*
 * sqli.c — mamori's SQL-injection detector.
 *
 * Not a list of keyword regexes: the value is tokenized the way a SQL lexer
 * would (strings with their escapes, numbers, identifiers, keywords,
 * operators, MySQL executable comments, comments as whitespace) in each
 * quoting context the application may have put it in — bare (a number or an
 * identifier), inside '...', inside "...", inside `...`.  In a quoted
 * context the value only matters if it closes the string; what follows the
 * close (the "tail") must then be a plausible continuation of a SQL
 * expression for the value to be an injection:
 *
 *   ' OR 1=1--        logical operator + comparison
 *   ') or ('a'='a     closing parentheses, then the same
 *   ' UNION SELECT    union of queries
 *   '; DROP TABLE     a stacked statement
 *   admin'--          a comment that cuts the rest of the query
 *   '||(SELECT ..)||' an operator joining a sub-query or a function call
 *   ' AND SLEEP(5)#   a time-based probe
 *
 * Anywhere in the token stream: UNION SELECT, a statement after ';', a
 * time-delay or file/XML-error function call with SQL arguments, a whole
 * statement (SELECT .. FROM, INSERT INTO .. VALUES, DROP TABLE ..).  Natural
 * language rarely produces these shapes: "rock and roll" has an operator but
 * no comparison, "don't" closes a string but is followed by a word.
 *
 * The value is inspected as given and fully decoded (URL incl. %u and double
 * encoding, HTML entities, JS/JSON \u escapes).  HIGH sensitivity adds weaker
 * signals (a bare-context comment after a value, SQL metadata functions and
 * variables).  Linear time: each context is one pass over at most
 * MAX_TOKENS tokens.
 */
#include "waf_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 512

enum {
	T_STR = 's',	 /* closed string literal */
	T_OPEN = 'S',	 /* string still open at the end of the input */
	T_NUM = 'n',
	T_VAR = 'v',	 /* @x, @@x */
	T_WORD = 'w',	 /* identifier, non-keyword */
	T_FUNC = 'f',	 /* identifier followed by '(' */
	T_STMT = 'k',	 /* statement keyword: SELECT, INSERT, DROP... */
	T_UNION = 'U',
	T_LOGIC = 'o',	 /* AND OR XOR NOT && || */
	T_CMP = 'c',	 /* = < > LIKE IN IS BETWEEN REGEXP ... */
	T_ARITH = 'a',	 /* + - * / % & | ^ DIV MOD */
	T_CLAUSE = 'K',	 /* FROM WHERE ORDER GROUP BY HAVING LIMIT INTO ... */
	T_VALUE = 'b',	 /* NULL TRUE FALSE */
	T_LPAREN = '(',
	T_RPAREN = ')',
	T_COMMA = ',',
	T_SEMI = ';',
	T_DOT = '.',
	T_COMMENT = 'x', /* -- # or an unclosed comment */
	T_OTHER = '?',
};

typedef struct tok {
	char type;
	unsigned short kw; /* index into words[] or 0 */
	uint32_t at, len; /* values are cut at 64 KiB */
} tok;

/* Keywords; the index is used for the few that need special treatment. */
enum {
	KW_NONE,
	KW_SELECT,
	KW_INSERT,
	KW_UPDATE,
	KW_DELETE,
	KW_DROP,
	KW_CREATE,
	KW_ALTER,
	KW_TRUNCATE,
	KW_EXEC,
	KW_EXECUTE,
	KW_DECLARE,
	KW_SHUTDOWN,
	KW_WAITFOR,
	KW_UNION,
	KW_AND,
	KW_OR,
	KW_XOR,
	KW_NOT,
	KW_LIKE,
	KW_RLIKE,
	KW_REGEXP,
	KW_IN,
	KW_IS,
	KW_BETWEEN,
	KW_SOUNDS,
	KW_GLOB,
	KW_DIV,
	KW_MOD,
	KW_FROM,
	KW_WHERE,
	KW_ORDER,
	KW_GROUP,
	KW_BY,
	KW_HAVING,
	KW_LIMIT,
	KW_OFFSET,
	KW_INTO,
	KW_VALUES,
	KW_PROCEDURE,
	KW_CASE,
	KW_WHEN,
	KW_THEN,
	KW_ELSE,
	KW_END,
	KW_NULL,
	KW_TRUE,
	KW_FALSE,
	KW_ALL,
	KW_DISTINCT,
	KW_TABLE,
	KW_DATABASE,
	KW_SET,
	KW_OUTFILE,
	KW_DUMPFILE,
	KW_DELAY,
	KW_IMMEDIATE,
	KW_FUNCTION,
	KW_GRANT,
	KW_SHOW,
	KW_COUNT
};

static const struct {
	const char *w;
	char type;
} words[KW_COUNT] = {

	[KW_SELECT] = {"select", T_STMT},     [KW_INSERT] = {"insert", T_STMT},
	[KW_UPDATE] = {"update", T_STMT},     [KW_DELETE] = {"delete", T_STMT},
	[KW_DROP] = {"drop", T_STMT},	      [KW_CREATE] = {"create", T_STMT},
	[KW_ALTER] = {"alter", T_STMT},	      [KW_TRUNCATE] = {"truncate", T_STMT},
	[KW_EXEC] = {"exec", T_STMT},	      [KW_EXECUTE] = {"execute", T_STMT},
	[KW_DECLARE] = {"declare", T_STMT},   [KW_SHUTDOWN] = {"shutdown", T_STMT},
	[KW_WAITFOR] = {"waitfor", T_STMT},   [KW_UNION] = {"union", T_UNION},
	[KW_AND] = {"and", T_LOGIC},	      [KW_OR] = {"or", T_LOGIC},
	[KW_XOR] = {"xor", T_LOGIC},	      [KW_NOT] = {"not", T_LOGIC},
	[KW_LIKE] = {"like", T_CMP},	      [KW_RLIKE] = {"rlike", T_CMP},
	[KW_REGEXP] = {"regexp", T_CMP},      [KW_IN] = {"in", T_CMP},
	[KW_IS] = {"is", T_CMP},	      [KW_BETWEEN] = {"between", T_CMP},
	[KW_SOUNDS] = {"sounds", T_CMP},      [KW_GLOB] = {"glob", T_CMP},
	[KW_DIV] = {"div", T_ARITH},	      [KW_MOD] = {"mod", T_ARITH},
	[KW_FROM] = {"from", T_CLAUSE},	      [KW_WHERE] = {"where", T_CLAUSE},
	[KW_ORDER] = {"order", T_CLAUSE},     [KW_GROUP] = {"group", T_CLAUSE},
	[KW_BY] = {"by", T_CLAUSE},	      [KW_HAVING] = {"having", T_CLAUSE},
	[KW_LIMIT] = {"limit", T_CLAUSE},     [KW_OFFSET] = {"offset", T_CLAUSE},
	[KW_INTO] = {"into", T_CLAUSE},	      [KW_VALUES] = {"values", T_CLAUSE},
	[KW_PROCEDURE] = {"procedure", T_CLAUSE}, [KW_CASE] = {"case", T_CLAUSE},
	[KW_WHEN] = {"when", T_CLAUSE},	      [KW_THEN] = {"then", T_CLAUSE},
	[KW_ELSE] = {"else", T_CLAUSE},	      [KW_END] = {"end", T_CLAUSE},
	[KW_NULL] = {"null", T_VALUE},	      [KW_TRUE] = {"true", T_VALUE},
	[KW_FALSE] = {"false", T_VALUE},      [KW_ALL] = {"all", T_CLAUSE},
	[KW_DISTINCT] = {"distinct", T_CLAUSE}, [KW_TABLE] = {"table", T_CLAUSE},
	[KW_DATABASE] = {"database", T_CLAUSE}, [KW_SET] = {"set", T_WORD},
	[KW_OUTFILE] = {"outfile", T_CLAUSE}, [KW_DUMPFILE] = {"dumpfile", T_CLAUSE},
	[KW_DELAY] = {"delay", T_CLAUSE},     [KW_IMMEDIATE] = {"immediate", T_CLAUSE},
	[KW_FUNCTION] = {"function", T_CLAUSE}, [KW_GRANT] = {"grant", T_WORD},
	[KW_SHOW] = {"show", T_WORD},
};

/* Functions an injection calls to probe, delay, read files or leak data
 * through errors; a call with SQL-looking arguments is enough. */
static const char *const attack_funcs[] = {
	"sleep",	"benchmark",	"pg_sleep",	   "waitfor",	     "extractvalue",
	"updatexml",	"load_file",	"utl_inaddr",	   "utl_http",	     "dbms_pipe",
	"xp_cmdshell",	"xp_dirtree",	"sys_eval",	   "sys_exec",	     "lo_import",
	"lo_export",	"pg_read_file", "randomblob",	   "dbms_lock",	     "char",
	"chr",		"concat",	"concat_ws",	   "group_concat",   "substring",
	"substr",	"mid",		"ascii",	   "ord",	     "hex",
	"unhex",	"cast",		"convert",	   "version",	     "database",
	"user",		"current_user", "system_user",	   "session_user",   "schema",
	"if",		"iif",		"ifnull",	   "isnull",	     "coalesce",
	"nullif",	"md5",		"sha1",		   "rand",	     "floor",
	"count",	"length",	"len",		   "exp",	     "json_keys",
	"json_extract", "json_depth",	"xmltype",	   "dbms_xmlgen",    "make_set",
	"elt",		"row",		"name_const",	   "polygon",	     "multipoint",
	"geometrycollection", "linestring", "bin",	   "conv",	     "instr",
	"locate",	"position",	"replace",	   "reverse",	     "strcmp",
	"to_char",	"to_number",	"nvl",		   "decode",	     "generate_series",
	"pg_user",	"current_database", "sqlite_version", "load_extension", "openrowset",
	"opendatasource", "openquery",	"db_name",	   "host_name",	     "suser_name",
	"is_srvrolemember", "has_dbaccess", NULL,
};

/* OLE DB providers named in OPENROWSET / OPENDATASOURCE. */
static const char *const providers[] = {"msdasql", "sqloledb", "sqlncli", "microsoft.jet.oledb.4.0",
					"microsoft.ace.oledb.12.0", "msolap", NULL};

/* Catalog tables an attacker enumerates. */
static const char *const meta_tables[] = {
	"information_schema", "sysobjects",	"syscolumns", "sysdatabases", "msysaccessobjects",
	"msysobjects",	      "sqlite_master",	"sqlite_schema", "pg_catalog", "pg_shadow",
	"pg_tables",	      "all_tables",	"user_tables", "all_tab_columns", "user_tab_columns",
	"dba_users",	      "sysusers",	"sys.objects", "sys.tables", "mysql.user", NULL,
};

/* The ones that are an attack on their own (no need for other evidence). */
static const char *const strong_funcs[] = {
	"sleep",	"benchmark",   "pg_sleep",    "extractvalue", "updatexml", "load_file",
	"utl_inaddr",	"utl_http",    "dbms_pipe",   "xp_cmdshell",  "xp_dirtree", "sys_eval",
	"sys_exec",	"lo_import",   "lo_export",   "pg_read_file", "dbms_lock", "randomblob",
	"name_const",	"load_extension", "openrowset", "opendatasource", NULL,
};

static bool in_list(const char *const *list, const char *s, size_t n)
{
	char first = (char)(s[0] | 0x20);
	for (; *list; list++) {
		const char *w = *list;
		if (w[0] != first)
			continue;
		size_t k = 1;
		while (k < n && w[k] && w[k] == (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] | 0x20 : s[k]))
			k++;
		if (k == n && w[k] == 0)
			return true;
	}
	return false;
}

/* Byte classes, one table look per byte in the lexer's loops. */
enum { CC_WORD_START = 1, CC_WORD = 2, CC_SPACE = 4 };
#define CC_W (CC_WORD_START | CC_WORD)
#define CC_ROW16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char byte_class[256] = {
	[0] = CC_SPACE, ['\t'] = CC_SPACE, ['\n'] = CC_SPACE, ['\v'] = CC_SPACE, ['\f'] = CC_SPACE,
	['\r'] = CC_SPACE, [' '] = CC_SPACE, ['$'] = CC_W, ['_'] = CC_W,
	['0'] = CC_WORD, ['1'] = CC_WORD, ['2'] = CC_WORD, ['3'] = CC_WORD, ['4'] = CC_WORD,
	['5'] = CC_WORD, ['6'] = CC_WORD, ['7'] = CC_WORD, ['8'] = CC_WORD, ['9'] = CC_WORD,
	['A'] = CC_W, ['B'] = CC_W, ['C'] = CC_W, ['D'] = CC_W, ['E'] = CC_W, ['F'] = CC_W,
	['G'] = CC_W, ['H'] = CC_W, ['I'] = CC_W, ['J'] = CC_W, ['K'] = CC_W, ['L'] = CC_W,
	['M'] = CC_W, ['N'] = CC_W, ['O'] = CC_W, ['P'] = CC_W, ['Q'] = CC_W, ['R'] = CC_W,
	['S'] = CC_W, ['T'] = CC_W, ['U'] = CC_W, ['V'] = CC_W, ['W'] = CC_W, ['X'] = CC_W,
	['Y'] = CC_W, ['Z'] = CC_W,
	['a'] = CC_W, ['b'] = CC_W, ['c'] = CC_W, ['d'] = CC_W, ['e'] = CC_W, ['f'] = CC_W,
	['g'] = CC_W, ['h'] = CC_W, ['i'] = CC_W, ['j'] = CC_W, ['k'] = CC_W, ['l'] = CC_W,
	['m'] = CC_W, ['n'] = CC_W, ['o'] = CC_W, ['p'] = CC_W, ['q'] = CC_W, ['r'] = CC_W,
	['s'] = CC_W, ['t'] = CC_W, ['u'] = CC_W, ['v'] = CC_W, ['w'] = CC_W, ['x'] = CC_W,
	['y'] = CC_W, ['z'] = CC_W,
	/* every byte from 0x80 starts a word; 0xa0 (no-break space) separates
	 * tokens but does not end a word it is inside */
	[0x80] = CC_ROW16(CC_W), CC_ROW16(CC_W), CC_SPACE | CC_W, CC_W, CC_W, CC_W, CC_W, CC_W, CC_W, CC_W,
	CC_W, CC_W, CC_W, CC_W, CC_W, CC_W, CC_W, CC_W, CC_ROW16(CC_W), CC_ROW16(CC_W), CC_ROW16(CC_W),
	CC_ROW16(CC_W), CC_ROW16(CC_W),
};

static inline bool is_word_start(unsigned char c)
{
	return byte_class[c] & CC_WORD_START;
}

static inline bool is_word(unsigned char c)
{
	return byte_class[c] & CC_WORD;
}

static inline bool is_space(unsigned char c)
{
	return byte_class[c] & CC_SPACE;
}

typedef struct lexer {
	const char *s;
	size_t n;
	tok *t;
	size_t count;
	int mysql_comment; /* inside a MySQL executable comment */
} lexer;

static void push(lexer *lx, char type, unsigned short kw, size_t at, size_t len)
{
	if (lx->count < MAX_TOKENS)
		lx->t[lx->count++] = (tok){type, kw, (uint32_t)at, (uint32_t)len};
}

/* A quoted string starting at i (s[i] is the quote); returns its end. */
static size_t lex_string(lexer *lx, size_t i, char q, bool *closed)
{
	size_t j = i + 1;
	while (j < lx->n) {
		char c = lx->s[j];
		if (c == '\\' && q != '`' && j + 1 < lx->n) {
			j += 2;
			continue;
		}
		if (c == q) {
			if (j + 1 < lx->n && lx->s[j + 1] == q) { /* doubled quote */
				j += 2;
				continue;
			}
			*closed = true;
			return j + 1;
		}
		j++;
	}
	*closed = false;
	return lx->n;
}

/* Keywords by a perfect hash of their first, second and last letters and
 * length (collision-free for the words above; test_waf_detect checks every
 * keyword maps to itself). */
#define KW_HASH(c0, c1, cl, n) (((c0) * 19u + (c1) * 30u + (cl) + (unsigned)(n) * 7u) & 255u)
static const unsigned char kw_hash[256] = {
	[14] = KW_EXEC, [25] = KW_OR, [36] = KW_UNION, [37] = KW_EXECUTE, [40] = KW_SOUNDS,
	[43] = KW_IN, [46] = KW_ORDER, [53] = KW_IMMEDIATE, [56] = KW_CASE, [58] = KW_INTO,
	[68] = KW_CREATE, [69] = KW_DIV, [76] = KW_SHOW, [77] = KW_INSERT, [80] = KW_PROCEDURE,
	[84] = KW_DROP, [86] = KW_THEN, [92] = KW_ALL, [94] = KW_UPDATE, [95] = KW_SHUTDOWN,
	[102] = KW_DISTINCT, [103] = KW_DATABASE, [104] = KW_NULL, [112] = KW_ALTER,
	[113] = KW_XOR, [119] = KW_FROM, [120] = KW_FALSE, [121] = KW_TRUE, [130] = KW_TABLE,
	[137] = KW_OUTFILE, [141] = KW_WHERE, [143] = KW_WHEN, [144] = KW_AND, [146] = KW_MOD,
	[148] = KW_GROUP, [149] = KW_TRUNCATE, [152] = KW_GRANT, [166] = KW_RLIKE,
	[167] = KW_HAVING, [168] = KW_ELSE, [181] = KW_NOT, [187] = KW_BETWEEN, [189] = KW_VALUES,
	[191] = KW_DUMPFILE, [198] = KW_IS, [203] = KW_GLOB, [207] = KW_OFFSET, [209] = KW_DELETE,
	[211] = KW_LIKE, [214] = KW_WAITFOR, [216] = KW_DECLARE, [220] = KW_END, [222] = KW_DELAY,
	[230] = KW_REGEXP, [232] = KW_SET, [233] = KW_LIMIT, [238] = KW_FUNCTION, [251] = KW_BY,
	[253] = KW_SELECT,
};

static unsigned char lower_ascii(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static unsigned short keyword(const char *s, size_t n)
{
	if (n < 2 || n > 9)
		return 0;
	unsigned kw = kw_hash[KW_HASH(lower_ascii((unsigned char)s[0]), lower_ascii((unsigned char)s[1]),
				       lower_ascii((unsigned char)s[n - 1]), n)];
	if (!kw)
		return 0;
	const char *w = words[kw].w;
	for (size_t k = 0; k < n; k++)
		if (w[k] != (char)lower_ascii((unsigned char)s[k]))
			return 0;
	return w[n] == 0 ? (unsigned short)kw : 0;
}

unsigned waf_sqli_keyword(const char *s, size_t n)
{
	return keyword(s, n);
}

const char *waf_sqli_keyword_name(unsigned kw)
{
	return kw > 0 && kw < KW_COUNT ? words[kw].w : NULL;
}

/* The operator at s[i] (longest match) and its token type; 0 when there is
 * none.  Comparisons: = < > and what begins with them, != :=; logical:
 * || && !; the rest arithmetic. */
static size_t operator_at(const char *s, size_t i, size_t n, char *type)
{
	char c = s[i], d = i + 1 < n ? s[i + 1] : 0;
	switch (c) {
	case '<':
		*type = T_CMP;
		if (d == '=' && i + 2 < n && s[i + 2] == '>')
			return 3; /* <=> */
		return d == '>' || d == '=' || d == '<' ? 2 : 1;
	case '>':
		*type = T_CMP;
		return d == '=' || d == '>' ? 2 : 1;
	case '=':
		*type = T_CMP;
		return 1;
	case '!':
		*type = d == '=' ? T_CMP : T_LOGIC;
		return d == '=' ? 2 : 1;
	case '|':
	case '&':
		*type = d == c ? T_LOGIC : T_ARITH;
		return d == c ? 2 : 1;
	case ':':
		*type = d == '=' ? T_CMP : T_ARITH;
		return d == '=' || d == ':' ? 2 : 0;
	case '+':
	case '-':
	case '*':
	case '/':
	case '%':
	case '^':
	case '~':
		*type = T_ARITH;
		return 1;
	default:
		return 0;
	}
}

/* Tokenize s[start..n).  When q is a quote, the input begins inside a string
 * opened by q: the first token is that string's remainder. */
static void lex(lexer *lx, size_t start, char q)
{
	size_t i = start;
	lx->count = 0;
	lx->mysql_comment = 0;
	if (q) {
		/* the input continues a string opened by q */
		size_t j = start;
		bool closed = false;
		while (j < lx->n) {
			char c = lx->s[j];
			if (c == '\\' && q != '`' && j + 1 < lx->n) {
				j += 2;
				continue;
			}
			if (c == q) {
				if (j + 1 < lx->n && lx->s[j + 1] == q) {
					j += 2;
					continue;
				}
				closed = true;
				j++;
				break;
			}
			j++;
		}
		push(lx, closed ? T_STR : T_OPEN, 0, start, j - start);
		if (!closed)
			return;
		i = j;
	}
	const char *s = lx->s;
	size_t n = lx->n;
	while (i < n && lx->count < MAX_TOKENS) {
		unsigned char c = (unsigned char)s[i];
		if (is_space(c)) {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			if (i + 2 < n && s[i + 2] == '!') {
				/* MySQL executes the inside: skip the marker and version */
				i += 3;
				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
				lx->mysql_comment++;
				continue;
			}
			const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
			if (!e) {
				push(lx, T_COMMENT, 0, i, n - i);
				return;
			}
			i = (size_t)(e - s) + 2; /* a comment is whitespace */
			continue;
		}
		if (c == '*' && i + 1 < n && s[i + 1] == '/' && lx->mysql_comment) {
			lx->mysql_comment--;
			i += 2;
			continue;
		}
		if ((c == '#' && !(i + 1 < n && s[i + 1] == '>')) || (c == '-' && i + 1 < n && s[i + 1] == '-')) {
			const char *nl = memchr(s + i, '\n', n - i);
			push(lx, T_COMMENT, 0, i, nl ? (size_t)(nl - (s + i)) : n - i);
			if (!nl)
				return;
			i = (size_t)(nl - s) + 1;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			bool closed;
			size_t e = lex_string(lx, i, (char)c, &closed);
			push(lx, c == '`' ? T_WORD : closed ? T_STR : T_OPEN, 0, i, e - i);
			i = e;
			continue;
		}
		if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')) {
			size_t j = i;
			if (c == '0' && j + 1 < n && (s[j + 1] == 'x' || s[j + 1] == 'X' || s[j + 1] == 'b')) {
				j += 2;
				while (j < n && is_word((unsigned char)s[j]))
					j++;
			} else {
				while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
					j++;
				if (j < n && (s[j] == 'e' || s[j] == 'E')) {
					size_t k = j + 1;
					if (k < n && (s[k] == '+' || s[k] == '-'))
						k++;
					if (k < n && s[k] >= '0' && s[k] <= '9') {
						j = k;
						while (j < n && s[j] >= '0' && s[j] <= '9')
							j++;
					}
				}
			}
			push(lx, T_NUM, 0, i, j - i);
			i = j;
			continue;
		}
		if ((c == '@' && i + 1 < n && (s[i + 1] == '>' || s[i + 1] == '@')) ||
		    (c == '<' && i + 1 < n && s[i + 1] == '@') ||
		    (c == '-' && i + 1 < n && s[i + 1] == '>') ||
		    (c == '#' && i + 1 < n && s[i + 1] == '>') ||
		    (c == '?' && i + 1 < n && (s[i + 1] == '|' || s[i + 1] == '&'))) {
			/* PostgreSQL JSON and array operators: <@ @> @@ -> ->> #> ?| ?& */
			size_t len = (i + 2 < n && s[i + 2] == '>') ? 3 : 2;
			push(lx, T_CMP, 0, i, len);
			i += len;
			continue;
		}
		if (c == '@') {
			size_t j = i + 1;
			if (j < n && s[j] == '@')
				j++;
			while (j < n && (is_word((unsigned char)s[j]) || s[j] == '.'))
				j++;
			push(lx, T_VAR, 0, i, j - i);
			i = j;
			continue;
		}
		if (is_word_start(c)) {
			size_t j = i;
			while (j < n && is_word((unsigned char)s[j]))
				j++;
			/* N'..', X'..', B'..', E'..' string prefixes */
			if (j == i + 1 && j < n && s[j] == '\'' && strchr("nNxXbBeE", c)) {
				bool closed;
				size_t e = lex_string(lx, j, '\'', &closed);
				push(lx, closed ? T_STR : T_OPEN, 0, i, e - i);
				i = e;
				continue;
			}
			unsigned short kw = keyword(s + i, j - i);
			size_t k = j;
			while (k < n && is_space((unsigned char)s[k]))
				k++;
			/* comments between a name and its '(' still make a call */
			while (k + 1 < n && s[k] == '/' && s[k + 1] == '*') {
				const char *e = memmem(s + k + 2, n - k - 2, "*/", 2);
				if (!e)
					break;
				k = (size_t)(e - s) + 2;
				while (k < n && is_space((unsigned char)s[k]))
					k++;
			}
			char type = kw ? words[kw].type : T_WORD;
			if (k < n && s[k] == '(' && (type == T_WORD || kw == KW_DATABASE))
				type = T_FUNC;
			push(lx, type, kw, i, j - i);
			i = j;
			continue;
		}
		switch (c) {
		case '(':
			push(lx, T_LPAREN, 0, i++, 1);
			continue;
		case ')':
			push(lx, T_RPAREN, 0, i++, 1);
			continue;
		case ',':
			push(lx, T_COMMA, 0, i++, 1);
			continue;
		case ';':
			push(lx, T_SEMI, 0, i++, 1);
			continue;
		case '.':
			push(lx, T_DOT, 0, i++, 1);
			continue;
		default:
			break;
		}
		char type;
		size_t len = operator_at(s, i, n, &type);
		if (len) {
			push(lx, type, 0, i, len);
			i += len;
			continue;
		}
		push(lx, T_OTHER, 0, i++, 1);
	}
}

/* ---- shapes ---- */

typedef struct scan {
	const char *s;
	const tok *t;
	size_t n;
	bool high;
	size_t hit_at, hit_len;
	const char *why;
} scan;

static bool tok_is(const scan *q, size_t i, const char *text)
{
	/* the first byte first: most tests are of another token */
	return i < q->n && q->t[i].len == strlen(text) &&
	       lower_ascii((unsigned char)q->s[q->t[i].at]) == lower_ascii((unsigned char)text[0]) &&
	       strncasecmp(q->s + q->t[i].at, text, q->t[i].len) == 0;
}

static bool found(scan *q, size_t from, size_t to, const char *why)
{
	if (to >= q->n)
		to = q->n - 1;
	q->hit_at = q->t[from].at;
	q->hit_len = q->t[to].at + q->t[to].len - q->t[from].at;
	q->why = why;
	return true;
}

static bool is_strong_func(const scan *q, size_t i)
{
	return q->t[i].type == T_FUNC && in_list(strong_funcs, q->s + q->t[i].at, q->t[i].len);
}

static bool is_attack_func(const scan *q, size_t i)
{
	return q->t[i].type == T_FUNC && in_list(attack_funcs, q->s + q->t[i].at, q->t[i].len);
}

/* Index after the parenthesised group opening at i (t[i] is '('). */
static size_t skip_parens(const scan *q, size_t i, bool *has_select)
{
	int depth = 0;
	for (; i < q->n; i++) {
		if (q->t[i].type == T_LPAREN)
			depth++;
		else if (q->t[i].type == T_RPAREN && --depth == 0)
			return i + 1;
		else if (q->t[i].kw == KW_SELECT && has_select)
			*has_select = true;
	}
	return q->n;
}

/* An operand at i: literal, name (maybe qualified), variable, call,
 * parenthesised expression, with unary prefixes.  Returns the index after
 * it (== i when there is none); *strong when it is an attack call or a
 * sub-query. */
static size_t operand(const scan *q, size_t i, bool *strong)
{
	*strong = false;
	while (i < q->n && (q->t[i].type == T_ARITH || q->t[i].kw == KW_NOT || tok_is(q, i, "!")) &&
	       (tok_is(q, i, "-") || tok_is(q, i, "+") || tok_is(q, i, "~") || tok_is(q, i, "!") ||
		q->t[i].kw == KW_NOT))
		i++;
	if (i >= q->n)
		return i;
	char ty = q->t[i].type;
	if (ty == T_FUNC) {
		bool sel = false;
		*strong = is_strong_func(q, i);
		size_t j = i + 1 < q->n && q->t[i + 1].type == T_LPAREN ? skip_parens(q, i + 1, &sel) : i + 1;
		*strong |= sel;
		return j;
	}
	if (ty == T_LPAREN) {
		bool sel = false;
		size_t j = skip_parens(q, i, &sel);
		*strong = sel;
		return j;
	}
	if (ty == T_STR || ty == T_NUM || ty == T_VAR || ty == T_WORD || ty == T_VALUE ||
	    ty == T_OPEN) {
		size_t j = i + 1;
		while (j + 1 < q->n && ((q->t[j].type == T_DOT &&
					 (q->t[j + 1].type == T_WORD || q->t[j + 1].type == T_FUNC)) ||
					(tok_is(q, j, "::") && q->t[j + 1].type == T_WORD)))
			j += 2;
		return j;
	}
	return i;
}

static bool is_end(const scan *q, size_t i)
{
	return i >= q->n || q->t[i].type == T_COMMENT || q->t[i].type == T_SEMI;
}

static bool stmt_shape(scan *q, size_t i);

static size_t spaces(const scan *q, size_t i)
{
	size_t n = 0;
	for (size_t k = 0; k < q->t[i].len; k++)
		n += q->s[q->t[i].at + k] == ' ';
	return n;
}

/* Words of two letters or more in a comment's text. */
static size_t comment_words(const scan *q, size_t i)
{
	const char *p = q->s + q->t[i].at, *e = p + q->t[i].len;
	size_t nwords = 0, run = 0;
	for (; p < e; p++) {
		bool a = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		if (a)
			run++;
		else {
			nwords += run >= 2;
			run = 0;
		}
	}
	return nwords + (run >= 2);
}

/* What follows the value (bare) or the closed string (quoted). */
static bool tail(scan *q, size_t i, bool quoted, int depth)
{
	size_t start = i;
	bool paren = false;
	while (i < q->n && q->t[i].type == T_RPAREN) {
		i++;
		paren = true;
	}
	if (i >= q->n || depth > 4)
		return false;
	if ((paren || quoted) && i + 2 < q->n && tok_is(q, i, "as") &&
	    (q->t[i + 1].type == T_WORD || q->t[i + 1].type == T_STR) && q->t[i + 2].kw == KW_FROM)
		return found(q, start, i + 2, "a sub-select is closed and aliased");
	if (quoted && i + 1 < q->n && tok_is(q, i, "collate") &&
	    (q->t[i + 1].type == T_WORD || q->t[i + 1].type == T_STR) && is_end(q, i + 2))
		return found(q, start, i + 1, "a COLLATE clause after the string");
	const tok *a = &q->t[i];
	bool strong;
	size_t k;
	switch (a->type) {
	case T_COMMENT:
		/* "admin'--" cuts the query; '..." -- John' after a sentence is a
		 * quotation with its attribution: prose before the quote and words
		 * in the comment */
		if (quoted && depth == 0 && start == 1 && spaces(q, 0) > 1 && comment_words(q, i) > 0)
			return false;
		if (quoted || (paren && q->high))
			return found(q, start, i, "a comment cuts the rest of the query");
		return false;
	case T_SEMI:
		if (i + 1 < q->n && q->t[i + 1].type == T_STMT && stmt_shape(q, i + 1))
			return true;
		if (i + 2 < q->n && (q->t[i + 1].kw == KW_SET || q->t[i + 1].kw == KW_SHOW ||
				     q->t[i + 1].kw == KW_GRANT) &&
		    (q->t[i + 2].type == T_VAR || q->t[i + 2].kw == KW_DATABASE || q->t[i + 2].kw == KW_ALL ||
		     tok_is(q, i + 2, "tables") || tok_is(q, i + 2, "databases")))
			return found(q, start, i + 2, "a stacked statement");
		if (quoted && (i + 1 >= q->n || q->t[i + 1].type == T_COMMENT))
			return found(q, start, i, "the query is ended early");
		return false;
	case T_UNION:
		return false; /* UNION SELECT is found anywhere */
	case T_LOGIC:
		i++;
		while (i < q->n && (q->t[i].kw == KW_NOT || tok_is(q, i, "!")))
			i++;
		k = operand(q, i, &strong);
		if (k == i)
			return false;
		if (strong)
			return found(q, start, k - 1, "a boolean test on a sub-query or a delay");
		if (k + 1 < q->n && q->t[k].kw == KW_NOT && q->t[k + 1].type == T_CMP)
			k++; /* NOT LIKE, NOT IN, NOT REGEXP */
		if (k < q->n && q->t[k].type == T_CMP) {
			bool s2;
			size_t m = k + 1;
			while (m < q->n && (q->t[m].type == T_CMP || q->t[m].kw == KW_NOT))
				m++; /* SOUNDS LIKE, IS NOT, <=> ... */
			if (q->t[k].kw == KW_IS || q->t[k].kw == KW_NOT)
				while (m < q->n && (q->t[m].kw == KW_NOT || q->t[m].type == T_VALUE))
					m++;
			if (m >= q->n && quoted && q->high)
				return found(q, start, k, "a condition cut at its comparison");
			size_t e = q->t[k].kw == KW_IS ? m : operand(q, m, &s2);
			if (q->t[k].kw == KW_IN && m < q->n && q->t[m].type == T_LPAREN)
				e = skip_parens(q, m, NULL);
			if (e > m || (q->t[k].kw == KW_IS && m > k + 1)) {
				/* bare values need more than "x or y = z" prose: a literal */
				char lt = q->t[i].type, rt = m < q->n ? q->t[m].type : 0;
				bool literal = lt == T_NUM || lt == T_STR || lt == T_OPEN || lt == T_VALUE ||
					       rt == T_NUM || rt == T_STR || rt == T_OPEN || rt == T_VALUE ||
					       lt == T_FUNC || rt == T_FUNC || lt == T_VAR;
				if (quoted || literal)
					return found(q, start, e - 1, "a boolean condition is injected");
			}
			return false;
		}
		if ((quoted || (q->high && q->t[i].type == T_VALUE && start > 0 && q->t[start - 1].type == T_NUM)) &&
		    is_end(q, k) &&
		    (q->t[i].type == T_NUM || q->t[i].type == T_VALUE || q->t[i].type == T_STR ||
		     q->t[i].type == T_OPEN || q->t[i].type == T_FUNC))
			return found(q, start, k < q->n ? k : k - 1, "an always-true condition");
		if (q->t[i].type == T_LPAREN && k > i + 1) {
			/* a parenthesised condition: (x=1), (null==( */
			for (size_t c = i + 1; c < k; c++)
				if (q->t[c].type == T_CMP && (quoted || q->high))
					return found(q, start, k - 1, "a parenthesised condition");
		}
		if (k < q->n && (q->t[k].type == T_LOGIC || q->t[k].type == T_RPAREN) && quoted)
			return tail(q, k, quoted, depth + 1);
		return false;
	case T_CMP:
		if (!quoted && !paren)
			return false;
		while (i + 1 < q->n && (q->t[i + 1].type == T_CMP || q->t[i + 1].kw == KW_NOT))
			i++; /* SOUNDS LIKE, NOT REGEXP, <=> */
		k = operand(q, i + 1, &strong);
		if (k == i + 1)
			return false;
		if (quoted && q->high && is_end(q, k) &&
		    (q->t[i + 1].type == T_NUM || q->t[i + 1].type == T_STR || q->t[i + 1].type == T_OPEN))
			return found(q, start, k - 1, "a comparison right after the string");
		if (paren && q->high && k >= q->n && q->t[i + 1].type == T_LPAREN)
			return found(q, start, q->n - 1, "a condition after a closing parenthesis");
		if (strong)
			return found(q, start, k - 1, "a comparison with a sub-query or a delay");
		if (k < q->n && (q->t[k].type == T_LOGIC || q->t[k].type == T_COMMENT ||
				 q->t[k].type == T_SEMI))
			return tail(q, k, true, depth + 1);
		return false;
	case T_ARITH:
		k = operand(q, i + 1, &strong);
		if (k > i + 1 && strong)
			return found(q, start, k - 1, "an expression joins a sub-query or a delay");
		if (k > i + 1 && quoted && k < q->n && q->t[k].type == T_COMMENT &&
		    (q->t[i + 1].type != T_WORD || q->high))
			return found(q, start, k, "an expression then a comment");
		return false;
	case T_CLAUSE:
		if ((a->kw == KW_ORDER || a->kw == KW_GROUP) && i + 2 < q->n && q->t[i + 1].kw == KW_BY) {
			k = operand(q, i + 2, &strong);
			if (k > i + 2 && (quoted || q->t[i + 2].type == T_NUM) &&
			    (is_end(q, k) || q->t[k].type == T_COMMA || q->t[k].type == T_UNION))
				return found(q, start, k - 1, "an ORDER/GROUP BY probe");
		}
		if (a->kw == KW_HAVING || a->kw == KW_WHERE) {
			k = operand(q, i + 1, &strong);
			char ot = i + 1 < q->n ? q->t[i + 1].type : 0;
			bool symbolic = k < q->n && q->t[k].type == T_CMP && !q->t[k].kw;
			bool literal = ot == T_NUM || ot == T_STR || ot == T_VAR || ot == T_FUNC;
			if (k > i + 1 && k < q->n && q->t[k].type == T_CMP && (symbolic || literal))
				return found(q, start, k, "a WHERE/HAVING condition");
		}
		if (a->kw == KW_LIMIT && i + 1 < q->n && q->t[i + 1].type == T_NUM && quoted)
			return found(q, start, i + 1, "a LIMIT clause");
		if (a->kw == KW_INTO && i + 1 < q->n &&
		    (q->t[i + 1].kw == KW_OUTFILE || q->t[i + 1].kw == KW_DUMPFILE))
			return found(q, start, i + 1, "INTO OUTFILE");
		if (a->kw == KW_PROCEDURE && tok_is(q, i + 1, "analyse"))
			return found(q, start, i + 1, "PROCEDURE ANALYSE");
		return false;
	case T_STMT:
		if (quoted || paren)
			return stmt_shape(q, i);
		return false;
	default:
		return false;
	}
}

/* A SQL statement starting at i. */
static bool stmt_shape(scan *q, size_t i)
{
	const tok *a = &q->t[i];
	size_t j = i + 1;
	bool strong;
	switch (a->kw) {
	case KW_SELECT: {
		while (j < q->n && (q->t[j].kw == KW_DISTINCT || q->t[j].kw == KW_ALL || tok_is(q, j, "top")))
			j++;
		if (j >= q->n)
			return false;
		const tok *b = &q->t[j];
		if (tok_is(q, j, "*") || b->type == T_VAR || b->type == T_FUNC ||
		    (b->type == T_LPAREN && j + 1 < q->n &&
		     (q->t[j + 1].kw == KW_SELECT || q->t[j + 1].kw == KW_CASE || q->t[j + 1].type == T_FUNC)))
			return found(q, i, j, "a SELECT statement");
		size_t k = operand(q, j, &strong);
		if (k == j)
			return false;
		if (strong)
			return found(q, i, k - 1, "a SELECT statement");
		if ((b->type == T_NUM || b->type == T_VALUE || b->type == T_STR) &&
		    (is_end(q, k) || q->t[k].type == T_COMMA || q->t[k].kw == KW_FROM ||
		     q->t[k].type == T_UNION || q->t[k].type == T_RPAREN || q->t[k].type == T_LOGIC))
			return found(q, i, k < q->n ? k : k - 1, "a SELECT of constants");
		if (k < q->n && q->t[k].type == T_COMMA) {
			size_t m = operand(q, k + 1, &strong);
			if (m > k + 1 && m < q->n && (q->t[m].kw == KW_FROM || q->t[m].type == T_COMMA))
				return found(q, i, m, "a SELECT of columns");
		}
		if (k < q->n && q->t[k].kw == KW_FROM) {
			size_t m = operand(q, k + 1, &strong);
			if (m > k + 1 && (m >= q->n || q->t[m].type == T_SEMI || q->t[m].type == T_COMMENT ||
					  q->t[m].kw == KW_WHERE || q->t[m].kw == KW_ORDER ||
					  q->t[m].kw == KW_GROUP || q->t[m].kw == KW_LIMIT ||
					  q->t[m].type == T_UNION || q->t[m].type == T_RPAREN ||
					  q->t[m].type == T_COMMA || tok_is(q, m, "join")))
				return found(q, i, m < q->n ? m : m - 1, "a SELECT ... FROM");
		}
		return false;
	}
	case KW_INSERT:
		if (j + 1 < q->n && q->t[j].kw == KW_INTO &&
		    (q->t[j + 1].type == T_WORD || q->t[j + 1].type == T_FUNC))
			return found(q, i, j + 1, "an INSERT statement");
		return false;
	case KW_UPDATE:
		if (j + 3 < q->n && q->t[j].type == T_WORD && q->t[j + 1].kw == KW_SET &&
		    q->t[j + 2].type == T_WORD && q->t[j + 3].type == T_CMP)
			return found(q, i, j + 3, "an UPDATE statement");
		return false;
	case KW_DELETE:
		if (j + 1 < q->n && q->t[j].kw == KW_FROM && q->t[j + 1].type == T_WORD &&
		    (is_end(q, j + 2) || q->t[j + 2].kw == KW_WHERE))
			return found(q, i, j + 1, "a DELETE statement");
		return false;
	case KW_DROP:
	case KW_TRUNCATE:
	case KW_ALTER:
	case KW_CREATE:
		if (j < q->n && (q->t[j].kw == KW_TABLE || q->t[j].kw == KW_DATABASE ||
				 q->t[j].kw == KW_FUNCTION || tok_is(q, j, "procedure") ||
				 tok_is(q, j, "user") || tok_is(q, j, "view") || tok_is(q, j, "trigger") ||
				 tok_is(q, j, "schema") || tok_is(q, j, "index")))
			return found(q, i, j, "a DDL statement");
		if (a->kw != KW_CREATE && j < q->n && q->t[j].type == T_WORD && is_end(q, j + 1) &&
		    j + 1 < q->n)
			return found(q, i, j + 1, "a DROP statement");
		return false;
	case KW_EXEC:
	case KW_EXECUTE:
		if (j < q->n && (q->t[j].kw == KW_IMMEDIATE || q->t[j].type == T_VAR ||
				 q->t[j].type == T_LPAREN))
			return found(q, i, j, "an EXEC statement");
		/* a system procedure, maybe qualified: master..xp_cmdshell */
		for (size_t k = j; k < q->n && k < j + 6; k++) {
			const tok *t = &q->t[k];
			if (t->type == T_DOT)
				continue;
			if (t->type != T_WORD && t->type != T_FUNC)
				break;
			if (t->len > 3 && (strncasecmp(q->s + t->at, "xp_", 3) == 0 ||
					   strncasecmp(q->s + t->at, "sp_", 3) == 0))
				return found(q, i, k, "an EXEC statement");
		}
		return false;
	case KW_DECLARE:
		if (j < q->n && q->t[j].type == T_VAR)
			return found(q, i, j, "a DECLARE statement");
		return false;
	case KW_WAITFOR:
		if (j < q->n && (q->t[j].kw == KW_DELAY || tok_is(q, j, "time")))
			return found(q, i, j, "WAITFOR DELAY");
		return false;
	case KW_SHUTDOWN:
		if (is_end(q, j) && (i == 0 || q->t[i - 1].type == T_SEMI))
			return found(q, i, i, "SHUTDOWN");
		return false;
	default:
		return false;
	}
}

/* Shapes found anywhere in the stream. */
static bool anywhere(scan *q)
{
	for (size_t i = 0; i < q->n; i++) {
		const tok *a = &q->t[i];
		if (a->type == T_UNION) {
			size_t j = i + 1;
			while (j < q->n && (q->t[j].kw == KW_ALL || q->t[j].kw == KW_DISTINCT ||
					    q->t[j].type == T_LPAREN))
				j++;
			if (j < q->n && q->t[j].kw == KW_SELECT)
				return found(q, i, j, "UNION SELECT");
		}
		if (a->type == T_STMT && (i == 0 || q->t[i - 1].type == T_SEMI ||
					  q->t[i - 1].type == T_LPAREN || q->t[i - 1].type == T_STR ||
					  q->t[i - 1].type == T_OTHER || q->t[i - 1].type == T_NUM ||
					  q->t[i - 1].type == T_RPAREN || q->t[i - 1].type == T_LOGIC ||
					  q->t[i - 1].type == T_ARITH || q->t[i - 1].type == T_CMP)) {
			if (stmt_shape(q, i))
				return true;
		}
		if (a->type == T_SEMI && i + 1 < q->n && q->t[i + 1].type == T_STMT && i > 0 &&
		    stmt_shape(q, i + 1))
			return true; /* a stacked statement */
		if (is_strong_func(q, i) && i + 1 < q->n && q->t[i + 1].type == T_LPAREN) {
			/* a call with arguments that are SQL values */
			size_t e = skip_parens(q, i + 1, NULL);
			bool sqlish = e > i + 2;
			for (size_t k = i + 2; k + 1 < e; k++) {
				char ty = q->t[k].type;
				if (ty == T_WORD && !q->high && e - i > 8)
					sqlish = false;
				if (ty == T_OTHER)
					sqlish = false;
			}
			if (sqlish)
				return found(q, i, e - 1, "a delay, file or error-based function call");
		}
		if (q->high) {
			if (a->type == T_VAR && a->len > 2 && q->s[a->at + 1] == '@')
				return found(q, i, i, "a server variable");
			if (a->type == T_FUNC && i + 1 < q->n && q->t[i + 1].type == T_LPAREN &&
			    skip_parens(q, i + 1, NULL) >= q->n && q->t[q->n - 1].type != T_RPAREN &&
			    i + 4 >= q->n &&
			    (is_attack_func(q, i) || (i <= 1 && q->n <= 3)))
				return found(q, i, q->n - 1, "an unfinished SQL function call");
			if ((a->type == T_WORD || a->type == T_FUNC) && a->len >= 8 &&
			    in_list(meta_tables, q->s + a->at, a->len))
				return found(q, i, i, "a database catalog table");
			if (a->type == T_STR && a->len > 2 && in_list(providers, q->s + a->at + 1, a->len - 2))
				return found(q, i, i, "an OLE DB provider name");
			if (i + 1 < q->n && (a->type == T_WORD || a->type == T_STMT || a->type == T_CLAUSE) &&
			    (q->t[i + 1].type == T_WORD || q->t[i + 1].type == T_STMT) &&
			    q->t[i + 1].at > a->at + a->len + 3 && q->s[a->at + a->len] == '/' &&
			    q->s[a->at + a->len + 1] == '*' && q->s[q->t[i + 1].at - 1] == '/' &&
			    q->s[q->t[i + 1].at - 2] == '*')
				return found(q, i, i + 1, "a comment splitting a word");
			if (a->kw == KW_SET && i + 1 < q->n && q->t[i + 1].type == T_VAR)
				return found(q, i, i + 1, "a variable assignment");
			if (a->kw == KW_WHEN && i + 2 < q->n) {
				size_t k = i + 1;
				while (k < q->n && k < i + 8 && q->t[k].kw != KW_THEN && q->t[k].type != T_SEMI)
					k++;
				if (k < q->n && q->t[k].kw == KW_THEN &&
				    ((i > 0 && q->t[i - 1].kw == KW_CASE) || (i > 0 && q->t[i - 1].type == T_RPAREN)))
					return found(q, i, k, "a CASE WHEN ... THEN expression");
			}
			if (is_attack_func(q, i) && i + 2 < q->n && q->t[i + 1].type == T_LPAREN) {
				size_t e = skip_parens(q, i + 1, NULL);
				bool nested = false, hexnum = false, empty = e == i + 3;
				for (size_t k = i + 2; k + 1 < e; k++) {
					/* SQL evidence inside: a sub-query, a variable, a
					 * metadata call or a delay */
					if (q->t[k].type == T_STMT || q->t[k].type == T_VAR || is_strong_func(q, k) ||
					    (q->t[k].type == T_FUNC && k + 2 < e && q->t[k + 1].type == T_LPAREN &&
					     q->t[k + 2].type == T_RPAREN && is_attack_func(q, k)))
						nested = true;
					if (q->t[k].type == T_NUM && q->t[k].len > 2 && q->s[q->t[k].at] == '0' &&
					    (q->s[q->t[k].at + 1] | 0x20) == 'x')
						hexnum = true;
				}
				bool meta = empty && (tok_is(q, i, "version") || tok_is(q, i, "database") ||
						      tok_is(q, i, "user") || tok_is(q, i, "current_user") ||
						      tok_is(q, i, "schema") || tok_is(q, i, "system_user"));
				if (nested || hexnum || meta)
					return found(q, i, e - 1, "SQL functions building a payload");
			}
		}
	}
	return false;
}

/* A value made only of SQL keywords: "ORDER BY", "UNION ALL SELECT". */
static bool keywords_only(scan *q)
{
	/* operators alone: "==", "<=", "RLIKE" */
	bool ops = q->n <= 3;
	for (size_t i = 0; ops && i < q->n; i++)
		ops = q->t[i].type == T_CMP && (!q->t[i].kw || q->t[i].kw == KW_RLIKE || q->t[i].kw == KW_REGEXP ||
						 q->t[i].kw == KW_SOUNDS || q->t[i].kw == KW_GLOB);
	if (ops && q->n >= 1)
		return found(q, 0, q->n - 1, "SQL operators");
	if (q->n < 2 || q->n > 6)
		return false;
	for (size_t i = 0; i < q->n; i++) {
		char ty = q->t[i].type;
		if (!(ty == T_STMT || ty == T_UNION || ty == T_CLAUSE || (ty == T_LOGIC && q->t[i].kw) ||
		      (ty == T_CMP && q->t[i].kw) || (ty == T_VALUE && i > 0)))
			return false;
	}
	return found(q, 0, q->n - 1, "SQL keywords");
}

static bool check_context(scan *q, bool quoted)
{
	if (q->n == 0)
		return false;
	if (anywhere(q))
		return true;
	if (!quoted && q->high && keywords_only(q))
		return true;
	if (quoted) {
		if (q->t[0].type != T_STR)
			return false;
		return tail(q, 1, true, 0);
	}
	/* bare: a value, then what follows it; a path's leading '/' first */
	bool strong;
	size_t first = q->t[0].type == T_ARITH && q->s[q->t[0].at] == '/' && q->n > 1 ? 1 : 0;
	char ft = q->t[first].type;
	if ((ft == T_LOGIC || ft == T_CLAUSE || (ft == T_SEMI && q->high)) && tail(q, first, true, 0))
		return true; /* a fragment: "OR x=1", "HAVING 1=", "; INSERT INTO" */
	if (ft == T_RPAREN && tail(q, first, false, 0))
		return true; /* a fragment closing a parenthesis: ") AS x FROM" */
	if (q->high) {
		/* "; INSERT INTO", ";drop": a value that starts a stacked statement */
		if (ft == T_SEMI && first + 1 < q->n && q->t[first + 1].type == T_STMT)
			return found(q, first, first + 1, "a stacked statement");
		/* a short fragment opening a call: "VALUES(", "length||(", "month=(" */
		if (q->n <= 4 && q->t[q->n - 1].type == T_LPAREN && q->n >= 2 &&
		    (ft == T_WORD || ft == T_FUNC || ft == T_CLAUSE || ft == T_STMT || q->t[first].kw))
			return found(q, first, q->n - 1, "a SQL fragment opening a call");
		/* an extended stored procedure named alone */
		if (q->n == 1 && ft == T_WORD && q->t[0].len > 3 &&
		    (strncasecmp(q->s + q->t[0].at, "xp_", 3) == 0 || strncasecmp(q->s + q->t[0].at, "sp_", 3) == 0))
			return found(q, 0, 0, "a system stored procedure");
	}
	size_t k = operand(q, first, &strong);
	if (k == first)
		return false;
	if (q->high && k + 1 < q->n && q->t[k].type == T_CMP && q->t[k].kw != KW_IN &&
	    q->t[k].kw != KW_IS) {
		/* a bare test of constants: 1=1, 42 like 42 */
		bool s2;
		size_t e = operand(q, k + 1, &s2);
		char lt = q->t[first].type, rt = q->t[k + 1].type;
		/* a tautology: the same constant on both sides */
		const tok *l = &q->t[first], *r = &q->t[k + 1];
		bool same = l->len == r->len && memcmp(q->s + l->at, q->s + r->at, l->len) == 0;
		if (e == k + 2 && (lt == T_NUM || lt == T_STR) && (rt == T_NUM || rt == T_STR) && same &&
		    is_end(q, e) && (tok_is(q, k, "=") || q->t[k].kw == KW_LIKE))
			return found(q, first, e - 1, "a constant condition");
		/* literals compared for (in)equality: 11!=1, '1'='1, 42<=>42 */
		bool eqop = tok_is(q, k, "=") || tok_is(q, k, "!=") || tok_is(q, k, "<>") ||
			    tok_is(q, k, "<=>") || q->t[k].kw == KW_RLIKE || q->t[k].kw == KW_REGEXP;
		if (e == k + 2 && first == 0 && (lt == T_NUM || lt == T_STR) &&
		    (rt == T_NUM || rt == T_STR || rt == T_OPEN) && is_end(q, e) && eqop)
			return found(q, first, e - 1, "a condition between literals");
	}
	if (q->high && k + 2 < q->n && q->t[k].kw == KW_NOT && q->t[k + 1].type == T_CMP &&
	    (q->t[first].type == T_STR || q->t[first].type == T_NUM)) {
		bool s3;
		size_t e = operand(q, k + 2, &s3);
		char rt = q->t[k + 2].type;
		if (e > k + 2 && is_end(q, e) && (rt == T_STR || rt == T_NUM || rt == T_OPEN))
			return found(q, first, e - 1, "a negated condition between literals");
	}
	if (tail(q, k, false, 0))
		return true;
	if (q->high && k < q->n && q->t[0].type == T_NUM && q->t[k].type == T_COMMENT && k == 1)
		return found(q, 0, k, "a number then a comment");
	if (q->high && q->t[first].type == T_NUM && k + 1 == q->n && q->t[k].type == T_LOGIC && q->t[k].kw)
		return found(q, first, k, "a number then a dangling logical operator");
	return false;
}

/* A value of one identifier or one number — argument names, ids, most
 * values — is a single token for the lexer (no quote, operator, space or
 * escape to decode), and of a lone non-keyword word or number the checks
 * above only flag, at HIGH, a catalog table name or an xp_/sp_ procedure.
 * Returns true when such a value is certainly not an injection; anything
 * else (a keyword, a mixed "1union", those two names) takes the full path. */
static bool single_plain_token(const char *s, size_t n, bool high)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		if (s[0] == '0' && n > 1 && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b'))
			return true; /* 0x.., 0b..: one number */
		for (size_t i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		return true;
	}
	if (keyword(s, n))
		return false;
	if (high && n >= 8 && in_list(meta_tables, s, n))
		return false;
	if (high && n > 3 && (strncasecmp(s, "xp_", 3) == 0 || strncasecmp(s, "sp_", 3) == 0))
		return false;
	return true;
}

/* Which quotes occur in a value: bit c for quotes[c] (one pass for a short
 * value, memchr for a long one). */
static const char quotes[] = {0, '\'', '"', '`'};

static unsigned quote_mask(const char *s, size_t n)
{
	unsigned m = 1; /* the bare context always */
	if (n < 64) {
		for (size_t i = 0; i < n; i++)
			m |= s[i] == '\'' ? 2u : s[i] == '"' ? 4u : s[i] == '`' ? 8u : 0u;
		return m;
	}
	for (unsigned c = 1; c < sizeof quotes; c++)
		if (memchr(s, quotes[c], n))
			m |= 1u << c;
	return m;
}

static bool detect_contexts(const char *s, size_t n, unsigned quoted, bool high, size_t *at,
			    size_t *span, const char **why);

/* "name=value" inside one value (an encoded '=' or a polluted parameter):
 * the part after '=' is a value of its own. */
static bool detect_one(const char *s, size_t n, bool high, size_t *at, size_t *span,
		       const char **why)
{
	/* the quotes of the whole value; a part of it has some of them */
	unsigned qm = quote_mask(s, n);
	if (detect_contexts(s, n, qm, high, at, span, why))
		return true;
	/* a path: each segment is a value of its own (REST parameters) */
	if (n > 1 && s[0] == '/') {
		size_t i = 1;
		while (i < n) {
			const char *e = memchr(s + i, '/', n - i);
			size_t j = e ? (size_t)(e - s) : n;
			/* (a segment of one name or number cannot be one) */
			bool plain = j > i && single_plain_token(s + i, j - i, high);
			if (!plain && j > i && j < n && detect_contexts(s + i, j - i, qm, high, at, span, why)) {
				*at += i;
				return true;
			}
			if (!plain && j > i + 1 && j == n && i > 1 &&
			    detect_contexts(s + i, j - i, qm, high, at, span, why)) {
				*at += i;
				return true;
			}
			i = j + 1;
		}
	}
	size_t i = 0;
	while (i < n && i < 32 && (is_word((unsigned char)s[i]) || s[i] == '.' || s[i] == '[' ||
				   s[i] == ']' || s[i] == '-'))
		i++;
	if (i > 0 && i < n && s[i] == '=' && i + 1 < n &&
	    detect_contexts(s + i + 1, n - i - 1, qm, high, at, span, why)) {
		*at += i + 1;
		return true;
	}
	return false;
}

/* Each context the value may sit in: bare, and inside each quote it holds
 * (quoted: quote_mask() of the value or of a value it is part of). */
static bool detect_contexts(const char *s, size_t n, unsigned quoted, bool high, size_t *at,
			    size_t *span, const char **why)
{
	tok t[MAX_TOKENS];
	lexer lx = {s, n, t, 0, 0};
	scan q = {s, t, 0, high, 0, 0, NULL};
	for (size_t c = 0; c < sizeof quotes; c++) {
		if (!(quoted & (1u << c)) || (c && !memchr(s, quotes[c], n)))
			continue;
		lex(&lx, 0, quotes[c]);
		q.n = lx.count;
		if (check_context(&q, quotes[c] != 0)) {
			*at = q.hit_at;
			*span = q.hit_len;
			*why = q.why;
			return true;
		}
	}
	return false;
}

/* Decode what an attacker uses to hide syntax: URL (twice), %u, HTML
 * entities, JS/JSON escapes.  Returns the decoded length (0: nothing to do). */
size_t waf_detector_decode(const char *s, size_t n, char *out);
size_t waf_detector_decode(const char *s, size_t n, char *out)
{
	/* only what is really encoded: %XX / %uXXXX, &name; / &#..., \\u \\x, and '+'
	 * as a space in a value that has no spaces left */
	static const bool maybe[256] = {['%'] = 1, ['&'] = 1, ['\\'] = 1, ['+'] = 1, [0xE2] = 1};
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any |= maybe[(unsigned char)s[i]];
	if (!any)
		return 0;
	bool pct = false, amp = false, bs = false, plus = false, space = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xE2 && i + 1 < n && (unsigned char)s[i + 1] == 0x80)
			amp = true; /* a typographic quote: decode (best-fit) */
		if (c == '%' && i + 2 < n && (isxdigit((unsigned char)s[i + 1]) || s[i + 1] == 'u' || s[i + 1] == 'U'))
			pct = true;
		else if (c == '&' && i + 2 < n && (s[i + 1] == '#' || isalpha((unsigned char)s[i + 1])))
			amp = true;
		else if (c == '\\' && i + 1 < n && strchr("uUxX0123456789abfnrtv'\"\\", s[i + 1]))
			bs = true;
		else if (c == '+')
			plus = true;
		else if (c == ' ')
			space = true;
	}
	plus = plus && !space;
	if (!pct && !amp && !bs && !plus)
		return 0;
	memcpy(out, s, n);
	size_t m = n;
	for (int round = 0; round < 2 && pct; round++) {
		size_t k = waf_url_decode((unsigned char *)out, m, (unsigned char *)out, true, true);
		bool again = k != m && memchr(out, '%', k) != NULL;
		m = k;
		if (!again)
			break;
	}
	if (!pct && plus)
		m = waf_url_decode((unsigned char *)out, m, (unsigned char *)out, true, false);
	if (amp || memchr(out, '&', m))
		m = waf_html_decode((unsigned char *)out, m, (unsigned char *)out);
	if (bs || memchr(out, '\\', m))
		m = waf_tx_apply(TX_JS_DECODE, (unsigned char *)out, m, (unsigned char *)out);
	/* best-fit mappings (Windows code pages, NFKC): typographic and full-width
	 * quotes become ASCII quotes in some drivers */
	size_t o = 0;
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == 0xE2 && i + 2 < m && (unsigned char)out[i + 1] == 0x80 &&
		    ((unsigned char)out[i + 2] == 0x98 || (unsigned char)out[i + 2] == 0x99)) {
			out[o++] = '\'';
			i += 2;
		} else if (c == 0xE2 && i + 2 < m && (unsigned char)out[i + 1] == 0x80 &&
			   ((unsigned char)out[i + 2] == 0x9C || (unsigned char)out[i + 2] == 0x9D)) {
			out[o++] = '"';
			i += 2;
		} else {
			out[o++] = out[i];
		}
	}
	m = o;
	if (m == n && memcmp(out, s, n) == 0)
		return 0;
	return m;
}

/* A path or JSON pointer of plain names and numbers ("/api/v1/reviews",
 * "/tags/0"): '/' between single tokens is only arithmetic to the lexer, no
 * check above fires on such a stream, and nothing in it decodes. */
static bool plain_path(const char *s, size_t n, bool high)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == '/') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		if (!single_plain_token(s + i, j - i, high))
			return false;
		i = j;
	}
	return true;
}

bool waf_sqli_detect(const char *s, size_t n, bool high, size_t *at, size_t *span,
		     const char **why)
{
	if (n == 0)
		return false;
	if (n > 65536)
		n = 65536;
	if (single_plain_token(s, n, high) || plain_path(s, n, high))
		return false;
	if (detect_one(s, n, high, at, span, why))
		return true;
	char small[4096];
	char *d = n < sizeof small ? small : mamori_xmalloc(n + 1);
	size_t m = waf_detector_decode(s, n, d);
	bool hit = m && detect_one(d, m, high, at, span, why);
	if (d != small)
		free(d);
	if (hit) {
		*at = 0;
		*span = n;
	}
	return hit;
}

bool mamori_waf_sqli(const char *s, size_t len, bool high, const char **why, size_t *at,
		     size_t *span)
{
	size_t a, b;
	const char *w;
	bool r = waf_sqli_detect(s, len, high, &a, &b, &w);
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
