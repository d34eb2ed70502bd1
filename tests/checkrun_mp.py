# Runs on MicroPython, started by checkrun.micropython(): the calls listed
# in the JSON file named by argv[1] ({"module": ..., "calls": [[name, args],
# ...]}), each on its own, in order. For each call one line
#     @check INDEX ok VALUE-AS-JSON      or
#     @check INDEX fail TRACEBACK-AS-JSON
# on a line of its own, whatever the check printed around it.
import io
import json
import micropython
import sys

MARK = "@check "


def _unlock_heap():
    # A check that failed inside micropython.heap_lock() left the heap
    # locked. An allocation can only fail if it is (an unlocked one collects
    # garbage first), and unlocking an unlocked heap would break it.
    try:
        bytearray(16)
        return
    except MemoryError:
        pass
    while micropython.heap_unlock() > 0:
        pass


def _report(index, status, value):
    write = sys.stdout.write
    write("\n%s%d %s " % (MARK, index, status))
    _dump(value, write)
    write("\n")


def _dump(value, write):
    # JSON written a list item or dict entry at a time: a long trace is never
    # one string, and each item is one write (json.dump writes by the token).
    if isinstance(value, (list, tuple)):
        write("[")
        for i, item in enumerate(value):
            if i:
                write(", ")
            _dump(item, write)
        write("]")
    elif isinstance(value, dict):
        write("{")
        for i, (key, item) in enumerate(value.items()):
            write(("%s: " if not i else ", %s: ") % json.dumps(key))
            _dump(item, write)
        write("}")
    else:
        write(json.dumps(value))


def main(path):
    with open(path) as f:
        plan = json.load(f)
    module = __import__(plan["module"])
    for index, (name, args) in enumerate(plan["calls"]):
        try:
            value = getattr(module, name)(*args)
        except BaseException as e:      # SystemExit, KeyboardInterrupt too: the next check still runs
            _unlock_heap()
            text = io.StringIO()
            sys.print_exception(e, text)
            _report(index, "fail", text.getvalue())
        else:
            _report(index, "ok", value)


main(sys.argv[1])
