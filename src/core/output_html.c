/*
 * output_html.c — one self-contained HTML page.
 *
 * No script, no external asset, no web font: the styles are inline and the
 * severity chart is an inline SVG, so the file opens anywhere, offline, and a
 * Content-Security-Policy forbids everything else.  All text that came from
 * scanned input is escaped; links are emitted only for http(s) URLs.  A
 * print stylesheet turns it into a clean paper report.  Its words come from
 * a message catalogue (report_i18n.c): English, or Japanese with --lang ja.
 * When findings carry compliance standards, a section gives each
 * standard's score and each account's (output.h says how they are counted).
 */
#include "json.h"
#include "output_internal.h"
#include "report_i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const sev_class[] = {"info", "low", "medium", "high", "critical"};
static const char *const sev_color[] = {"#64748b", "#2563eb", "#d97706", "#dc2626", "#9f1239"};

static void esc(FILE *out, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

static bool safe_url(const char *u)
{
	return u && (strncasecmp(u, "https://", 8) == 0 || strncasecmp(u, "http://", 7) == 0);
}

static const char style[] =
	":root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;"
	"--crit:#9f1239;--high:#dc2626;--med:#d97706;--low:#2563eb;--info:#64748b;--ok:#15803d}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
	"'Hiragino Sans','Noto Sans CJK JP',sans-serif;color:var(--ink);background:var(--bg)}"
	"main{max-width:1200px;margin:0 auto;padding:24px 28px 48px}"
	"header{background:#0f172a;color:#e2e8f0;padding:20px 28px}"
	"header .in{max-width:1200px;margin:0 auto;display:flex;align-items:baseline;gap:18px;"
	"flex-wrap:wrap}"
	".brand{font-weight:700;font-size:18px;letter-spacing:.02em}"
	".brand span{color:#fda4af;margin-right:6px}"
	"h1{font-size:18px;font-weight:500;margin:0;flex:1}"
	".meta{color:#94a3b8;font-size:12px}"
	"h2{font-size:15px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);"
	"margin:32px 0 10px}"
	".summary{display:flex;gap:24px;align-items:center;flex-wrap:wrap;background:var(--card);"
	"border:1px solid var(--line);border-radius:10px;padding:20px}"
	".donut{flex:none}.donut text{font:700 22px system-ui,sans-serif;fill:var(--ink)}"
	".donut .sub{font:12px system-ui,sans-serif;fill:var(--muted)}"
	".cards{display:flex;gap:10px;flex-wrap:wrap;flex:1}"
	".card{min-width:110px;border-radius:8px;padding:10px 14px;border:1px solid var(--line);"
	"border-left:6px solid var(--c)}"
	".card b{display:block;font-size:24px;line-height:1.1}"
	".card span{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}"
	".facts{color:var(--muted);font-size:13px;width:100%}"
	".facts b{color:var(--ink)}"
	"table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid "
	"var(--line);border-radius:10px;overflow:hidden}"
	"table.findings{table-layout:fixed}table.findings col.sev{width:104px}"
	"table.findings col.res{width:24%}table.findings col.rule{width:21%}"
	"th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.05em;"
	"color:var(--muted);background:#f1f5f9;padding:8px 10px;border-bottom:1px solid var(--line)}"
	"td{padding:10px;border-bottom:1px solid var(--line);vertical-align:top}"
	"tr:last-child td{border-bottom:0}"
	".badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;color:#fff;"
	"background:var(--c);border-radius:4px;padding:2px 7px;white-space:nowrap}"
	".critical{--c:var(--crit)}.high{--c:var(--high)}.medium{--c:var(--med)}"
	".low{--c:var(--low)}.info{--c:var(--info)}.passed{--c:var(--ok)}"
	".muted{--c:#94a3b8}"
	"tr.finding td:first-child{border-left:4px solid var(--c)}"
	".title{font-weight:600}"
	".desc{color:#334155;margin-top:2px}"
	".fix{margin-top:6px;color:#334155}.fix b{color:var(--ok)}"
	".desc,.fix,.reqs{overflow-wrap:anywhere}"
	".small{font-size:12px;color:var(--muted)}"
	".reqs{margin-top:6px;font-size:12px;color:var(--muted)}"
	"code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}"
	"pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;"
	"padding:8px;border-radius:6px;white-space:pre-wrap;word-break:break-all;margin:6px 0 0}"
	"details summary{cursor:pointer;color:var(--muted);font-size:12px;margin-top:6px}"
	"a{color:#1d4ed8}"
	".problems li{color:#9a3412}"
	".empty{padding:24px;text-align:center;color:var(--ok);font-weight:600}"
	"table.scores td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.std td{font-weight:600;background:#f8fafc}tr.acct td:first-child{padding-left:28px}"
	".bar{display:inline-block;width:120px;height:10px;border-radius:5px;background:#fee2e2;"
	"vertical-align:middle;margin-right:8px;overflow:hidden}"
	".bar i{display:block;height:100%;background:var(--ok)}"
	"footer{color:var(--muted);font-size:12px;margin-top:32px}"
	"@media print{body{background:#fff;font-size:11px}header{background:#fff;color:#000;"
	"border-bottom:2px solid #000;padding:0 0 8px}.meta{color:#333}main{padding:12px 0}"
	".summary,table{border-color:#999}tr{break-inside:avoid}th{background:#eee}"
	"details summary{display:none}a{color:#000;text-decoration:none}"
	"h2{break-after:avoid}@page{margin:14mm}}";

/* The report's text for key, in the report's language. */
#define T(key) mamori_report_text(r->lang, key)

static void donut(FILE *out, const mamori_report *r, const mamori_summary *s)
{
	const double radius = 52, c = 2 * M_PI * radius;
	fputs("<svg class=\"donut\" width=\"140\" height=\"140\" viewBox=\"0 0 140 140\" role=\"img\" "
	      "aria-label=\"",
	      out);
	esc(out, T("donut.label"));
	fputs("\">", out);
	fprintf(out, "<circle cx=\"70\" cy=\"70\" r=\"%.0f\" fill=\"none\" stroke=\"#e2e8f0\" "
		     "stroke-width=\"18\"/>",
		radius);
	double offset = 0;
	for (int sev = MAMORI_SEV_CRITICAL; sev >= 0 && s->open; sev--) {
		if (!s->by_severity[sev])
			continue;
		double len = c * (double)s->by_severity[sev] / (double)s->open;
		fprintf(out,
			"<circle cx=\"70\" cy=\"70\" r=\"%.0f\" fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"18\" stroke-dasharray=\"%.2f %.2f\" stroke-dashoffset=\"%.2f\" "
			"transform=\"rotate(-90 70 70)\"/>",
			radius, sev_color[sev], len, c - len, -offset);
		offset += len;
	}
	fprintf(out,
		"<text x=\"70\" y=\"72\" text-anchor=\"middle\">%zu</text>"
		"<text class=\"sub\" x=\"70\" y=\"92\" text-anchor=\"middle\">",
		s->open);
	esc(out, T("donut.open"));
	fputs("</text></svg>", out);
}

static const char *status_class(const mamori_finding *f)
{
	if (f->compliance == MAMORI_COMPLIANCE_PASSED)
		return "passed";
	if (!mamori_finding_is_open(f))
		return "muted";
	return sev_class[f->severity];
}

static void finding_row(FILE *out, const mamori_report *r, const mamori_finding *f)
{
	char key[32];
	char sid[13];
	mamori_short_id(f->id, sid);
	const char *cls = status_class(f);
	fprintf(out, "<tr class=\"finding %s\"><td><span class=\"badge\">", cls);
	snprintf(key, sizeof key, "sev.%d", (int)f->severity);
	esc(out, f->compliance == MAMORI_COMPLIANCE_PASSED ? T("badge.passed") : T(key));
	fputs("</span></td><td><div class=\"title\">", out);
	esc(out, f->title);
	fputs("</div><div class=\"desc\">", out);
	esc(out, f->description);
	fputs("</div>", out);
	if (f->remediation_text || safe_url(f->remediation_url)) {
		fputs("<div class=\"fix\"><b>", out);
		esc(out, T("fix"));
		fputs("</b> ", out);
		esc(out, f->remediation_text);
		if (safe_url(f->remediation_url)) {
			fputs(" <a href=\"", out);
			esc(out, f->remediation_url);
			fputs("\" rel=\"noopener noreferrer\">", out);
			esc(out, T("reference"));
			fputs("</a>", out);
		}
		fputs("</div>", out);
	}
	if (f->related_requirements.count) {
		fputs("<div class=\"reqs\">", out);
		for (size_t i = 0; i < f->related_requirements.count; i++) {
			if (i)
				fputs(" · ", out);
			esc(out, f->related_requirements.items[i]);
		}
		fputs("</div>", out);
	}
	if (f->evidence_json || f->location.path) {
		fputs("<details><summary>", out);
		esc(out, T("evidence"));
		fputs("</summary>", out);
		if (f->location.path) {
			fputs("<div class=\"small\">", out);
			esc(out, f->location.path);
			if (f->location.line)
				fprintf(out, ":%u", f->location.line);
			fputs("</div>", out);
		}
		if (f->evidence_json) {
			cJSON *ev = cJSON_Parse(f->evidence_json);
			char *pretty = ev ? mamori_json_print(ev, true) : NULL;
			fputs("<pre>", out);
			esc(out, pretty ? pretty : f->evidence_json);
			fputs("</pre>", out);
			free(pretty);
			cJSON_Delete(ev);
		}
		fputs("</details>", out);
	}
	fputs("</td><td><code>", out);
	esc(out, f->resource_count ? f->resources[0].id : "");
	fputs("</code><div class=\"small\">", out);
	esc(out, f->resource_count ? f->resources[0].type : "");
	fputs(" · ", out);
	esc(out, f->aws_account_id);
	fputs(" · ", out);
	esc(out, f->region);
	fputs("</div></td><td><code>", out);
	esc(out, f->generator_id);
	fputs("</code><div class=\"small\">", out);
	esc(out, f->module);
	if (f->rule_author) {
		fputs(" · ", out);
		esc(out, T("by"));
		fputc(' ', out);
		esc(out, f->rule_author);
		if (f->rule_license) {
			fputs(" (", out);
			esc(out, f->rule_license);
			fputs(")", out);
		}
	}
	fputs("</div><div class=\"small\">", out);
	snprintf(key, sizeof key, "wf.%s", mamori_workflow_name(f->workflow));
	esc(out, T(key));
	if (f->record_state == MAMORI_RECORD_ARCHIVED) {
		fputs(" · ", out);
		esc(out, T("archived"));
	}
	/* the date is enough on a report; the full time is in the tooltip */
	const char *seen = f->first_observed_at ? f->first_observed_at : "";
	fputs(" · ", out);
	esc(out, T("first_seen"));
	fputs(" <span title=\"", out);
	esc(out, seen);
	fputs("\">", out);
	fprintf(out, "%.10s", seen);
	fputs("</span> · <code>", out);
	esc(out, sid);
	fputs("</code></div></td></tr>\n", out);
}

static void score_row(FILE *out, const mamori_report *r, const mamori_score *s)
{
	fprintf(out, "<tr class=\"%s\"><td>", s->account ? "acct" : "std");
	if (!s->account)
		esc(out, s->name);
	else if (!strcmp(s->account, MAMORI_NO_ACCOUNT))
		esc(out, T("score.no_account"));
	else
		esc(out, s->account);
	fputs("</td><td>", out);
	if (s->percent >= 0)
		fprintf(out, "<span class=\"bar\"><i style=\"width:%d%%\"></i></span>%d%%",
			s->percent, s->percent);
	else
		esc(out, T("score.none"));
	fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
		s->passed, s->failed, s->unknown);
}

static void compliance_section(FILE *out, const mamori_report *r)
{
	mamori_scores sc;
	mamori_report_scores(r, &sc);
	if (sc.count) {
		fputs("<h2>", out);
		esc(out, T("compliance"));
		fputs("</h2>\n<table class=\"scores\"><thead><tr>", out);
		static const char *const cols[] = {"col.standard", "col.score", "col.passed",
						   "col.failed", "col.unknown"};
		for (int i = 0; i < 5; i++) {
			fputs("<th>", out);
			esc(out, T(cols[i]));
			fputs("</th>", out);
		}
		fputs("</tr></thead><tbody>\n", out);
		for (size_t i = 0; i < sc.count; i++)
			score_row(out, r, &sc.items[i]);
		fputs("</tbody></table>\n<p class=\"small\">", out);
		esc(out, T("score.how"));
		fputs("</p>\n", out);
	}
	mamori_scores_free(&sc);
}

int mamori_output_html(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	mamori_summary s;
	mamori_summary_compute(r, &s);
	const char *title = r->title ? r->title : T("title.default");
	bool ja = r->lang && !strcmp(r->lang, "ja");
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
		ja ? "ja" : "en");
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>",
	      out);
	esc(out, title);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
	fputs("<header><div class=\"in\"><div class=\"brand\"><span>守り</span>mamori</div><h1>", out);
	esc(out, title);
	fputs("</h1><div class=\"meta\">", out);
	if (r->target) {
		esc(out, r->target);
		fputs(" · ", out);
	}
	esc(out, r->generated_at);
	fputs(" · mamori " MAMORI_VERSION "</div></div></header>\n<main>\n", out);

	fputs("<h2>", out);
	esc(out, T("summary"));
	fputs("</h2>\n<section class=\"summary\">", out);
	donut(out, r, &s);
	fputs("<div class=\"cards\">", out);
	for (int sev = MAMORI_SEV_CRITICAL; sev >= 0; sev--) {
		char key[16];
		snprintf(key, sizeof key, "sev.%d", sev);
		fprintf(out, "<div class=\"card %s\"><b>%zu</b><span>", sev_class[sev],
			s.by_severity[sev]);
		esc(out, T(key));
		fputs("</span></div>", out);
	}
	fputs("</div><div class=\"facts\">", out);
	static const char *const facts[] = {"open", "passed", "suppressed", "archived"};
	const size_t values[] = {s.open, s.passed, s.suppressed, s.archived};
	for (int i = 0; i < 4; i++) {
		char pre[32], post[32];
		snprintf(pre, sizeof pre, "fact.%s_pre", facts[i]);
		snprintf(post, sizeof post, "fact.%s_post", facts[i]);
		if (i)
			fputs(" · ", out);
		esc(out, T(pre));
		fprintf(out, "<b>%zu</b>", values[i]);
		esc(out, T(post));
	}
	fputs("</div></section>\n", out);
	compliance_section(out, r);

	if (r->module_count) {
		fputs("<h2>", out);
		esc(out, T("modules"));
		fputs("</h2>\n<table class=\"modules\"><thead><tr>", out);
		static const char *const cols[] = {"col.module", "col.pillar", "col.outcome", "col.open",
						   "col.time"};
		for (int i = 0; i < 5; i++) {
			fputs("<th>", out);
			esc(out, T(cols[i]));
			fputs("</th>", out);
		}
		fputs("</tr></thead><tbody>\n", out);
		for (size_t i = 0; i < r->module_count; i++) {
			const mamori_report_module *m = &r->modules[i];
			fputs("<tr><td><code>", out);
			esc(out, m->name);
			fputs("</code></td><td>", out);
			esc(out, m->pillar);
			fputs("</td><td>", out);
			char key[48];
			snprintf(key, sizeof key, "outcome.%s", m->outcome ? m->outcome : "");
			esc(out, T(key));
			fprintf(out, "</td><td>%zu</td><td>%.2f ", mamori_summary_module_open(r, m->name),
				m->seconds);
			esc(out, T("seconds"));
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (r->problem_count) {
		fputs("<h2>", out);
		esc(out, T("problems"));
		fputs("</h2>\n<ul class=\"problems\">", out);
		for (size_t i = 0; i < r->problem_count; i++) {
			fputs("<li><pre>", out);
			esc(out, r->problems[i]);
			fputs("</pre></li>", out);
		}
		fputs("</ul>\n", out);
	}

	fputs("<h2>", out);
	esc(out, T("findings"));
	fputs("</h2>\n", out);
	if (r->count == 0) {
		fputs("<table><tr><td class=\"empty\">", out);
		esc(out, T("empty"));
		fputs("</td></tr></table>\n", out);
	} else {
		fputs("<table class=\"findings\"><colgroup><col class=\"sev\"><col><col "
		      "class=\"res\"><col class=\"rule\"></colgroup><thead><tr>",
		      out);
		static const char *const cols[] = {"col.severity", "col.finding", "col.resource",
						   "col.rule_status"};
		for (int i = 0; i < 4; i++) {
			fputs("<th>", out);
			esc(out, T(cols[i]));
			fputs("</th>", out);
		}
		fputs("</tr></thead><tbody>\n", out);
		for (size_t i = 0; i < r->count; i++)
			finding_row(out, r, r->items[i]);
		fputs("</tbody></table>\n", out);
	}
	fputs("<footer>", out);
	esc(out, T("generated"));
	fputs(" " MAMORI_VERSION ". ", out);
	fputs(T("footer"), out); /* trusted catalogue text holding <code> */
	fputs("</footer>\n</main>\n</body>\n</html>\n", out);
	return MAMORI_OK;
}
