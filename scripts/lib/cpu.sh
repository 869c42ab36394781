# CPU accounting for the benchmarks: how busy the machine's cores were during a run and what
# PostgreSQL and other processes used, so that a benchmark can print its CPU per unit of work
# beside its rate (a rate rises only as far as that falls or the idle share shrinks).

# The pid of the local PostgreSQL server behind URL, from its data directory's postmaster.pid.
postmaster_pid() { head -n 1 "$(psql "$1" -tAc 'SHOW data_directory')/postmaster.pid"; }

# cpu_ticks POSTMASTER [PID…]: CPU time used so far, in clock ticks, as
# "machine-busy machine-all postgresql pid…":
# * the machine from /proc/stat (busy: all but idle and iowait);
# * PostgreSQL as its postmaster's own time and that of its reaped children (backends that have
#   ended were reaped by then), plus its live processes' time; 0 when POSTMASTER is 0;
# * each PID's own time (0 once it has gone).
cpu_ticks() {
  python3 - "$@" <<'PY'
import os, sys
def stat(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
def ticks(pid, children=False):
    f = stat(pid)
    return sum(int(x) for x in f[11:15 if children else 13]) if f else 0
master = int(sys.argv[1])
pg = 0
if master:
    pg = ticks(master, children=True)
    for p in filter(str.isdigit, os.listdir("/proc")):
        f = stat(p)
        if f and f[1] == str(master):
            pg += ticks(p)
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:]]
print(sum(cpu) - cpu[3] - cpu[4], sum(cpu), pg, *(ticks(int(p)) for p in sys.argv[2:]))
PY
}

# The CPU seconds of the shell's children that have ended, from a file `times` wrote: `times` must
# run in the benchmark's own shell (a subshell's children are not these).
children_seconds() {
  python3 -c 'import re, sys; print(sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", sys.stdin.read().splitlines()[1])))' < "$1"
}
