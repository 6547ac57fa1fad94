/*
 * ver_maven.c — Maven version ordering, as Maven 3.8's ComparableVersion.
 *
 * A version is lower-cased and split into a tree of items: numbers and
 * strings separated by `.` (same list) or `-` (a new sub-list), with a
 * transition between digits and letters also splitting (1.0alpha1 =
 * [1, 0, alpha, [1]]).  Trailing "null" items (0, "", ga, final, empty
 * lists) are dropped from each list; a qualifier after a `.` starts a
 * sub-list as if written after a `-` (1.0.0.X1 = 1.0.0-X1, Maven 3.8.7).  Strings are qualifiers ordered
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final < sp,
 * then unknown ones lexically; a, b, m directly followed by a digit mean
 * alpha, beta, milestone.  A number beats a string or a list; a list
 * beats a string.  Any string is a valid Maven version.
 */
#include "version.h"

#include <stdlib.h>
#include <string.h>

enum { IT_NUM, IT_STR, IT_LIST };

typedef struct item {
	int type;
	const char *s; /* NUM: digits without leading zeros; STR: qualifier */
	size_t n;
	struct item **kids; /* LIST */
	size_t nkids, capkids;
} item;

typedef struct pool {
	item *items;
	size_t used, cap;
	char *lower;
} pool;

static item *new_item(pool *p, int type)
{
	item *it = &p->items[p->used++];
	memset(it, 0, sizeof *it);
	it->type = type;
	return it;
}

static void list_add(pool *p, item *list, item *child)
{
	(void)p;
	if (list->nkids == list->capkids) {
		list->capkids = list->capkids ? 2 * list->capkids : 4;
		list->kids = realloc(list->kids, list->capkids * sizeof *list->kids);
		if (!list->kids)
			abort();
	}
	list->kids[list->nkids++] = child;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static item *parse_item(pool *p, bool digit, const char *s, size_t n, bool followed_by_digit)
{
	if (digit) {
		while (n > 1 && *s == '0')
			s++, n--;
		if (n == 1 && *s == '0')
			n = 0; /* zero: empty digit string */
		item *it = new_item(p, IT_NUM);
		it->s = s;
		it->n = n;
		return it;
	}
	item *it = new_item(p, IT_STR);
	if (followed_by_digit && n == 1) {
		if (*s == 'a')
			s = "alpha", n = 5;
		else if (*s == 'b')
			s = "beta", n = 4;
		else if (*s == 'm')
			s = "milestone", n = 9;
	}
	if ((n == 2 && !memcmp(s, "ga", 2)) || (n == 5 && !memcmp(s, "final", 5)) ||
	    (n == 7 && !memcmp(s, "release", 7)))
		s = "", n = 0;
	else if (n == 2 && !memcmp(s, "cr", 2))
		s = "rc", n = 2;
	it->s = s;
	it->n = n;
	return it;
}

static const char *const qualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};

/* index of a known qualifier, or -1 */
static int qual_index(const item *it)
{
	for (int i = 0; i < 7; i++)
		if (strlen(qualifiers[i]) == it->n && memcmp(qualifiers[i], it->s, it->n) == 0)
			return i;
	return -1;
}

/* Java compares comparableQualifier() strings: "N" for the N-th known
 * qualifier, "7-value" for unknown ones. */
static int qual_cmp(const item *a, const item *b)
{
	static const item release = {IT_STR, "", 0, NULL, 0, 0};
	if (!a)
		a = &release;
	if (!b)
		b = &release;
	int ia = qual_index(a), ib = qual_index(b);
	char ka[2] = {(char)('0' + ia), 0}, kb[2] = {(char)('0' + ib), 0};
	const char *pa = ia >= 0 ? ka : "7-", *pb = ib >= 0 ? kb : "7-";
	/* compare prefix then (for unknown) the value, as one string */
	size_t i = 0, j = 0;
	size_t la = strlen(pa) + (ia >= 0 ? 0 : a->n), lb = strlen(pb) + (ib >= 0 ? 0 : b->n);
	for (; i < la && j < lb; i++, j++) {
		size_t pla = strlen(pa), plb = strlen(pb);
		unsigned char ca = (unsigned char)(i < pla ? pa[i] : a->s[i - pla]);
		unsigned char cb = (unsigned char)(j < plb ? pb[j] : b->s[j - plb]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return la == lb ? 0 : la < lb ? -1 : 1;
}

static bool is_null(const item *it)
{
	switch (it->type) {
	case IT_NUM:
		return it->n == 0;
	case IT_STR:
		return qual_index(it) == 5;
	default:
		return it->nkids == 0;
	}
}

static void normalize(item *list)
{
	for (size_t i = list->nkids; i-- > 0;) {
		item *last = list->kids[i];
		if (is_null(last)) {
			memmove(&list->kids[i], &list->kids[i + 1],
				(list->nkids - i - 1) * sizeof *list->kids);
			list->nkids--;
		} else if (last->type != IT_LIST) {
			break;
		}
	}
}

static int item_cmp(const item *a, const item *b);

static int num_cmp(const item *a, const item *b)
{
	return mamori_ver_digits_cmp(a->s, a->n, b->s, b->n);
}

static int item_cmp(const item *a, const item *b)
{
	switch (a->type) {
	case IT_NUM:
		if (!b)
			return a->n == 0 ? 0 : 1;
		if (b->type == IT_NUM)
			return num_cmp(a, b);
		return 1;
	case IT_STR:
		if (!b)
			return qual_cmp(a, NULL);
		if (b->type == IT_STR)
			return qual_cmp(a, b);
		return -1;
	default:
		if (!b) {
			/* every item against nothing (MNG-6964) */
			for (size_t i = 0; i < a->nkids; i++) {
				int res = item_cmp(a->kids[i], NULL);
				if (res)
					return res;
			}
			return 0;
		}
		if (b->type == IT_NUM)
			return -1;
		if (b->type == IT_STR)
			return 1;
		for (size_t i = 0; i < a->nkids || i < b->nkids; i++) {
			const item *l = i < a->nkids ? a->kids[i] : NULL;
			const item *r = i < b->nkids ? b->kids[i] : NULL;
			int res = l == NULL ? (r == NULL ? 0 : -item_cmp(r, l)) : item_cmp(l, r);
			if (res)
				return res;
		}
		return 0;
	}
}

static item *parse(pool *p, const char *version)
{
	size_t len = strlen(version);
	
	p->cap = 4 * len + 8; /* an item and two lists per character at most */
	p->items = malloc(p->cap * sizeof *p->items);
	p->used = 0;
	p->lower = malloc(len + 1);
	for (size_t i = 0; i <= len; i++) {
		char c = version[i];
		p->lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	const char *v = p->lower;
	item *root = new_item(p, IT_LIST);
	item *list = root;
	item **stack = malloc((len + 2) * sizeof *stack);
	size_t sp = 0;
	stack[sp++] = list;
	bool digit = false;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (c == '.') {
			if (i == start)
				list_add(p, list, parse_item(p, true, "0", 1, false));
			else
				list_add(p, list, parse_item(p, digit, v + start, i - start, false));
			start = i + 1;
		} else if (c == '-') {
			if (i == start)
				list_add(p, list, parse_item(p, true, "0", 1, false));
			else
				list_add(p, list, parse_item(p, digit, v + start, i - start, false));
			start = i + 1;
			item *nl = new_item(p, IT_LIST);
			list_add(p, list, nl);
			list = nl;
			stack[sp++] = list;
		} else if (is_digit(c)) {
			if (!digit && i > start) {
				/* 1.0.0.X1 < 1.0.0-X2: ".X" is read as "-X" */
				if (list->nkids) {
					item *nl = new_item(p, IT_LIST);
					list_add(p, list, nl);
					list = nl;
					stack[sp++] = list;
				}
				list_add(p, list, parse_item(p, false, v + start, i - start, true));
				start = i;
				item *nl = new_item(p, IT_LIST);
				list_add(p, list, nl);
				list = nl;
				stack[sp++] = list;
			}
			digit = true;
		} else {
			if (digit && i > start) {
				list_add(p, list, parse_item(p, true, v + start, i - start, false));
				start = i;
				item *nl = new_item(p, IT_LIST);
				list_add(p, list, nl);
				list = nl;
				stack[sp++] = list;
			}
			digit = false;
		}
	}
	if (len > start) {
		if (!digit && list->nkids) {
			item *nl = new_item(p, IT_LIST);
			list_add(p, list, nl);
			list = nl;
			stack[sp++] = list;
		}
		list_add(p, list, parse_item(p, digit, v + start, len - start, false));
	}
	while (sp > 0)
		normalize(stack[--sp]);
	free(stack);
	return root;
}

static void pool_free(pool *p)
{
	for (size_t i = 0; i < p->used; i++)
		free(p->items[i].kids);
	free(p->items);
	free(p->lower);
}

/* Any string is a Maven version; very long ones are refused because lists
 * nest once per `-` and comparison recurses into them. */
static const char *maven_invalid(const char *v)
{
	return strlen(v) > 1024 ? "version longer than 1024 characters" : NULL;
}

static int maven_cmp(const char *a, const char *b)
{
	pool pa, pb;
	item *x = parse(&pa, a), *y = parse(&pb, b);
	int r = item_cmp(x, y);
	pool_free(&pa);
	pool_free(&pb);
	return r;
}

const vuln_vercmp_ops mamori_ver_maven = {maven_invalid, maven_cmp};
