/*
 * flow_detectors.c — GuardDuty's network findings from VPC Flow Logs.
 *
 *   Recon:EC2/Portscan             one of our instances probes many ports of
 *                                  one host
 *   Impact:EC2/PortSweep           one of our instances probes one port on
 *                                  many hosts
 *   UnauthorizedAccess:EC2/SSHBruteForce, RDPBruteForce
 *                                  many connections to 22 / 3389 from one
 *                                  source to one host (low when an instance
 *                                  is the target, high when it attacks)
 *   Recon:EC2/PortProbeUnprotectedPort
 *                                  several public sources reach an accepted
 *                                  administration/database port
 *   threat lists                   traffic with listed, Tor, crypto or C&C
 *                                  addresses
 *   Behavior:EC2/NetworkPortUnusual
 *                                  an instance uses a remote port its
 *                                  baseline (earlier runs) never showed
 *
 * A flow counts as a connection attempt when its tcp-flags show a SYN
 * without SYN-ACK, or (no flags) when it was rejected or goes from a high
 * port to a lower one — replies (server port to client port) do not count.
 * Scans count only probes (attempts that carried no data, see probe()) by
 * a private (our) source, as GuardDuty reports outbound scans: the
 * Internet's constant background scanning of public addresses is not a
 * finding unless it reaches an open administration port.
 *
 * The hot path is a few integer tests per record; only records that can
 * feed a detector touch its tables, whose keys are 64-bit hashes of the
 * binary addresses and ports (window.h: bounded, expiring state).
 */
#include "../dt_intel.h"
#include "../dt_run.h"
#include "baseline.h"
#include "../dt_window.h"

#include <stdio.h>
#include <stdlib.h>

struct dt_flow_state {
	dt_window win;
	dt_set64 seen_ports;	/* hash(interface, port) queued for the baseline check */
	dt_set64 checked_ports; /* ... and checked */
};

dt_flow_state *dt_flowdet_new(dt_run *r)
{
	dt_flow_state *s = mamori_xcalloc(1, sizeof *s);
	dt_window_init(&s->win, r->cfg->window, r->cfg->reorder_window, r->cfg->max_state_entries);
	dt_set64_init(&s->seen_ports, r->cfg->max_state_entries);
	dt_set64_init(&s->checked_ports, r->cfg->max_state_entries);
	return s;
}

void dt_flowdet_free(dt_flow_state *s)
{
	if (!s)
		return;
	dt_window_free(&s->win);
	dt_set64_free(&s->seen_ports);
	dt_set64_free(&s->checked_ports);
	free(s);
}

void dt_flowdet_finish(dt_run *r)
{
	dt_window_account(&r->flow->win, r->st);
}

static const char *field(const dt_flow_rec *f, int k, char *buf, size_t cap)
{
	if (!f->f[k])
		return NULL;
	size_t n = f->n[k] < cap - 1 ? f->n[k] : cap - 1;
	memcpy(buf, f->f[k], n);
	buf[n] = '\0';
	return buf;
}

static void flow_hit(dt_run *r, const dt_flow_rec *f, const char *rule, bool outbound,
		     const char *actor, const char *detail, int sev)
{
	char src[64], dst[64], inst[64], eni[64], acct[32], region[32];
	dt_ip_format(f->src, src, sizeof src);
	dt_ip_format(f->dst, dst, sizeof dst);
	dt_hit h;
	dt_hit_init(&h, rule, f->start, f->file, f->line);
	h.severity = sev;
	h.account = field(f, FL_ACCOUNT, acct, sizeof acct);
	h.region = field(f, FL_REGION, region, sizeof region);
	const char *i = field(f, FL_INSTANCE, inst, sizeof inst);
	const char *e = field(f, FL_INTERFACE, eni, sizeof eni);
	h.res_type = i ? "AwsEc2Instance" : e ? "AwsEc2NetworkInterface" : "Other";
	h.res_id = i ? i : e ? e : (outbound ? src : dst);
	h.actor = actor;
	h.detail = detail;
	h.action_type = strstr(rule, "PortProbe") ? "PORT_PROBE" : "NETWORK_CONNECTION";
	h.direction = outbound ? "OUTBOUND" : "INBOUND";
	h.local_ip = outbound ? src : dst;
	h.remote_ip = outbound ? dst : src;
	h.local_port = outbound ? f->srcport : f->dstport;
	h.remote_port = outbound ? f->dstport : f->srcport;
	h.protocol = f->protocol == 6 ? "TCP" : f->protocol == 17 ? "UDP" : f->protocol == 1 ? "ICMP" : NULL;
	char *ev = mamori_xmalloc(f->text_len * 2 + 64);
	size_t k = 0;
	ev[k++] = '"';
	for (size_t j = 0; j < f->text_len; j++) {
		char c = f->text[j];
		if (c == '"' || c == '\\')
			ev[k++] = '\\';
		ev[k++] = (unsigned char)c < 0x20 ? ' ' : c;
	}
	ev[k++] = '"';
	ev[k] = '\0';
	h.sample = ev;
	h.sample_len = k;
	char id[300];
	snprintf(id, sizeof id, "%s:%llu", f->file ? f->file : "-", (unsigned long long)f->line);
	h.event_id = id;
	dt_emit(r, &h);
	free(ev);
}

#define TCP_FIN 1
#define TCP_SYN 2
#define TCP_SYNACK 18

/* The flow opens (or tries to open) a connection: SYN without SYN-ACK in
 * tcp-flags; without flags, rejected or from a higher port to a lower one
 * (replies, server port to client port, do not count). */
static bool attempt(const dt_flow_rec *f)
{
	if (f->tcp_flags >= 0 && f->protocol == 6)
		return (f->tcp_flags & TCP_SYN) && (f->tcp_flags & TCP_SYNACK) != TCP_SYNACK;
	if (f->action == 0)
		return true;
	return f->srcport >= 1024 && f->dstport >= 0 && f->dstport < f->srcport;
}

/* An attempt that carried no data — what a scan leaves: rejected, or a
 * SYN never closed with FIN, or (no flags) at most 3 packets of at most
 * 64 bytes each.  Ordinary client traffic carries data and is not counted
 * by the scan detectors (GuardDuty looks at probes, not at busy clients). */
static bool probe(const dt_flow_rec *f)
{
	if (f->action == 0)
		return true;
	if (!attempt(f))
		return false;
	if (f->tcp_flags >= 0 && f->protocol == 6)
		return !(f->tcp_flags & TCP_FIN);
	return f->packets > 0 && f->packets <= 3 && f->bytes <= 64 * f->packets;
}

static bool admin_port(int p)
{
	switch (p) {
	case 22:
	case 23:
	case 445:
	case 1433:
	case 3306:
	case 3389:
	case 5432:
	case 5900:
	case 6379:
	case 9200:
	case 11211:
	case 27017:
		return true;
	default:
		return false;
	}
}

static void intel(dt_run *r, const dt_flow_rec *f, bool src_private, bool dst_private)
{
	dt_intel_hit ih;
	char d[300], ip[64];
	bool outbound = src_private && !dst_private;
	const uint8_t *remote = outbound ? f->dst : f->src;
	if (src_private == dst_private)
		return;
	if (!dt_intel_ip(r->e->intel, remote, &ih) || ih.kind == DT_INTEL_TRUSTED)
		return;
	dt_ip_format(remote, ip, sizeof ip);
	snprintf(d, sizeof d, "%s %s is on %s list %s.", outbound ? "Destination" : "Source", ip,
		 dt_intel_kind_name(ih.kind), ih.list);
	const char *rule = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom";
	if (ih.kind == DT_INTEL_TOR)
		rule = outbound ? "UnauthorizedAccess:EC2/TorClient" : "UnauthorizedAccess:EC2/TorIPCaller";
	else if (ih.kind == DT_INTEL_CRYPTO)
		rule = "CryptoCurrency:EC2/BitcoinTool.B";
	else if (ih.kind == DT_INTEL_C2)
		rule = "Backdoor:EC2/C&CActivity.B";
	flow_hit(r, f, rule, outbound, ip, d, -1);
}

static uint64_t flow_key(char tag, uint64_t a, uint64_t b, uint64_t c)
{
	return dt_hash_mix(dt_hash_mix(dt_hash_mix((uint64_t)(unsigned char)tag, a), b), c);
}

/* The remote port's key for the unusual-port detector, 0 when the flow is not
 * an accepted outbound attempt by an identified instance or interface. */
static uint64_t port_key(const dt_flow_rec *f, bool sp, bool dp)
{
	if (!sp || dp || f->action != 1 || !attempt(f))
		return 0;
	int k = f->f[FL_INSTANCE] ? FL_INSTANCE : FL_INTERFACE;
	if (!f->f[k])
		return 0;
	uint64_t h = dt_hash_mix(dt_hash(f->f[k], f->n[k]), (uint64_t)f->dstport);
	return h ? h : 1;
}

/* Has this instance (or interface) used this remote port before?  Each
 * (instance, port) is looked up in the baseline once per run. */
static void unusual_port(dt_run *r, const dt_flow_rec *f)
{
	int k = f->f[FL_INSTANCE] ? FL_INSTANCE : FL_INTERFACE;
	char who[64], item[16], dst[64], det[300];
	field(f, k, who, sizeof who);
	snprintf(item, sizeof item, "%d", f->dstport);
	bool has = dt_baseline_has_subject(r->bl, DT_BL_INSTANCE, who);
	if (has && !dt_baseline_knows(r->bl, DT_BL_INSTANCE, who, item)) {
		dt_ip_format(f->dst, dst, sizeof dst);
		snprintf(det, sizeof det, "%s connected to %s port %d, never seen before.", who, dst,
			 f->dstport);
		flow_hit(r, f, "Behavior:EC2/NetworkPortUnusual", true, item, det, -1);
	}
	dt_baseline_learn(r->bl, DT_BL_INSTANCE, who, item);
}

/* What the stateful detectors want of a flow (bits), decided from the flow
 * alone: most records want nothing and never wait in the reorder buffer. */
enum { W_UNUSUAL = 1, W_BRUTE = 2, W_UNPROTECTED = 4, W_SCAN = 8 };

static unsigned wants(dt_run *r, const dt_flow_rec *f, bool sp, bool dp, bool first_port)
{
	(void)r;
	if (f->dstport < 0)
		return 0;
	unsigned w = first_port ? W_UNUSUAL : 0;
	bool att = attempt(f);
	if (att && f->protocol == 6 && (f->dstport == 22 || f->dstport == 3389))
		w |= W_BRUTE;
	if (!sp && dp && f->action == 1 && admin_port(f->dstport))
		w |= W_UNPROTECTED;
	if (sp && att && probe(f)) /* scans by our own instances (GuardDuty: outbound) */
		w |= W_SCAN;
	return w;
}

bool dt_flowdet_read(dt_run *r, const dt_flow_rec *f)
{
	if (!f->has_src || !f->has_dst)
		return false;
	bool sp = dt_ip_private(f->src), dp = dt_ip_private(f->dst);
	/* threat lists are per flow: no order needed */
	if (!dt_intel_empty(r->e->intel))
		intel(r, f, sp, dp);
	uint64_t pk = f->dstport >= 0 ? port_key(f, sp, dp) : 0;
	/* an (instance, port) already queued needs nothing more this run */
	bool first_port = pk && dt_set64_add(&r->flow->seen_ports, pk) == 1;
	return wants(r, f, sp, dp, first_port) != 0;
}

void dt_flowdet_record(dt_run *r, const dt_flow_rec *f)
{
	if (!f->has_src || !f->has_dst)
		return;
	dt_flow_state *s = r->flow;
	const dt_config *cfg = r->cfg;
	bool sp = dt_ip_private(f->src), dp = dt_ip_private(f->dst);
	uint64_t pk = f->dstport >= 0 ? port_key(f, sp, dp) : 0;
	/* the record that queued its (instance, port) first: seen_ports holds it */
	unsigned w = wants(r, f, sp, dp, pk && dt_set64_has(&s->seen_ports, pk) &&
						 dt_set64_add(&s->checked_ports, pk) == 1);
	if (w & W_UNUSUAL)
		unusual_port(r, f);
	bool brute = w & W_BRUTE, unprotected = w & W_UNPROTECTED, scan = w & W_SCAN;
	if (!brute && !unprotected && !scan)
		return;
	char src[64], dst[64], det[300];
	int64_t t = f->start;
	uint64_t hs = dt_hash(f->src, 16), hd = dt_hash(f->dst, 16);
	uint64_t port = (uint64_t)f->dstport;
	dt_wcount *c;
	if (scan) {
		/* port scan: distinct ports of one destination */
		c = dt_window_hit(&s->win, flow_key('s', hs, hd, 0), true, dt_hash_u64(port + 1), t, 1);
		if (c && c->count >= cfg->portscan_ports && !c->fired) {
			c->fired = true;
			dt_ip_format(f->src, src, sizeof src);
			dt_ip_format(f->dst, dst, sizeof dst);
			snprintf(det, sizeof det, "%s probed %u distinct ports of %s.", src, c->count,
				 dst);
			flow_hit(r, f, "Recon:EC2/Portscan", true, src, det, -1);
		}
		/* port sweep: one port on distinct destinations */
		c = dt_window_hit(&s->win, flow_key('w', hs, port, 0), true, hd, t, 1);
		if (c && c->count >= cfg->portsweep_hosts && !c->fired) {
			c->fired = true;
			dt_ip_format(f->src, src, sizeof src);
			snprintf(det, sizeof det, "%s probed port %d on %u hosts.", src, f->dstport,
				 c->count);
			flow_hit(r, f, "Impact:EC2/PortSweep", true, src, det, -1);
		}
	}
	if (brute) {
		/* brute force on SSH / RDP: connections from one source to one host */
		c = dt_window_hit(&s->win, flow_key('b', hs, hd, port), false, 0, t, 1);
		if (c && c->count >= cfg->bruteforce_conns && !c->fired) {
			c->fired = true;
			bool out = sp && !dp;
			dt_ip_format(f->src, src, sizeof src);
			dt_ip_format(f->dst, dst, sizeof dst);
			snprintf(det, sizeof det, "%u connections from %s to %s port %d%s.", c->count,
				 src, dst, f->dstport, out ? " (an instance is the attacker)" : "");
			flow_hit(r, f,
				 f->dstport == 22 ? "UnauthorizedAccess:EC2/SSHBruteForce"
						  : "UnauthorizedAccess:EC2/RDPBruteForce",
				 out, src, det, out ? MAMORI_SEV_HIGH : MAMORI_SEV_LOW);
		}
	}
	if (unprotected) {
		/* an administration or database port accepting traffic from the Internet */
		c = dt_window_hit(&s->win, flow_key('p', hd, port, 0), true, hs, t, 1);
		if (c && c->count >= cfg->probe_sources && !c->fired) {
			c->fired = true;
			dt_ip_format(f->dst, dst, sizeof dst);
			snprintf(det, sizeof det,
				 "Port %d of %s accepted traffic from %u public sources.", f->dstport,
				 dst, c->count);
			char actor[80];
			snprintf(actor, sizeof actor, "%s:%d", dst, f->dstport);
			flow_hit(r, f, "Recon:EC2/PortProbeUnprotectedPort", false, actor, det, -1);
		}
	}
}
