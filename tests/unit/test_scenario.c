// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario and suite parser: good files parse into the right values, and a
 * table of bad inputs each gives the message a user needs (file:line, the
 * key and what is allowed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_smoke_file_parses(void **state)
{
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	assert_int_equal(scenario_load(WQB_SRC "/workloads/smoke.wqb", &s, &err), 0);
	assert_null(err);
	assert_string_equal(s.name, "smoke");
	assert_int_equal(s.duration_ms, 4000);
	assert_int_equal(s.ngroups, 1);
	assert_string_equal(s.groups[0].name, "smoke");
	assert_non_null(strstr(s.groups[0].def, "name=smoke"));
	assert_non_null(strstr(s.groups[0].def, "kind=cpu"));
	assert_non_null(strstr(s.groups[0].def, "placement=rr"));
	assert_int_equal(s.hotplug.mode, HOTPLUG_SEQUENTIAL);
	assert_int_equal(s.hotplug.ncpus, 1);
	assert_int_equal(s.hotplug.cpus[0], 3);
	assert_int_equal(s.ncpumasks, 1);
	assert_string_equal(s.cpumasks[0].target, "global");
	assert_int_equal(s.cpumasks[0].nmasks, 1);
	assert_string_equal(s.cpumasks[0].masks[0], "3");
	assert_int_equal(s.cpumasks[0].start_ms, 2500);
	assert_int_equal(s.trace.nevents, 2);
	assert_int_equal(s.trace.buffer_kb, 16384);
	scenario_free(&s);
}

static void test_defaults(void **state)
{
	struct wqb_scenario s;

	(void)state;
	assert_int_equal(scenario_load_string("x/my_test.wqb", "[group g]\nkind=sleep\n", &s, NULL),
			 0);
	assert_string_equal(s.name, "my_test");
	assert_int_equal(s.duration_ms, 5000);
	assert_int_equal(s.repetitions, 1);
	assert_int_equal(s.cpus, 4);
	assert_int_equal(s.memory_mib, 1024);
	assert_true(s.trace.enabled);
	assert_int_equal(s.trace.nevents, 2);	/* workqueue:* cpuhp:* */
	assert_int_equal(s.hotplug.mode, HOTPLUG_OFF);
	scenario_free(&s);
}

static void test_durations(void **state)
{
	uint64_t ms;

	(void)state;
	assert_int_equal(parse_duration_ms("4s", &ms), 0);
	assert_int_equal(ms, 4000);
	assert_int_equal(parse_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(parse_duration_ms("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(parse_duration_ms("1.5", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(parse_duration_ms("1h", &ms), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(parse_duration_ms("-1s", &ms), -1);
	assert_int_equal(parse_duration_ms("4x", &ms), -1);
	assert_int_equal(parse_duration_ms("", &ms), -1);
	assert_int_equal(parse_duration_ms("s", &ms), -1);
}

struct bad_case {
	const char *text;
	const char *want;	/* substring the message must contain */
};

static const struct bad_case bad_cases[] = {
	{ "[group a]\nkind=cpuu\n", "t.wqb:2: [group a] kind = 'cpuu': unknown word; allowed: cpu|sleep|requeue|mixed|hog" },
	{ "[group a]\nkindx=cpu\n", "t.wqb:2: [group a] unknown key 'kindx'; allowed: wq, flags" },
	{ "[global]\nduration=4x\n[group a]\n", "t.wqb:2: [global] duration = '4x': want a decimal duration" },
	{ "[global]\nduration=10ms\n[group a]\nkind=cpu\n", "duration = '10ms'" },
	{ "[global]\ncpus=0\n[group a]\nkind=cpu\n", "t.wqb:2: [global] cpus = '0': want a decimal integer from 1 to 64" },
	{ "[global]\nmemory=12\n[group a]\nkind=cpu\n", "memory = '12': want a decimal size from 256M" },
	{ "[group a]\nwork_us=-5\n", "work_us = '-5': not a decimal number (no sign, leading zero or 0x); want a decimal integer from 0 to 10000000" },
	{ "[group a]\nwork_us=99999999999999999999999\n", "want a decimal integer" },
	{ "[group a]\nflags=unbound,bogus\n", "flags = 'unbound,bogus': unknown flag (or an empty one); allowed: a comma list of unbound|highpri" },
	{ "[group a]\nmix=cpu:50,disk:3\n", "mix = 'cpu:50,disk:3': want kind:weight, kind one of cpu, sleep, requeue" },
	{ "[group a]\nmix=cpu\n", "want kind:weight pairs" },
	{ "[group a]\ncpus=3-1\n", "cpus = '3-1': not a CPU list" },
	{ "[group A-B]\nkind=cpu\n", "[group A-B]: a group name is 1..16 characters" },
	{ "[group averyveryverylongname]\nkind=cpu\n", "a group name is 1..16" },
	{ "[group a]\nkind=cpu\nkind=sleep\n", "t.wqb:3: [group a] kind is set twice" },
	{ "[group a]\nkind=cpu\n[global]\nseed=1\n[group a]\nkind=cpu\n", "t.wqb:5: [group a] appears twice (first at line 1)" },
	{ "[bogus]\nx=1\n", "t.wqb:2: unknown section [bogus]; allowed: [global], [group NAME]" },
	{ "kind=cpu\n", "t.wqb:1: kind = cpu: keys must be inside a section" },
	{ "[group a\nkind=cpu\n", "t.wqb:1: syntax error" },
	{ "[group a]\njust a line\n", "t.wqb:2: syntax error" },
	{ "[group a]\nkind=cpu\n  continued\n", "t.wqb:3: indented line" },
	{ "[global]\nseed=1\n", "t.wqb:2: no [group NAME] section" },
	{ "[group a]\nkind=cpu\n[cpumask]\ntarget=b\nmasks=3\n", "[cpumask] target 'b': no such group" },
	{ "[group a]\nkind=cpu\n[cpumask]\ntarget=a\nmasks=3\n", "only groups on their own unbound" },
	{ "[group a]\nkind=cpu\n[cpumask]\ntarget=global\n", "[cpumask] needs masks" },
	{ "[group a]\nflags=unbound\n[cpumask a]\nmasks=random\n[cpumask b]\nmasks=1\n", "target 'b': no such group" },
	{ "[group a]\nflags=unbound,ordered\n[cpumask a]\nmasks=1\n", "non-ordered" },
	{ "[group a]\nkind=cpu\n[wqattr x]\ngroup=a\nattr=nice\nvalues=0 5\n", "[wqattr x] group a: only groups on their own unbound" },
	{ "[group a]\nflags=unbound\n[wqattr x]\ngroup=a\nattr=color\n", "attr = 'color': allowed: affinity_scope" },
	{ "[group a]\nflags=unbound\n[wqattr x]\ngroup=a\n", "[wqattr x] needs group, attr and values" },
	{ "[group a]\nflags=unbound\n[wqattr]\ngroup=a\n", "[wqattr] needs a name" },
	{ "[group a]\nkind=cpu\n[hotplug x]\nmode=random\n", "[hotplug x]: this section takes no name" },
	{ "[group a]\nkind=cpu\n[hotplug]\nmode=random\nfail_every=3\n", "fail_every needs fail_state" },
	{ "[group a]\nkind=cpu\n[faultinject]\nprobability=5\n", "t.wqb:3: [faultinject] needs type" },
	{ "[group a]\nkind=cpu\n[faultinject]\ntype=failslab\ntimes=-5\n", "times = '-5': want a decimal integer from -1 to -1 or 1 to 1000000000" },
	{ "[group a]\nkind=cpu\n[stress-ng]\nargs=--cpu 2 --timeout 5\n", "--timeout is set by wqbench" },
	{ "[group a]\nkind=cpu\n[stress-ng]\nargs=--cpu 2; rm -rf /\n", "character ';' not allowed" },
	{ "[group a]\nkind=cpu\n[stress-ng]\nargs=$(reboot)\n", "character '$' not allowed" },
	{ "[group a]\nkind=cpu\n[fio]\nrw=scribble\n", "rw = 'scribble': allowed: read|write" },
	{ "[group a]\nkind=cpu\n[fio]\nbs=4k`id`\n", "character '`' not allowed" },
	{ "[group a]\nkind=cpu\n[cpumask]\nmasks=xyz\n", "masks = 'xyz': want a space-separated list of hex cpumasks" },
	{ "[group a]\nkind=cpu\n[hotplug]\nmode=sequential\ncpus=0-1\n", "CPU 0 cannot be taken offline" },
	{ "[group a]\nkind=cpu\n[hotplug]\nmode=wild\n", "mode = 'wild': allowed: off|sequential" },
	{ "[group a]\nkind=cpu\n[trace]\nevents=workqueue\n", "want a space-separated list of trace events" },
	{ "[group a]\nkind=cpu\n[trace]\nevents=work;rm:x\n", "trace events" },
	{ "[global]\nname=Bad Name\n[group a]\n", "name = 'Bad Name'" },
	{ "[global]\nuntil=faults\n[group a]\nkind=cpu\n", "t.wqb:2: [global] until = faults needs a fault source" },
	{ "[global]\nuntil=forever\n[group a]\nkind=cpu\n", "t.wqb:2: [global] until = 'forever': allowed: duration|faults" },
	{ "[global]\nuntil=items\n[group a]\nkind=cpu\nmax_items=9\n[group b]\nkind=cpu\n",
	  "t.wqb:6: [global] until = items: group b has no max_items, so its work never ends" },
	{ "[group a]\nalloc_bytes=65537\n", "t.wqb:2: [group a] alloc_bytes = '65537': number out of range; want a decimal integer from 0 to 65536" },
	/* the module's rules between keys (kmod/wqbench_uapi.h), at the blamed key's line */
	{ "[group a]\nshape=open\n", "t.wqb:2: [group a] shape: shape=open needs rate=" },
	{ "[group a]\nkind=hog\n", "t.wqb:2: [group a] kind: kind=hog needs hog_ms > 0" },
	{ "[group a]\nkind=hog\nhog_ms=0\n", "kind=hog needs hog_ms > 0" },
	{ "[group a]\nrate=100001\n", "t.wqb:2: [group a] rate = '100001': number out of range; want a decimal integer from 1 to 100000" },
	{ "[group a]\nrate=10000000\n", "rate = '10000000': number out of range" },
	{ "[group a]\nplacement=cpus\n", "t.wqb:2: [group a] placement: placement=cpus needs cpus=" },
	{ "[group a]\nplacement=node\n", "[group a] placement: placement=node (queue_work_node) needs an unbound workqueue" },
	{ "[group a]\nwq=system\nflags=unbound\n", "t.wqb:2: [group a] wq: flags and max_active need wq=own" },
	{ "[group a]\nmax_active=4\nwq=system_long\n", "t.wqb:3: [group a] wq: flags and max_active need wq=own" },
	{ "[group a]\nflags=ordered\nmax_active=2\n", "t.wqb:3: [group a] max_active: not with flags=ordered" },
	{ "[group a]\nflags=bh\nkind=sleep\n", "t.wqb:2: [group a] flags: bh: BH work runs in softirq" },
	{ "[global]\nseed=1\n[group a]\nflags=bh\nresched=1\n", "t.wqb:4: [group a] flags: bh: BH work runs in softirq" },
	{ "[group a]\nflags=bh\nwork_us=1001\n", "bh: BH work runs in softirq" },
	{ "[group a]\nflags=bh\nkind=requeue\nrequeue=hop\n", "bh: BH work runs in softirq" },
	{ "[group a]\nflags=bh,unbound\n", "[group a] flags: bh combines only with highpri" },
	{ "[group a]\nflags=unbound,unbound\n", "flag given twice" },
	{ "[group a]\nflags=unbound,\n", "flags = 'unbound,': trailing comma" },
	{ "[group a]\nflags=\n", "t.wqb:2: [group a] flags = '': empty value" },
	{ "[group a]\nmix=cpu:5,cpu:6\n", "each kind once" },
	{ "[group a]\nname=b\n", "[group a] unknown key 'name'" },
	/* numbers are decimal where the docs say so */
	{ "[group a]\nwork_us=0x10\n", "work_us = '0x10': not a decimal number" },
	{ "[group a]\nwork_us=010\n", "work_us = '010': not a decimal number" },
	{ "[group a]\ncpus=01\n", "cpus = '01': not a CPU list" },
	{ "[group a]\ncpus=0,\n", "cpus = '0,': not a CPU list" },
	{ "[group a]\nmix=cpu:050\n", "weight: want a decimal number" },
	{ "[global]\ncpus=04\n[group a]\n", "t.wqb:2: [global] cpus = '04': want a decimal integer" },
	{ "[global]\nseed=0x10\n[group a]\n", "seed = '0x10': want a decimal integer" },
	{ "[global]\nduration=05s\n[group a]\n", "duration = '05s': want a decimal duration" },
	{ "[global]\nduration=1e3\n[group a]\n", "duration = '1e3': want a decimal duration" },
	{ "[global]\nduration=0x10\n[group a]\n", "duration = '0x10'" },
	{ "[global]\nmemory=0x400\n[group a]\n", "memory = '0x400'" },
	{ "[group a]\n[faultinject]\ntype=failslab\ntimes=0\n", "times = '0'" },
	{ "[group a]\n[faultinject]\ntype=failslab\ntimes=-0\n", "times = '-0'" },
	{ "[group a]\n[hotplug]\nmode=random\ncpus=1,,2\n", "t.wqb:4: [hotplug] cpus = '1,,2': want a decimal CPU list" },
	{ "[group a]\n[hotplug]\nmode=random\ncpus=,\n", "cpus = ',': want a decimal CPU list" },
	/* empty cpumasks */
	{ "[group a]\n[cpumask]\nmasks=0\n", "t.wqb:3: [cpumask] masks = '0': want a space-separated list of hex cpumasks with at least one CPU" },
	{ "[group a]\n[cpumask]\nmasks=,\n", "masks = ',': want a space-separated list of hex cpumasks" },
	{ "[group a]\n[cpumask]\nmasks=3 0x0\n", "masks = '3 0x0'" },
	{ "[group a]\n[cpumask]\nmasks=0x\n", "masks = '0x'" },
	/* a section repeated, directly after itself too */
	{ "[group a]\n[hotplug]\nmode=random\n[hotplug]\ncount=3\n", "t.wqb:4: [hotplug] appears twice (first at line 2)" },
	{ "[group a]\n[group a]\n", "t.wqb:2: [group a] appears twice (first at line 1)" },
	/* stress-ng options the harness sets */
	{ "[group a]\n[stress-ng]\nargs=--cpu 1 --timeout=5\n", "t.wqb:3: [stress-ng] args: '--timeout=5': --timeout is set by wqbench" },
	{ "[group a]\n[stress-ng]\nargs=--cpu 1 -t5\n", "'-t5': -t is set by wqbench" },
	{ "[group a]\n[stress-ng]\nargs=--cpu 1 -t 5\n", "'-t': -t is set by wqbench" },
	{ "[group a]\n[stress-ng]\nargs=--cpu 1 --yaml=x\n", "'--yaml=x': --yaml is set" },
	{ "[group a]\n[stress-ng]\nargs=--cpu 1 -Yx\n", "'-Yx': -Y is set" },
	/* line ends */
	{ "[group a]\nkind=cpu\rwork_us=5\n", "t.wqb:2: carriage return inside a line" },
	{ "[group a]\r\nkind=cpuu\r\n", "t.wqb:2: [group a] kind = 'cpuu': unknown word" },
	{ "[group a]\n[kparam]\nworkqueue/x.y=1\n", "t.wqb:3: [kparam] 'workqueue/x.y': want MODULE.PARAM" },
	{ "[group a]\n[kparam]\n../../x.y=1\n", "[kparam] '../../x.y': want MODULE.PARAM" },
	{ "[group a]\n[kparam]\nworkqueue..x=1\n", "[kparam] 'workqueue..x': want MODULE.PARAM" },
	{ "[group a]\n[kparam]\nworkqueue.a.b=1\n", "[kparam] 'workqueue.a.b': want MODULE.PARAM" },
	{ "[group a]\n[kparam]\nwatchdog_thresh=1\n", "[kparam] 'watchdog_thresh': want MODULE.PARAM" },
	{ "[group a]\n[kparam]\n.x=1\n", "[kparam] '.x': want MODULE.PARAM" },
	{ "[group a]\n[kparam]\nworkqueue.watchdog_thresh=\n", "t.wqb:3: [kparam] workqueue.watchdog_thresh = '': want one word" },
	{ "[group a]\n[kparam]\nworkqueue.watchdog_thresh=1 2\n", "workqueue.watchdog_thresh = '1 2': want one word" },
	{ "[group a]\n[kparam]\nworkqueue.watchdog_thresh=$(reboot)\n", "want one word of 1..128 letters" },
	{ "[group a]\n[kparam]\nworkqueue.watchdog_thresh=1\nworkqueue.watchdog_thresh=2\n", "t.wqb:4: [kparam] workqueue.watchdog_thresh is set twice" },
	{ "[group a]\n[kparam x]\nworkqueue.watchdog_thresh=1\n", "[kparam x]: this section takes no name; use [kparam]" },
	{ "[group a]\n[kparam]\nworkqueue.a_parameter_name_that_is_much_longer_than_anyone_needs=1\n", "at most 63 characters" },
};

/* until = faults with a source whose plan ends: parsed, and off by default */
static void test_until_faults(void **state)
{
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	assert_int_equal(scenario_load_string("t.wqb", "[group a]\nkind=cpu\n", &s, &err), 0);
	assert_false(s.until_faults);
	scenario_free(&s);
	assert_int_equal(scenario_load_string("t.wqb",
					      "[global]\nuntil=faults\nduration=10m\n[group a]\nkind=cpu\n"
					      "[hotplug]\nmode=random\ncpus=1-3\ncount=50\n",
					      &s, &err), 0);
	assert_true(s.until_faults);
	assert_int_equal(s.duration_ms, 600000);
	scenario_free(&s);
	/* until = items: every group has its budget */
	assert_int_equal(scenario_load_string("t.wqb",
					      "[global]\nuntil=items\n[group a]\nkind=cpu\n"
					      "max_items=250000\n[group b]\nmax_items=16\n",
					      &s, &err), 0);
	assert_true(s.until_items);
	assert_false(s.until_faults);
	assert_int_equal(scenario_group_max_items(&s.groups[0]), 250000);
	assert_int_equal(scenario_group_max_items(&s.groups[1]), 16);
	scenario_free(&s);
}

/*
 * A fault source starting at or after the end of the measured phase would
 * never act: `check` refuses it against [global] duration, a run against
 * its --duration, naming file, line, section and what is allowed.
 */
static void test_fault_start_in_duration(void **state)
{
	static const struct {
		const char *text, *want;
	} late[] = {
		{ "[global]\nduration=2s\n[group a]\n[hotplug]\nmode=sequential\ncpus=1\nstart=2s\n",
		  "t.wqb:7: [hotplug] start = 2000ms: at or beyond [global] duration (2000ms), so this fault would never fire; allowed: a start from 0 to 1999ms" },
		{ "[global]\nduration=2s\n[group a]\n[cpumask x]\ntarget=global\nmasks=3\nstart=5s\n",
		  "t.wqb:7: [cpumask x] start = 5000ms: at or beyond [global] duration" },
		{ "[global]\nduration=1s\n[group a]\nflags=unbound\n[wqattr w]\ngroup=a\nattr=nice\nvalues=0 5\nstart=1s\n",
		  "t.wqb:9: [wqattr w] start = 1000ms" },
		{ "[group a]\n[faultinject]\ntype=failslab\nstart=6s\n",
		  "t.wqb:4: [faultinject] start = 6000ms: at or beyond [global] duration (5000ms)" },
	};
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
		assert_int_equal(scenario_load_string("t.wqb", late[i].text, &s, &err), -1);
		if (!err || !strstr(err, late[i].want)) {
			print_error("case %zu: wanted %s\ngot: %s\n", i, late[i].want,
				    err ? err : "(no error)");
			fail();
		}
		free(err);
		err = NULL;
	}
	/* an off [hotplug] never acts, so its start is free; just inside is fine */
	assert_int_equal(scenario_load_string("t.wqb",
					      "[global]\nduration=2s\n[group a]\n[hotplug]\nmode=off\nstart=9s\n"
					      "[cpumask]\nmasks=3\nstart=1999ms\n", &s, &err), 0);
	scenario_free(&s);
	/* the run's --duration: smoke's cpumask at 2.5s is fine in 4s, refused in 2s */
	assert_int_equal(scenario_load_for(WQB_SRC "/workloads/smoke.wqb", 0, &s, &err), 0);
	scenario_free(&s);
	assert_int_equal(scenario_load_for(WQB_SRC "/workloads/smoke.wqb", 3000, &s, &err), 0);
	assert_int_equal(s.duration_ms, 4000);	/* the file's; the run applies its own */
	scenario_free(&s);
	assert_int_equal(scenario_load_for(WQB_SRC "/workloads/smoke.wqb", 2000, &s, &err), -1);
	assert_non_null(strstr(err, "smoke.wqb:36: [cpumask] start = 2500ms: at or beyond the run's duration (--duration 2000ms), so this fault would never fire; allowed: a start from 0 to 1999ms, or a longer --duration"));
	free(err);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct wqb_scenario s;
		char *err = NULL;
		int r = scenario_load_string("t.wqb", bad_cases[i].text, &s, &err);

		if (r != -1 || !err || !strstr(err, bad_cases[i].want)) {
			print_error("case %zu: input:\n%s\nwanted: %s\ngot: %s\n", i,
				    bad_cases[i].text, bad_cases[i].want, err ? err : "(no error)");
			fail();
		}
		free(err);
	}
}

static void test_all_sections(void **state)
{
	const char *text =
		"[global]\nduration=10s\nseed=7\n"
		"[group u]\nflags=unbound\nkind=sleep\nwork_us=100\n"
		"[group b]\nkind=requeue\nrequeue=delayed\n"
		"[hotplug]\nmode=random\nstart=1s\ninterval=200ms\nfuzz=50ms\nfail_state=workqueue:online\nfail_every=4\n"
		"[cpumask]\nmasks=random\ncount=5\n"
		"[cpumask u]\nmasks=1 2\n"
		"[wqattr scope]\ngroup=u\nattr=affinity_scope\nvalues=cpu smt cache numa system\n"
		"[faultinject]\ntype=failslab\nprobability=5\ntimes=-1\nkworkers=1\n"
		"[stress-ng]\nargs=--cpu 2 --vm 1 --vm-bytes 64M\n"
		"[fio]\nrw=randwrite\nbs=4k\n"
		"[perf]\nenabled=1\n"
		"[kparam]\nworkqueue.watchdog_thresh = 2\nworkqueue.cpu_intensive_thresh_us=20000\n"
		"[expect]\ndmesg=hogged CPU for | BUG: workqueue lockup\nchecks=hotplug\n";
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	if (scenario_load_string("all.wqb", text, &s, &err) != 0) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(s.hotplug.mode, HOTPLUG_RANDOM);
	assert_int_equal(s.hotplug.fuzz_ms, 50);
	assert_string_equal(s.hotplug.fail_state, "workqueue:online");
	assert_int_equal(s.hotplug.fail_every, 4);
	assert_int_equal(s.ncpumasks, 2);
	assert_true(s.cpumasks[0].random);
	assert_string_equal(s.cpumasks[0].target, "global");
	assert_string_equal(s.cpumasks[1].target, "u");
	assert_int_equal(s.cpumasks[1].nmasks, 2);
	assert_int_equal(s.nwqattrs, 1);
	assert_int_equal(s.wqattrs[0].nvalues, 5);
	assert_string_equal(s.wqattrs[0].values[4], "system");
	assert_true(s.inject.enabled);
	assert_int_equal(s.inject.times, -1);
	assert_true(s.inject.kworkers_only);
	assert_int_equal(s.stressng.nargs, 6);
	assert_string_equal(s.stressng.args[5], "64M");
	assert_true(s.fio.enabled);
	assert_string_equal(s.fio.target, "disk");
	assert_int_equal(s.fio.disk_mib, 256);
	assert_true(s.perf.enabled);
	assert_non_null(s.perf.events);
	assert_int_equal(s.expect.ndmesg, 2);
	assert_string_equal(s.expect.dmesg[0], "hogged CPU for");
	assert_string_equal(s.expect.dmesg[1], "BUG: workqueue lockup");
	assert_null(s.expect.dmesg[2]);
	assert_int_equal(s.expect.nchecks, 1);
	assert_int_equal(s.nkparams, 2);
	assert_string_equal(s.kparams[0].module, "workqueue");
	assert_string_equal(s.kparams[0].param, "watchdog_thresh");
	assert_string_equal(s.kparams[0].value, "2");
	assert_string_equal(s.kparams[1].param, "cpu_intensive_thresh_us");
	assert_string_equal(s.kparams[1].value, "20000");
	assert_true(s.groups[0].unbound);
	assert_false(s.groups[1].unbound);
	scenario_free(&s);
}

static void test_long_line_refused(void **state)
{
	char text[600];
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	snprintf(text, sizeof(text), "[global]\ndescription=%0500d\n[group a]\n", 0);
	assert_int_equal(scenario_load_string("t.wqb", text, &s, &err), -1);
	assert_non_null(strstr(err, "t.wqb:2: line longer than"));
	free(err);
}

static void test_missing_file(void **state)
{
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	assert_int_equal(scenario_load("/nonexistent/x.wqb", &s, &err), -1);
	assert_string_equal(err, "/nonexistent/x.wqb: cannot read scenario: No such file or directory");
	free(err);
}


/* CRLF line ends are line ends; the group's values are the module's */
static void test_crlf_and_group_values(void **state)
{
	struct wqb_scenario s;
	char *err = NULL;

	(void)state;
	if (scenario_load_string("t.wqb",
				 "[global]\r\nseed=5\r\n[group a]\r\nflags=unbound,ordered\r\n"
				 "kind=hog\r\nhog_ms=7\r\nmix=sleep:3,cpu:2\r\nshape=open\r\nrate=100000\r\n",
				 &s, &err) != 0) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(s.seed, 5);
	assert_int_equal(s.groups[0].val[WQBENCH_GK_FLAGS],
			 WQBENCH_FLAG_UNBOUND | WQBENCH_FLAG_ORDERED);
	assert_int_equal(s.groups[0].val[WQBENCH_GK_KIND], WQBENCH_KIND_HOG);
	assert_int_equal(s.groups[0].val[WQBENCH_GK_HOG_MS], 7);
	assert_int_equal(s.groups[0].val[WQBENCH_GK_MIX], 2 | (3ull << 16));
	assert_int_equal(s.groups[0].val[WQBENCH_GK_RATE], 100000);
	assert_int_equal(s.groups[0].val[WQBENCH_GK_GRACE_MS], 100);	/* the default */
	assert_true(group_given(&s.groups[0], WQBENCH_GK_RATE));
	assert_false(group_given(&s.groups[0], WQBENCH_GK_GRACE_MS));
	assert_true(s.groups[0].unbound);
	assert_true(s.groups[0].ordered);
	assert_string_equal(s.groups[0].def,
			    "name=a flags=unbound,ordered kind=hog hog_ms=7 mix=sleep:3,cpu:2 shape=open rate=100000");
	scenario_free(&s);
}

/* Only a regular file of sane size is read: not a device, a FIFO or 1 GB */
static void test_inputs_bounded(void **state)
{
	char dir[] = "/tmp/wqb-input-XXXXXX", *p, *err = NULL;
	struct wqb_scenario s;
	struct wqb_suite su;
	int fd;

	(void)state;
	assert_int_equal(scenario_load("/dev/zero", &s, &err), -1);
	assert_string_equal(err, "/dev/zero: not a regular file; a scenario is a text file");
	free(err);
	assert_int_equal(suite_load("/dev/zero", &su, &err), -1);
	assert_string_equal(err, "/dev/zero: not a regular file; a suite is a text file");
	free(err);
	assert_non_null(mkdtemp(dir));
	p = path_join(dir, "fifo.wqb");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(scenario_load(p, &s, &err), -1);	/* must not block */
	assert_non_null(strstr(err, "fifo.wqb: not a regular file"));
	free(err);
	free(p);
	p = path_join(dir, "huge.wqb");
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1024ll * 1024 * 1024), 0);
	close(fd);
	assert_int_equal(scenario_load(p, &s, &err), -1);
	assert_non_null(strstr(err, "huge.wqb: 1073741824 bytes; a scenario is at most 1048576 bytes"));
	free(err);
	free(p);
	p = path_join(dir, "nul.wqb");
	write_file_atomic(p, "[group a]\n\0x", 12, 0644);
	assert_int_equal(scenario_load(p, &s, &err), -1);
	assert_non_null(strstr(err, "nul.wqb:2: not a text file (NUL byte)"));
	free(err);
	free(p);
	remove_tree(dir);
}

static void test_suite(void **state)
{
	struct wqb_suite su;
	char dir[] = "/tmp/wqb-suite-XXXXXX", *p, *err = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	p = path_join(dir, "a.wqb");
	write_file_atomic(p, "[group a]\n", 10, 0644);
	free(p);
	p = path_join(dir, "s.suite");
	write_file_atomic(p, "# comment\na.wqb 3\n\na.wqb\n", 25, 0644);
	assert_int_equal(suite_load(p, &su, &err), 0);
	assert_int_equal(su.n, 2);
	assert_int_equal(su.e[0].repetitions, 3);
	assert_int_equal(su.e[1].repetitions, 1);
	assert_true(str_ends_with(su.e[0].path, "/a.wqb"));
	suite_free(&su);
	write_file_atomic(p, "a.wqb x\n", 8, 0644);
	assert_int_equal(suite_load(p, &su, &err), -1);
	assert_non_null(strstr(err, "s.suite:1: want 'scenario.wqb [repetitions 1..1000]'"));
	free(err);
	write_file_atomic(p, "missing.wqb\n", 12, 0644);
	assert_int_equal(suite_load(p, &su, &err), -1);
	assert_non_null(strstr(err, "missing.wqb: No such file"));
	free(err);
	/* a suite inside a suite */
	write_file_atomic(p, "a.wqb\nother.suite 2\n", strlen("a.wqb\nother.suite 2\n"), 0644);
	assert_int_equal(suite_load(p, &su, &err), -1);
	assert_non_null(strstr(err, "s.suite:2: other.suite: a suite lists scenarios (.wqb), not suites"));
	free(err);
	/* CRLF line ends; decimal repetitions; a stray CR */
	write_file_atomic(p, "a.wqb 2\r\n\r\na.wqb\r\n", strlen("a.wqb 2\r\n\r\na.wqb\r\n"), 0644);
	assert_int_equal(suite_load(p, &su, &err), 0);
	assert_int_equal(su.n, 2);
	assert_int_equal(su.e[0].repetitions, 2);
	assert_true(str_ends_with(su.e[1].path, "/a.wqb"));
	suite_free(&su);
	write_file_atomic(p, "\na.wqb 02\n", strlen("\na.wqb 02\n"), 0644);
	assert_int_equal(suite_load(p, &su, &err), -1);
	assert_non_null(strstr(err, "s.suite:2: want 'scenario.wqb [repetitions 1..1000]'"));
	free(err);
	write_file_atomic(p, "a.wqb\r2\n", strlen("a.wqb\r2\n"), 0644);
	assert_int_equal(suite_load(p, &su, &err), -1);
	assert_non_null(strstr(err, "s.suite:1: carriage return inside a line"));
	free(err);
	write_file_atomic(p, "# nothing\n", strlen("# nothing\n"), 0644);
	assert_int_equal(suite_load(p, &su, &err), -1);
	assert_non_null(strstr(err, "s.suite:1: the suite lists no scenarios"));
	free(err);
	free(p);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smoke_file_parses),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_fault_start_in_duration),
		cmocka_unit_test(test_until_faults),
		cmocka_unit_test(test_all_sections),
		cmocka_unit_test(test_long_line_refused),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_suite),
		cmocka_unit_test(test_crlf_and_group_values),
		cmocka_unit_test(test_inputs_bounded),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
