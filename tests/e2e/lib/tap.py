"""tap.py: the one printer of the Python checkers. Each check prints "ok - WHAT" or
"FAIL - WHAT" (the e2e scripts count those lines), a failure's details indented below it."""

failed = 0


def check(good, what, detail=None, limit=20):
    """Prints the check's line; returns good. detail: a string (its lines) or a list."""
    global failed
    if good:
        print(f"ok - {what}")
        return good
    failed += 1
    print(f"FAIL - {what}")
    if detail is not None and detail != "":
        if isinstance(detail, (list, tuple)):
            lines = [str(d) for d in detail]
        else:
            lines = str(detail).splitlines()
        for line in lines[:limit]:
            print("       " + line)
    return good


def status():
    """The exit status: 1 if any check failed."""
    return 1 if failed else 0
