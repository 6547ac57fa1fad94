/*
 * lister.c — the common shape of most collectors: list (paginated), then
 * one configuration item per entry.
 *
 * A collector describes its resource type as data (aws_lister: where the
 * list and the next-page token are in the answer, which members are the id,
 * name, ARN and creation time, how to reshape an entry) and this file does
 * the calls, the pagination, the items, the errors and the per-region
 * count that ends up in the Mamori::AWS::Region item.
 */
#include "aws_internal.h"
#include "lister.h"

#include <stdlib.h>
#include <string.h>

typedef struct list_state {
	aws_account *a;
	const aws_lister *l;
	size_t count;
} list_state;

static const cJSON *find_list(const cJSON *doc, const aws_lister *l)
{
	const cJSON *v = mamori_json_get(doc, l->list[0]);
	if (l->list[1])
		v = mamori_json_get(v, l->list[1]);
	return v;
}

void aws_lister_emit(aws_client *cl, aws_account *a, const aws_lister *l, const char *region,
		     const cJSON *item)
{
	aws_ci ci = {.type = l->type, .region = region, .account = a->account};
	const char *id = l->id ? aws_str(item, l->id) : NULL;
	ci.id = id;
	ci.name = l->name ? aws_str(item, l->name) : NULL;
	ci.created = l->created ? aws_str(item, l->created) : NULL;
	char arn[512];
	const char *given = l->arn ? aws_str(item, l->arn) : NULL;
	if (given) {
		ci.arn = given;
	} else if (l->arn_service && id) {
		snprintf(arn, sizeof arn, "arn:%s:%s:%s:%s:%s%s", a->partition, l->arn_service,
			 region, a->account, l->arn_prefix ? l->arn_prefix : "", id);
		ci.arn = arn;
	}
	if (!ci.id)
		ci.id = ci.arn ? ci.arn : ci.name;
	const cJSON *tags = NULL;
	static const char *const tag_keys[] = {"tagSet", "Tags", "TagList", "tags", NULL};
	for (const char *const *k = tag_keys; *k && !tags; k++)
		tags = mamori_json_get(item, *k);
	/* a map already (GuardDuty, Access Analyzer) or a list of {Key, Value} */
	ci.tags = cJSON_IsObject(tags) ? cJSON_Duplicate(tags, true) : aws_tags_map(tags);
	if (l->shape)
		l->shape(cl, a, region, item, &ci);
	else
		ci.configuration = aws_config_case(item);
	aws_emit(cl, &ci);
}

static void list_done(aws_call *c)
{
	list_state *st = c->ud;
	const aws_lister *l = st->l;
	aws_client *cl = c->cl;
	if (c->err_code) {
		if (!(l->ignore_error && strcmp(c->err_code, l->ignore_error) == 0))
			aws_report(c);
		free(st);
		return;
	}
	aws_each(item, find_list(c->doc, l))
	{
		if (l->each)
			l->each(cl, st->a, c, item);
		else
			aws_lister_emit(cl, st->a, l, l->region ? l->region : c->region, item);
		st->count++;
	}
	if (l->token && aws_next_page(c, aws_str(c->doc, l->token)))
		return;
	if (l->fact)
		aws_region_fact(cl, st->a->account, c->region, l->fact,
				cJSON_CreateNumber((double)st->count));
	free(st);
}

void aws_lister_run(aws_client *cl, aws_account *a, aws_task *t, aws_call *c,
		    const aws_lister *l)
{
	(void)cl;
	list_state *st = mamori_xcalloc(1, sizeof *st);
	st->a = a;
	st->l = l;
	c->page_param = l->page_param;
	c->numbers = l->numbers;
	if (!c->what)
		c->what = l->what;
	aws_task_submit(t, c, list_done, st);
}

/* Rename members (recursively) by a NULL-terminated {from, to} table. */
void aws_rename(cJSON *v, const char *const (*map)[2], int depth)
{
	if (!v || depth > 32)
		return;
	for (cJSON *ch = v->child; ch; ch = ch->next) {
		if (cJSON_IsObject(v) && ch->string) {
			for (size_t i = 0; map[i][0]; i++)
				if (strcmp(ch->string, map[i][0]) == 0) {
					free(ch->string);
					ch->string = mamori_xstrdup(map[i][1]);
					break;
				}
		}
		aws_rename(ch, map, depth + 1);
	}
}
