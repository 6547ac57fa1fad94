/*
 * xml.c — AWS XML responses (query, EC2 and REST-XML protocols) as cJSON.
 *
 * Expat streams the document once; a stack of open elements builds the
 * tree directly, so no DOM is kept beside the result.  Measured (bench/aws,
 * a 1.9 MB DescribeSecurityGroups answer): libxml2's SAX parser is faster
 * than expat at raw parsing (191 against 74 MB/s), its tree parser slower
 * (41 MB/s), and the conversion to cJSON runs at 35 MB/s whichever parser
 * feeds it; in a whole collection, parsing and building items is about a
 * tenth of the wall time, the rest is waiting for the service.  So the
 * choice rests on the rest: expat is a small parser with no DTD loading,
 * XInclude, catalog or network code paths, refuses entity expansion bombs
 * by default (2.4+) and needs no global initialisation; AWS responses are
 * small and namespace-free.  Swapping to libxml2's SAX is local to this
 * file if parsing ever matters.
 *
 * Mapping, without the service model:
 *   - an element with children becomes an object of its children, one that
 *     only holds text becomes a string;
 *   - children named "member" or "item" (the query and EC2 list wrappers)
 *     make their parent an array; a repeated child name becomes an array;
 *   - "true"/"false" become booleans (except under Key/Value names: tag
 *     values stay strings); names listed by the caller become numbers;
 *   - an empty element named like a list (…Set, …List, plural) becomes [].
 * Callers read lists through aws_each(), which also accepts a lone object
 * (REST-XML lists of one element look like a single child).
 */
#include "aws_internal.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#define XML_MAX_DEPTH 64

typedef struct xframe {
	char *name;
	cJSON *obj;	 /* children so far (object or array), or NULL */
	mamori_buf text;
	bool is_list;	 /* children are member/item */
	char **flat;	 /* child names seen twice: their value is an array we made */
	size_t nflat;
} xframe;

typedef struct xstate {
	XML_Parser p;
	xframe stack[XML_MAX_DEPTH];
	int depth;
	cJSON *root;
	const char *const *numbers;
	bool too_deep;
} xstate;

static bool is_list_child(const char *name)
{
	return strcmp(name, "member") == 0 || strcmp(name, "item") == 0;
}

static bool in_list(const char *name, const char *const *names)
{
	for (; names && *names; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

/* Does an empty element of this name stand for an empty list? */
static bool list_like(const char *name)
{
	size_t n = strlen(name);
	if (n >= 3 && (strcmp(name + n - 3, "Set") == 0))
		return true;
	if (n >= 4 && strcmp(name + n - 4, "List") == 0)
		return true;
	if (n >= 2 && name[n - 1] == 's' && name[n - 2] != 's' && name[n - 2] != 'u' &&
	    name[n - 2] != 'i')
		return true;
	return false;
}

static const char *local_name(const char *name)
{
	/* namespaces are not enabled: drop any "prefix:" ourselves */
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	xstate *s = ud;
	(void)attrs;
	if (s->depth >= XML_MAX_DEPTH) {
		s->too_deep = true;
		XML_StopParser(s->p, XML_FALSE);
		return;
	}
	xframe *f = &s->stack[s->depth++];
	memset(f, 0, sizeof *f);
	f->name = mamori_xstrdup(local_name(name));
	/* xsi:type on an S3 ACL grantee is data (Group, CanonicalUser) */
	for (const XML_Char **a = attrs; a && *a; a += 2)
		if (strcmp(local_name(a[0]), "type") == 0) {
			f->obj = cJSON_CreateObject();
			cJSON_AddStringToObject(f->obj, "xsi:type", a[1]);
		}
}

static cJSON *leaf_value(xstate *s, xframe *f)
{
	const char *t = mamori_buf_cstr(&f->text);
	if (in_list(f->name, s->numbers)) {
		char *end;
		double d = strtod(t, &end);
		if (end != t && *end == '\0')
			return cJSON_CreateNumber(d);
	}
	bool kv = strcmp(f->name, "Value") == 0 || strcmp(f->name, "value") == 0 ||
		  strcmp(f->name, "Key") == 0 || strcmp(f->name, "key") == 0;
	if (!kv && strcmp(t, "true") == 0)
		return cJSON_CreateTrue();
	if (!kv && strcmp(t, "false") == 0)
		return cJSON_CreateFalse();
	if (*t == '\0' && list_like(f->name))
		return cJSON_CreateArray();
	return cJSON_CreateString(t);
}

static bool is_flat(const xframe *f, const char *name)
{
	for (size_t i = 0; i < f->nflat; i++)
		if (strcmp(f->flat[i], name) == 0)
			return true;
	return false;
}

static void free_frame(xframe *f)
{
	free(f->name);
	mamori_buf_free(&f->text);
	for (size_t i = 0; i < f->nflat; i++)
		free(f->flat[i]);
	free(f->flat);
	f->name = NULL;
	f->flat = NULL;
	f->nflat = 0;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	xstate *s = ud;
	(void)name;
	if (s->depth == 0)
		return;
	xframe *f = &s->stack[--s->depth];
	cJSON *v = f->obj ? f->obj : leaf_value(s, f);
	f->obj = NULL;
	if (s->depth == 0) {
		cJSON_Delete(s->root);
		s->root = cJSON_CreateObject();
		cJSON_AddItemToObject(s->root, f->name, v);
		free_frame(f);
		return;
	}
	xframe *parent = &s->stack[s->depth - 1];
	if (is_list_child(f->name) && (!parent->obj || parent->is_list)) {
		if (!parent->obj)
			parent->obj = cJSON_CreateArray();
		parent->is_list = true;
		cJSON_AddItemToArray(parent->obj, v);
	} else {
		if (!parent->obj)
			parent->obj = cJSON_CreateObject();
		if (parent->is_list) { /* mixed content: keep the list, drop the stray */
			cJSON_Delete(v);
			free_frame(f);
			return;
		}
		cJSON *prev = cJSON_GetObjectItemCaseSensitive(parent->obj, f->name);
		if (!prev) {
			cJSON_AddItemToObject(parent->obj, f->name, v);
		} else if (is_flat(parent, f->name)) {
			cJSON_AddItemToArray(prev, v);
		} else {
			/* the second occurrence of a name: it is a flattened list */
			cJSON *arr = cJSON_CreateArray();
			cJSON_DetachItemViaPointer(parent->obj, prev);
			cJSON_AddItemToArray(arr, prev);
			cJSON_AddItemToArray(arr, v);
			cJSON_AddItemToObject(parent->obj, f->name, arr);
			parent->flat = mamori_xrealloc(parent->flat,
						       (parent->nflat + 1) * sizeof *parent->flat);
			parent->flat[parent->nflat++] = mamori_xstrdup(f->name);
		}
	}
	free_frame(f);
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int len)
{
	xstate *s = ud;
	if (s->depth > 0 && len > 0)
		mamori_buf_append(&s->stack[s->depth - 1].text, t, (size_t)len);
}

cJSON *aws_xml_parse(mamori_ctx *ctx, const char *source, const char *buf, size_t len,
		     const char *const *numbers)
{
	xstate s = {0};
	s.numbers = numbers;
	s.p = XML_ParserCreate("UTF-8");
	if (!s.p)
		mamori_oom(0);
	XML_SetUserData(s.p, &s);
	XML_SetElementHandler(s.p, on_start, on_end);
	XML_SetCharacterDataHandler(s.p, on_text);
	enum XML_Status st = XML_Parse(s.p, buf, len > INT32_MAX ? INT32_MAX : (int)len, XML_TRUE);
	cJSON *out = NULL;
	if (st != XML_STATUS_OK || s.too_deep || !s.root) {
		size_t at = (size_t)XML_GetCurrentByteIndex(s.p);
		if (at > len)
			at = len;
		mamori_error_set_at(ctx, MAMORI_EINPUT, source, buf, len, at, "invalid XML: %s",
				    s.too_deep	 ? "nested deeper than 64 elements"
				    : st != XML_STATUS_OK ? XML_ErrorString(XML_GetErrorCode(s.p))
							  : "no root element");
		cJSON_Delete(s.root);
	} else {
		out = s.root;
		s.root = NULL;
	}
	for (int i = 0; i < s.depth; i++) {
		cJSON_Delete(s.stack[i].obj);
		free_frame(&s.stack[i]);
	}
	XML_ParserFree(s.p);
	return out;
}
