#!/usr/bin/env python3
"""sandbox_run.py OUT ERR CMD...: runs CMD with its stdout in OUT and stderr in ERR, then
prints one line "RC WALL CPU RSS":

  RC    CMD's exit status
  WALL  elapsed seconds
  CPU   user + system seconds of CMD and every process it waited for (countybrief's
        workers), which, unlike WALL, other processes on the machine don't inflate
  RSS   the largest resident set among them, in KB

Used by sandbox.sh (standard library only)."""
import resource
import subprocess
import sys
import time

out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.monotonic()
    rc = subprocess.call(cmd, stdout=o, stderr=e)
    wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(rc, f"{wall:.3f}", f"{ru.ru_utime + ru.ru_stime:.3f}", ru.ru_maxrss)
