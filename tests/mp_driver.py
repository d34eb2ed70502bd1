# Runs on MicroPython: every scenario in /data/scenarios.json, with the heap
# locked around each engine call, printing the traces for comparison.
import json
import micropython

from difftrace import run_scenarios

with open("/data/scenarios.json") as f:
    scenarios = json.load(f)
n = run_scenarios(scenarios, "/lib/routines", "/boards", print,
                  lock=micropython.heap_lock, unlock=micropython.heap_unlock)
print("### lines %d" % n)
