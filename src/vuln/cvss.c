/*
 * cvss.c — CVSS base scores per the FIRST specifications.
 *
 *   v2.0  "AV:N/AC:L/Au:N/C:N/I:N/A:C" (CVSS v2 guide, section 3.2.1)
 *   v3.0  "CVSS:3.0/..." (v3.0 specification, section 8.1; Roundup = ceil)
 *   v3.1  "CVSS:3.1/..." (v3.1 specification, section 7.1 and Appendix A:
 *         the floating-point safe Roundup)
 *   v4.0  "CVSS:4.0/..." (v4.0 specification, section 8: macrovectors of
 *         equivalence classes EQ1-EQ6, their published scores, and the
 *         interpolation by severity distance within a macrovector)
 *
 * Every mandatory base metric must be present exactly once with a legal
 * value; anything else is an invalid vector, reported, never guessed.
 * Temporal/threat and environmental metrics are accepted and, for v4.0,
 * used as the specification says (E, CR/IR/AR, modified metrics).
 */
#include "cvss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_METRICS 40

typedef struct metric {
	char key[6];
	char val[8];
} metric;

/* split "K:V/K:V" into metrics; false when malformed */
static bool split(const char *s, metric *m, int *n)
{
	*n = 0;
	while (*s) {
		if (*n == MAX_METRICS)
			return false;
		const char *colon = strchr(s, ':');
		const char *slash = strchr(s, '/');
		if (!colon || (slash && slash < colon))
			return false;
		size_t kl = (size_t)(colon - s);
		size_t vl = slash ? (size_t)(slash - colon - 1) : strlen(colon + 1);
		if (kl == 0 || kl >= sizeof m->key || vl == 0 || vl >= sizeof m->val)
			return false;
		memcpy(m[*n].key, s, kl);
		m[*n].key[kl] = '\0';
		memcpy(m[*n].val, colon + 1, vl);
		m[*n].val[vl] = '\0';
		for (int i = 0; i < *n; i++)
			if (!strcmp(m[i].key, m[*n].key))
				return false; /* a metric given twice */
		(*n)++;
		s = slash ? slash + 1 : colon + 1 + vl;
		if (slash && !*s)
			return false;
	}
	return true;
}

static const char *get(const metric *m, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(m[i].key, key))
			return m[i].val;
	return NULL;
}

/* index of v in the choices "N,A,L,P" (single letters), or -1 */
static int pick(const char *v, const char *choices)
{
	if (!v || strlen(v) != 1)
		return -1;
	const char *p = strchr(choices, v[0]);
	return p ? (int)(p - choices) : -1;
}

static const char *rating(double s, int version)
{
	if (version == 2)
		return s < 4.0 ? "LOW" : s < 7.0 ? "MEDIUM" : "HIGH";
	if (s == 0.0)
		return "NONE";
	return s < 4.0 ? "LOW" : s < 7.0 ? "MEDIUM" : s < 9.0 ? "HIGH" : "CRITICAL";
}

static const char *score_v2(const char *vec, vuln_cvss *out)
{
	metric m[MAX_METRICS];
	int n;
	if (!split(vec, m, &n))
		return "malformed CVSS v2 vector";
	static const double av_w[] = {0.395, 0.646, 1.0}, ac_w[] = {0.35, 0.61, 0.71},
			    au_w[] = {0.45, 0.56, 0.704}, imp_w[] = {0.0, 0.275, 0.660};
	int av = pick(get(m, n, "AV"), "LAN"), ac = pick(get(m, n, "AC"), "HML"),
	    au = pick(get(m, n, "Au"), "MSN"), c = pick(get(m, n, "C"), "NPC"),
	    i = pick(get(m, n, "I"), "NPC"), a = pick(get(m, n, "A"), "NPC");
	if (av < 0 || ac < 0 || au < 0 || c < 0 || i < 0 || a < 0)
		return "CVSS v2 vector lacks a base metric (AV, AC, Au, C, I, A) or has an illegal "
		       "value";
	double impact = 10.41 * (1 - (1 - imp_w[c]) * (1 - imp_w[i]) * (1 - imp_w[a]));
	double expl = 20 * av_w[av] * ac_w[ac] * au_w[au];
	double f = impact == 0 ? 0 : 1.176;
	double base = ((0.6 * impact) + (0.4 * expl) - 1.5) * f;
	out->version = 2;
	out->score = round(base * 10) / 10;
	if (out->score < 0)
		out->score = 0;
	out->network = av == 2;
	out->no_privileges = au == 2;
	out->no_interaction = true;
	return NULL;
}

static double roundup31(double x)
{
	long long i = llround(x * 100000);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (floor((double)i / 10000) + 1) / 10.0;
}

static double roundup30(double x)
{
	return ceil(x * 10 - 1e-9) / 10;
}

static const char *score_v3(const char *vec, int version, vuln_cvss *out)
{
	metric m[MAX_METRICS];
	int n;
	if (!split(vec, m, &n))
		return "malformed CVSS v3 vector";
	static const double av_w[] = {0.85, 0.62, 0.55, 0.2}, ac_w[] = {0.77, 0.44},
			    ui_w[] = {0.85, 0.62}, cia_w[] = {0.56, 0.22, 0};
	int av = pick(get(m, n, "AV"), "NALP"), ac = pick(get(m, n, "AC"), "LH"),
	    pr = pick(get(m, n, "PR"), "NLH"), ui = pick(get(m, n, "UI"), "NR"),
	    s = pick(get(m, n, "S"), "UC"), c = pick(get(m, n, "C"), "HLN"),
	    i = pick(get(m, n, "I"), "HLN"), a = pick(get(m, n, "A"), "HLN");
	if (av < 0 || ac < 0 || pr < 0 || ui < 0 || s < 0 || c < 0 || i < 0 || a < 0)
		return "CVSS v3 vector lacks a base metric (AV, AC, PR, UI, S, C, I, A) or has an "
		       "illegal value";
	bool changed = s == 1;
	double pr_w = pr == 0 ? 0.85 : pr == 1 ? (changed ? 0.68 : 0.62) : (changed ? 0.5 : 0.27);
	double iss = 1 - (1 - cia_w[c]) * (1 - cia_w[i]) * (1 - cia_w[a]);
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	double expl = 8.22 * av_w[av] * ac_w[ac] * pr_w * ui_w[ui];
	double (*ru)(double) = version == 31 ? roundup31 : roundup30;
	double base;
	if (impact <= 0)
		base = 0;
	else if (changed)
		base = ru(fmin(1.08 * (impact + expl), 10));
	else
		base = ru(fmin(impact + expl, 10));
	out->version = version;
	out->score = base;
	out->network = av == 0;
	out->no_privileges = pr == 0;
	out->no_interaction = ui == 0;
	return NULL;
}

/* ---- v4.0 ---- */

/* Scores of the 270 macrovectors (x10; -1 = no such macrovector), indexed
 * [eq1 0-2][eq2 0-1][eq3 0-2][eq4 0-2][eq5 0-2][eq6 0-1]: the table the
 * CVSS v4.0 specification publishes with its reference calculator. */
static const short macro_score[324] = {
	100,  99,  98,  95,  95,  92, 100,  96,  93,  87,  91,  81,  93,  90,  89,  80,  81,  68,
	 98,  95,  95,  92,  90,  84,  93,  92,  89,  81,  81,  65,  88,  80,  78,  70,  69,  48,
	 -1,  92,  -1,  82,  -1,  72,  -1,  79,  -1,  69,  -1,  50,  -1,  69,  -1,  55,  -1,  27,
	 99,  97,  95,  92,  92,  85,  95,  91,  90,  83,  84,  71,  92,  81,  82,  71,  72,  53,
	 95,  93,  92,  85,  85,  73,  92,  82,  80,  72,  70,  59,  84,  70,  71,  52,  50,  30,
	 -1,  86,  -1,  75,  -1,  52,  -1,  71,  -1,  52,  -1,  29,  -1,  63,  -1,  29,  -1,  17,
	 98,  95,  94,  87,  91,  81,  94,  89,  86,  74,  77,  64,  87,  75,  74,  63,  63,  49,
	 94,  89,  88,  77,  76,  67,  86,  76,  74,  58,  59,  50,  72,  57,  57,  52,  52,  25,
	 -1,  83,  -1,  70,  -1,  54,  -1,  65,  -1,  58,  -1,  26,  -1,  53,  -1,  21,  -1,  13,
	 95,  90,  88,  76,  76,  70,  90,  77,  75,  62,  61,  53,  77,  66,  68,  59,  52,  30,
	 89,  78,  76,  67,  62,  58,  74,  59,  57,  57,  47,  23,  61,  52,  57,  29,  24,  16,
	 -1,  71,  -1,  59,  -1,  30,  -1,  58,  -1,  26,  -1,  15,  -1,  23,  -1,  13,  -1,   6,
	 93,  87,  86,  72,  75,  58,  86,  74,  74,  61,  56,  34,  70,  54,  52,  40,  40,  22,
	 85,  75,  74,  55,  62,  51,  72,  57,  55,  41,  46,  19,  53,  36,  34,  19,  19,   8,
	 -1,  64,  -1,  51,  -1,  20,  -1,  47,  -1,  21,  -1,  11,  -1,  24,  -1,   9,  -1,   4,
	 88,  75,  73,  53,  60,  50,  73,  55,  59,  40,  41,  20,  54,  43,  45,  22,  20,  11,
	 75,  55,  58,  45,  40,  21,  61,  51,  48,  18,  20,   9,  46,  18,  17,   7,   8,   2,
	 -1,  53,  -1,  24,  -1,  14,  -1,  24,  -1,  12,  -1,   5,  -1,  10,  -1,   3,  -1,   1,
};

static int macro_index(const int eq[6])
{
	return ((((eq[0] * 2 + eq[1]) * 3 + eq[2]) * 3 + eq[3]) * 3 + eq[4]) * 2 + eq[5];
}

/* score of a macrovector, or -1 when it does not exist */
static double macro(int e1, int e2, int e3, int e4, int e5, int e6)
{
	if (e1 > 2 || e2 > 1 || e3 > 2 || e4 > 2 || e5 > 2 || e6 > 1)
		return -1;
	int eq[6] = {e1, e2, e3, e4, e5, e6};
	int v = macro_score[macro_index(eq)];
	return v < 0 ? -1 : v / 10.0;
}

typedef struct v4 {
	char AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR;
} v4;

/* severity levels within a metric, as in the specification's distances */
static double level(char metric_id, char v)
{
	switch (metric_id) {
	case 'a': /* AV */
		return v == 'N' ? 0.0 : v == 'A' ? 0.1 : v == 'L' ? 0.2 : 0.3;
	case 'p': /* PR */
		return v == 'N' ? 0.0 : v == 'L' ? 0.1 : 0.2;
	case 'u': /* UI */
		return v == 'N' ? 0.0 : v == 'P' ? 0.1 : 0.2;
	case 'c': /* AC */
		return v == 'L' ? 0.0 : 0.1;
	case 't': /* AT */
		return v == 'N' ? 0.0 : 0.1;
	case 'v': /* VC VI VA */
		return v == 'H' ? 0.0 : v == 'L' ? 0.1 : 0.2;
	case 's': /* SC */
		return v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3;
	case 'S': /* SI SA (S = safety, from MSI/MSA) */
		return v == 'S' ? 0.0 : v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3;
	case 'r': /* CR IR AR */
		return v == 'H' ? 0.0 : v == 'M' ? 0.1 : 0.2;
	default: /* E */
		return v == 'A' ? 0.0 : v == 'P' ? 0.1 : 0.2;
	}
}

/* the highest-severity vectors of each class, as "AV PR UI" etc. letters */
static const char *const max_eq1[3][3] = {{"NNN"}, {"ANN", "NLN", "NNP"}, {"PNN", "ALP"}};
static const char *const max_eq2[2][2] = {{"LN"}, {"HN", "LP"}};
/* VC VI VA CR IR AR */
static const char *const max_eq3eq6[3][2][5] = {
	{{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
	{{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
	{{NULL}, {"LLLHHH"}},
};
static const char *const max_eq4[3] = {"HSS", "HHH", "LLL"}; /* SC SI SA */
static const char max_eq5[3] = {'A', 'P', 'U'};
static const int max_sev_eq1[3] = {1, 4, 5}, max_sev_eq2[2] = {1, 2},
		 max_sev_eq3eq6[3][2] = {{7, 6}, {8, 8}, {0, 10}}, max_sev_eq4[3] = {6, 5, 4};

static const char *score_v4(const char *vec, vuln_cvss *out)
{
	metric m[MAX_METRICS];
	int n;
	if (!split(vec, m, &n))
		return "malformed CVSS v4.0 vector";
	static const struct {
		const char *key, *values;
		bool base;
	} defs[] = {
		{"AV", "NALP", true}, {"AC", "LH", true},     {"AT", "NP", true},    {"PR", "NLH", true},
		{"UI", "NPA", true},  {"VC", "HLN", true},    {"VI", "HLN", true},   {"VA", "HLN", true},
		{"SC", "HLN", true},  {"SI", "HLN", true},    {"SA", "HLN", true},   {"E", "XAPU", false},
		{"CR", "XHML", false}, {"IR", "XHML", false}, {"AR", "XHML", false}, {"MAV", "XNALP", false},
		{"MAC", "XLH", false}, {"MAT", "XNP", false}, {"MPR", "XNLH", false}, {"MUI", "XNPA", false},
		{"MVC", "XHLN", false}, {"MVI", "XHLN", false}, {"MVA", "XHLN", false},
		{"MSC", "XHLN", false}, {"MSI", "XSHLN", false}, {"MSA", "XSHLN", false},
		{"S", "XNP", false},   {"AU", "XNY", false},  {"R", "XAUI", false},  {"V", "XDC", false},
		{"RE", "XLMH", false}, {"U", NULL, false},
	};
	char val[32] = {0};
	for (int i = 0; i < n; i++) {
		size_t d;
		for (d = 0; d < sizeof defs / sizeof *defs; d++)
			if (!strcmp(defs[d].key, m[i].key))
				break;
		if (d == sizeof defs / sizeof *defs)
			return "CVSS v4.0 vector has an unknown metric";
		if (!defs[d].values) /* U: Clear, Green, Amber, Red */
			continue;
		if (pick(m[i].val, defs[d].values) < 0)
			return "CVSS v4.0 vector has an illegal metric value";
		val[d] = m[i].val[0];
	}
	for (size_t d = 0; d < 11; d++)
		if (!val[d])
			return "CVSS v4.0 vector lacks a base metric (AV AC AT PR UI VC VI VA SC SI SA)";
	/* effective values: modified metrics override; E, CR, IR, AR default worst */
#define EFF(base_i, mod_i) (val[mod_i] && val[mod_i] != 'X' ? val[mod_i] : val[base_i])
	v4 x;
	x.AV = EFF(0, 15);
	x.AC = EFF(1, 16);
	x.AT = EFF(2, 17);
	x.PR = EFF(3, 18);
	x.UI = EFF(4, 19);
	x.VC = EFF(5, 20);
	x.VI = EFF(6, 21);
	x.VA = EFF(7, 22);
	x.SC = EFF(8, 23);
	x.SI = EFF(9, 24);
	x.SA = EFF(10, 25);
#undef EFF
	x.E = val[11] && val[11] != 'X' ? val[11] : 'A';
	x.CR = val[12] && val[12] != 'X' ? val[12] : 'H';
	x.IR = val[13] && val[13] != 'X' ? val[13] : 'H';
	x.AR = val[14] && val[14] != 'X' ? val[14] : 'H';
	out->version = 40;
	out->network = val[0] == 'N';
	out->no_privileges = val[3] == 'N';
	out->no_interaction = val[4] == 'N';
	if (x.VC == 'N' && x.VI == 'N' && x.VA == 'N' && x.SC == 'N' && x.SI == 'N' &&
	    x.SA == 'N') {
		out->score = 0;
		return NULL;
	}
	int e1 = (x.AV == 'N' && x.PR == 'N' && x.UI == 'N')				  ? 0
		 : ((x.AV == 'N' || x.PR == 'N' || x.UI == 'N') && x.AV != 'P') ? 1
										  : 2;
	int e2 = (x.AC == 'L' && x.AT == 'N') ? 0 : 1;
	int e3 = (x.VC == 'H' && x.VI == 'H')			   ? 0
		 : (x.VC == 'H' || x.VI == 'H' || x.VA == 'H') ? 1
							       : 2;
	int e4 = (x.SI == 'S' || x.SA == 'S')			   ? 0
		 : (x.SC == 'H' || x.SI == 'H' || x.SA == 'H') ? 1
							       : 2;
	int e5 = x.E == 'A' ? 0 : x.E == 'P' ? 1 : 2;
	int e6 = ((x.CR == 'H' && x.VC == 'H') || (x.IR == 'H' && x.VI == 'H') ||
		  (x.AR == 'H' && x.VA == 'H'))
			 ? 0
			 : 1;
	double value = macro(e1, e2, e3, e4, e5, e6);
	if (value < 0)
		return "CVSS v4.0 vector maps to no macrovector";
	double lower1 = macro(e1 + 1, e2, e3, e4, e5, e6);
	double lower2 = macro(e1, e2 + 1, e3, e4, e5, e6);
	double lower36;
	if (e3 == 0 && e6 == 0) {
		double l = macro(e1, e2, e3, e4, e5, e6 + 1), r = macro(e1, e2, e3 + 1, e4, e5, e6);
		lower36 = (l < 0 || r < 0) ? -1 : fmax(l, r);
	} else if (e3 == 1 && e6 == 0) {
		lower36 = macro(e1, e2, e3, e4, e5, e6 + 1);
	} else if ((e3 == 0 || e3 == 1) && e6 == 1) {
		lower36 = macro(e1, e2, e3 + 1, e4, e5, e6);
	} else {
		lower36 = macro(e1, e2, e3 + 1, e4, e5, e6 + 1);
	}
	double lower4 = macro(e1, e2, e3, e4 + 1, e5, e6);
	double lower5 = macro(e1, e2, e3, e4, e5 + 1, e6);

	/* the first max vector of the macrovector that the vector does not exceed */
	double d_eq1 = 0, d_eq2 = 0, d_eq36 = 0, d_eq4 = 0;
	bool found = false;
	for (int a = 0; a < 3 && max_eq1[e1][a] && !found; a++)
		for (int b = 0; b < 2 && max_eq2[e2][b] && !found; b++)
			for (int c = 0; c < 5 && max_eq3eq6[e3][e6][c] && !found; c++) {
				const char *m1 = max_eq1[e1][a], *m2 = max_eq2[e2][b],
					   *m3 = max_eq3eq6[e3][e6][c], *m4 = max_eq4[e4];
				double dAV = level('a', x.AV) - level('a', m1[0]),
				       dPR = level('p', x.PR) - level('p', m1[1]),
				       dUI = level('u', x.UI) - level('u', m1[2]),
				       dAC = level('c', x.AC) - level('c', m2[0]),
				       dAT = level('t', x.AT) - level('t', m2[1]),
				       dVC = level('v', x.VC) - level('v', m3[0]),
				       dVI = level('v', x.VI) - level('v', m3[1]),
				       dVA = level('v', x.VA) - level('v', m3[2]),
				       dCR = level('r', x.CR) - level('r', m3[3]),
				       dIR = level('r', x.IR) - level('r', m3[4]),
				       dAR = level('r', x.AR) - level('r', m3[5]),
				       dSC = level('s', x.SC) - level('s', m4[0]),
				       dSI = level('S', x.SI) - level('S', m4[1]),
				       dSA = level('S', x.SA) - level('S', m4[2]),
				       dE = level('e', x.E) - level('e', max_eq5[e5]);
				double all[] = {dAV, dPR, dUI, dAC, dAT, dVC, dVI, dVA,
						dCR, dIR, dAR, dSC, dSI, dSA, dE};
				bool ok = true;
				for (size_t k = 0; k < sizeof all / sizeof *all; k++)
					if (all[k] < -1e-9)
						ok = false;
				/* the reference keeps the last candidate's distances when none fits */
				d_eq1 = dAV + dPR + dUI;
				d_eq2 = dAC + dAT;
				d_eq36 = dVC + dVI + dVA + dCR + dIR + dAR;
				d_eq4 = dSC + dSI + dSA;
				found = ok;
			}
	const double step = 0.1;
	int n_lower = 0;
	double sum = 0;
	if (lower1 >= 0) {
		n_lower++;
		sum += (value - lower1) * (d_eq1 / (max_sev_eq1[e1] * step));
	}
	if (lower2 >= 0) {
		n_lower++;
		sum += (value - lower2) * (d_eq2 / (max_sev_eq2[e2] * step));
	}
	if (lower36 >= 0) {
		n_lower++;
		sum += (value - lower36) * (d_eq36 / (max_sev_eq3eq6[e3][e6] * step));
	}
	if (lower4 >= 0) {
		n_lower++;
		sum += (value - lower4) * (d_eq4 / (max_sev_eq4[e4] * step));
	}
	if (lower5 >= 0)
		n_lower++; /* EQ5 has no severity distance: it adds 0 */
	double mean = n_lower ? sum / n_lower : 0;
	double s = fmax(0, fmin(10, value - mean));
	out->score = round((s + 1e-6) * 10) / 10;
	return NULL;
}

const char *mamori_vuln_cvss_score(const char *vector, vuln_cvss *out)
{
	memset(out, 0, sizeof *out);
	if (!vector || !*vector)
		return "empty CVSS vector";
	const char *why;
	if (!strncmp(vector, "CVSS:3.1/", 9))
		why = score_v3(vector + 9, 31, out);
	else if (!strncmp(vector, "CVSS:3.0/", 9))
		why = score_v3(vector + 9, 30, out);
	else if (!strncmp(vector, "CVSS:4.0/", 9))
		why = score_v4(vector + 9, out);
	else if (!strncmp(vector, "CVSS:", 5))
		why = "unknown CVSS version";
	else {
		/* v2 vectors have no prefix; NVD sometimes wraps them in "(...)" */
		char tmp[256];
		size_t n = strlen(vector);
		if (n >= sizeof tmp)
			return "CVSS vector too long";
		if (vector[0] == '(' && vector[n - 1] == ')') {
			memcpy(tmp, vector + 1, n - 2);
			tmp[n - 2] = '\0';
		} else {
			memcpy(tmp, vector, n + 1);
		}
		why = score_v2(tmp, out);
	}
	if (!why)
		out->rating = rating(out->score, out->version);
	return why;
}

const char *mamori_vuln_cvss_version_name(int version)
{
	switch (version) {
	case 2:
		return "2.0";
	case 30:
		return "3.0";
	case 31:
		return "3.1";
	case 40:
		return "4.0";
	default:
		return "?";
	}
}
