/*
 * mod_re.c — |re: the value is a PCRE regular expression (compiled with
 * PCRE2, JIT, match limits), plus its sub-modifiers |i (ignore case), |m
 * (multi-line) and |s (dot matches newline).  Sigma regexes are
 * case-sensitive unless |i is given, and search (unanchored).
 */
#include "sigma_internal.h"

static void apply_re(sg_mstate *st)
{
	st->op = SG_OP_RE;
}
static void apply_i(sg_mstate *st)
{
	st->re_flags |= PCRE2_CASELESS;
}
static void apply_m(sg_mstate *st)
{
	st->re_flags |= PCRE2_MULTILINE;
}
static void apply_s(sg_mstate *st)
{
	st->re_flags |= PCRE2_DOTALL;
}

const sg_modifier sg_mod_re = {"re", apply_re};
const sg_modifier sg_mod_re_i = {"i", apply_i};
const sg_modifier sg_mod_re_ignorecase = {"ignorecase", apply_i};
const sg_modifier sg_mod_re_m = {"m", apply_m};
const sg_modifier sg_mod_re_multiline = {"multiline", apply_m};
const sg_modifier sg_mod_re_s = {"s", apply_s};
const sg_modifier sg_mod_re_dotall = {"dotall", apply_s};
