"""app_load.py -- loading the eTamil application: imports along module_path,
load errors as FILE:LINE:COLUMN (etamild -t and start-up), a program without
routes serving itself on /, fresh globals per request with the prelude's
side effects, and SIGHUP picking up changed code (also in an imported
module) while a broken change is refused and the old code keeps serving."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request, run, wait_for  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

APP = r'''
இறக்கு "கணக்கு.qmz";
எண்ணிக்கை = 0;
வழி பெறு, "/version" {
    பதில் 200, பதிப்பு();
}
வழி பெறு, "/count" {
    எண்ணிக்கை = எண்ணிக்கை + 1;
    பதில் 200, எண்ணிக்கை;
}
வழி பெறு, "/leak/set" {
    leftover = "left over";
    பதில் 200, leftover;
}
வழி பெறு, "/leak/get" {
    பதில் 200, leftover;
}
'''
L = APP.count("\n")     # lines of APP: text appended to it starts on L + 1
LIB1 = 'செயல் பதிப்பு() { திரும்பு "v1"; }\n'
LIB2 = 'செயல் பதிப்பு() { திரும்பு "v2"; }\n'


def old_gone(d, gen):
    """Wait until both workers of generation gen have exited (until then a
    draining one may still answer a connection it accepted just before)."""
    wait_for(lambda: d.log().count("generation %d) exited" % gen) >= 2, 15)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


with Daemon(workers=2, conf="module_path lib\n", app=APP, name="app-load") as d:
    os.mkdir(os.path.join(d.dir, "lib"))
    lib = os.path.join(d.dir, "lib", "கணக்கு.qmz")
    write(lib, LIB1)
    appf = os.path.join(d.dir, "app.qmz")

    rc, out, err = run(["-t", "-c", d.conf])
    check(rc == 0 and "test is successful" in err, "etamild -t compiles the app with its import")

    # load errors: FILE:LINE:COLUMN, exit 1
    write(appf, APP + 'வழி பெறு, "/x" {\n    பதில் 200 "missing comma";\n}\n')
    rc, out, err = run(["-t", "-c", d.conf])
    check(rc == 1 and "%s:%d:15: " % (appf, L + 2) in err and "expected ','" in err,
          "parse error: FILE:LINE:COLUMN and the language's message: %r" % err.strip())
    write(appf, APP + 'பாதை = "/x";\nவழி பெறு, பாதை { பதில் 200, 1; }\n')
    rc, out, err = run(["-t", "-c", d.conf])
    check(rc == 1 and "%s:%d:1: வழி needs a literal path" % (appf, L + 2) in err,
          "a route path that is no literal: refused with its position: %r" % err.strip())
    write(appf, APP + 'இடைவெளி "soon" { அச்சு 1; }\n')
    rc, out, err = run(["-t", "-c", d.conf])
    check(rc == 1 and "%s:%d:1: இடைவெளி needs a literal number" % (appf, L + 1) in err,
          "a schedule interval that is no number literal: refused: %r" % err.strip())
    write(appf, 'இறக்கு "இல்லாதது.qmz";\n' + APP)
    rc, out, err = run(["-t", "-c", d.conf])
    check(rc == 1 and "இல்லாதது.qmz" in err and "cannot open module" in err,
          "a missing module: refused: %r" % err.strip())
    write(lib, "செயல் பதிப்பு() { திரும்பு \"v1\" }\n")
    write(appf, APP)
    rc, out, err = run(["-t", "-c", d.conf])
    check(rc == 1 and "1:" in err and "expected ';'" in err,
          "an error in an imported module: refused: %r" % err.strip())
    rc, out, err = run(["-f", "-c", d.conf])
    check(rc == 1 and "expected ';'" in d.log() + err, "start-up fails on a broken app")
    write(lib, LIB1)

    d.start()
    st, _, b = http_request(d.port, "/version")
    check(st == 200 and b == b"v1", "imported function via module_path")
    outs = [http_request(d.port, "/count")[2] for _ in range(4)]
    check(outs == [b"1"] * 4, "fresh globals for every request: %r" % outs)
    check(http_request(d.port, "/leak/set")[2] == b"left over", "a handler sets a global")
    outs = [http_request(d.port, "/leak/get")[0] for _ in range(4)]
    check(outs == [500] * 4, "nothing survives into the next request: %r" % outs)

    # SIGHUP with a changed imported module
    write(lib, LIB2)
    n = len(d.log())
    d.signal(signal.SIGHUP)
    check(d.wait_log("generation 2 is serving", 10, after=n), "HUP: generation 2")
    old_gone(d, 1)
    outs = {http_request(d.port, "/version")[2] for _ in range(6)}
    check(outs == {b"v2"}, "HUP picks up the changed module: %r" % outs)

    # a broken change is refused, the old code keeps serving
    write(appf, APP + 'வழி பெறு, "/y" { பதில் 200, ; }\n')
    n = len(d.log())
    d.signal(signal.SIGHUP)
    check(d.wait_log("reload failed: %s:%d:" % (appf, L + 1), 10, after=n),
          "HUP with broken code: reload failed, FILE:LINE logged")
    outs = {http_request(d.port, "/version")[2] for _ in range(6)}
    check(outs == {b"v2"}, "the old code keeps serving")
    write(appf, APP.replace('"/version"', '"/v"'))
    n = len(d.log())
    d.signal(signal.SIGHUP)
    check(d.wait_log("generation 3 is serving", 10, after=n), "HUP with fixed new code: generation 3")
    old_gone(d, 2)
    check(http_request(d.port, "/v")[2] == b"v2" and http_request(d.port, "/version")[0] == 404,
          "new routes served, old ones gone")

# A program without routes serves itself on / (its schedules are ignored);
# an impure prelude runs for every request.
WHOLE = r'''
அச்சு "whole program ran";
இடைவெளி 1 { கோப்பு_எழுது "never.txt", 1; }
பதில் 200, request_method & " " & request_path & " " & request_body;
'''
with Daemon(workers=1, app=WHOLE, name="app-whole") as d:
    d.start()
    for m in ("GET", "POST", "PUT", "DELETE"):
        st, _, b = http_request(d.port, "/", method=m, body=b"x" if m != "GET" else b"")
        check(st == 200 and b.decode() == "%s / %s" % (m, "x" if m != "GET" else ""),
              "no routes: %s / runs the whole program" % m)
    check(http_request(d.port, "/other")[0] == 404 and
          http_request(d.port, "/", method="PATCH")[0] == 404, "no routes: other paths and methods 404")
    check(d.log().count("GET /: whole program ran") == 1 and d.log().count("POST /: whole program ran") == 1,
          "the program's அச்சு runs on every request, logged with the route")
    with open(os.path.join(d.dir, "stdout"), errors="replace") as f:
        early = f.read()     # the master loads the app before it opens error_log
    check("இடைவெளி block(s) are ignored" in d.log() + early, "its schedules are ignored (logged)")
    check(not os.path.exists(os.path.join(d.dir, "never.txt")), "no schedule ran")
sys.exit(0)
