"""app_compat.py -- `etamil --server [--host H] [--port P] app.qmz`, the
reference's command line, on the etamild engine: the spec's example
answers the same, option errors exit 2 with the reference's messages."""
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import BUILDDIR, check, free_port, http_request, wait_for  # noqa: E402

ETAMIL = os.path.join(BUILDDIR, "src", "etamil")
if not os.path.exists(ETAMIL):
    sys.exit(77)

APP = '''செயல் வாழ்த்து(பெயர்) { திரும்பு "வணக்கம், " & பெயர்; }
வழி பெறு, "/hello" {
    பதில் 200, வாழ்த்து(query_params["name"]), {"Content-Type": "text/plain; charset=utf-8"};
}
வழி பதி, "/accounts/:id" {
    பதில் 201, param_id & ":" & request_body;
}
'''


def etamil(*args):
    p = subprocess.run([ETAMIL] + list(args), capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout, p.stderr


with tempfile.TemporaryDirectory(prefix="app-compat-") as d:
    app = os.path.join(d, "app.qmz")
    with open(app, "w") as f:
        f.write(APP)
    rc, _, err = etamil("--server", "--port", "x", app)
    check(rc == 2 and err == "✗ --port needs a number from 0 to 65535, got 'x'\n", "--port x: exit 2")
    rc, _, err = etamil("--server", "--port", "65536", app)
    check(rc == 2 and "got '65536'" in err, "--port 65536: exit 2")
    rc, _, err = etamil("--server", app, "--host")
    check(rc == 2 and err == "✗ --host needs a value\n", "--host without a value: exit 2")
    rc, _, err = etamil("--server", "--bogus", app)
    check(rc == 2 and err.startswith("✗ Unknown option: --bogus"), "unknown option: exit 2")
    rc, out, err = etamil("--check", "--server", app)
    check(rc == 0 and out == "" and err == "", "--check with --server only checks")
    with open(os.path.join(d, "bad.qmz"), "w") as f:
        f.write('வழி பெறு, "/x" { பதில் 200 1; }\n')
    rc, out, err = etamil("--server", "--port", "0", os.path.join(d, "bad.qmz"))
    check(rc == 1 and "bad.qmz:1:" in err, "a broken program: exit 1 with FILE:LINE:COLUMN")

    for flag in ("--server", "--async"):
        port = free_port()
        log = open(os.path.join(d, "out"), "w")
        p = subprocess.Popen([ETAMIL, flag, "--host", "127.0.0.1", "--port", str(port), app],
                             stdout=log, stderr=subprocess.STDOUT, cwd=d)
        try:
            def up():
                try:
                    return http_request(port, "/health", timeout=1)[0] == 200
                except OSError:
                    return False
            check(wait_for(up, 10), "%s: serving on the given port" % flag)
            s, h, b = http_request(port, "/hello?name=%E0%AE%B0%E0%AE%B5%E0%AE%BF")
            check(s == 200 and b.decode() == "வணக்கம், ரவி" and h["content-length"] == "32" and
                  h.get("access-control-allow-origin") == "*", "%s: the spec's GET /hello" % flag)
            s, h, b = http_request(port, "/accounts/1000", method="POST", body=b"1500")
            check(s == 201 and b == b"1000:1500", "%s: POST /accounts/1000" % flag)
            s, h, b = http_request(port, "/hello")
            check(s == 500 and "no field 'name'" in b.decode(), "%s: 500 with the error text" % flag)
        finally:
            p.send_signal(signal.SIGINT)
            try:
                rc = p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
            log.close()
        check(rc == 0, "%s: Ctrl-C stops it, exit 0" % flag)
sys.exit(0)
