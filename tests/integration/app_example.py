"""app_example.py -- the example application (examples/etamild.conf and
examples/ledger/) answers the README's curl commands."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import SRCDIR, Daemon, check, http_request  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

examples = os.path.join(SRCDIR, "examples")
with open(os.path.join(examples, "etamild.conf")) as f:
    conf = f.read()

with Daemon(workers=1, name="app-example") as d:
    text = conf.replace("listen 127.0.0.1:8080", "listen 127.0.0.1:%d" % d.port)
    text = text.replace("app ledger/app.qmz", "app " + os.path.join(examples, "ledger", "app.qmz"))
    text = text.replace("module_path ledger/lib", "module_path " + os.path.join(examples, "ledger", "lib"))
    text = text.replace("workers 2", "workers 1")
    text += "\npid_file etamild.pid\nerror_log error.log\n"
    d.write_config(text=text)
    d.start()

    def req(path, body=None):
        s, h, b = http_request(d.port, path, method="POST" if body else "GET",
                               body=json.dumps(body).encode() if body else b"")
        return s, h, json.loads(b)

    s, h, v = req("/")
    check(s == 200 and v["seller_state"] == "TN" and h["content-type"] == "application/json; charset=utf-8",
          "GET /: the service description")
    check(req("/hsn/9983")[2] == {"hsn": "9983", "description": "IT consulting services", "rate": 18},
          "GET /hsn/:code")
    s, _, v = req("/hsn/1234")
    check(s == 404 and v == {"error": "unknown HSN code '1234'"}, "unknown HSN code: 404 JSON")
    s, _, v = req("/gst/18?amount=1000&state=KA")
    check(s == 200 and v["igst"] == 180 and v["cgst"] == 0 and v["total"] == 1180, "IGST across states")
    s, _, v = req("/gst/18?amount=1000")
    check(v["cgst"] == 90 and v["sgst"] == 90 and v["igst"] == 0, "CGST + SGST inside the state")
    check(req("/gst/7?amount=1000")[0] == 422 and req("/gst/18")[0] == 400, "bad rate 422, no amount 400")
    inv = {"customer": "Kaveri Traders", "state": "KA",
           "lines": [{"hsn": "9983", "qty": 10, "price": 1500},
                     {"description": "Tea, 1 kg", "hsn": "0902", "qty": 3, "price": 333.33},
                     {"description": "Notebook", "qty": 5, "price": 45.50, "rate": 12}]}
    s, _, v = req("/invoices", inv)
    t = v["totals"]
    check(s == 201 and v["lines"][1]["taxable"] == 999.99 and t["taxable"] == 16227.49 and
          t["igst"] == 2777.3 and t["total"] == 19004.79 and t["payable"] == 19005 and
          t["round_off"] == 0.21, "POST /invoices: exact totals %r" % t)
    s, _, v = req("/invoices", {"lines": [{"hsn": "9999", "qty": 1, "price": 10}]})
    check(s == 422 and "9999" in v["error"], "an invoice line with an unknown code: 422")
    s, _, v = req("/ledger/trial-balance", [{"account": "Cash", "debit": 11800},
                                            {"account": "Sales", "credit": 10000},
                                            {"account": "Output CGST", "credit": 900},
                                            {"account": "Output SGST", "credit": 900}])
    check(s == 200 and v["balanced"] is True and v["accounts"]["Sales"]["balance"] == -10000,
          "POST /ledger/trial-balance")
sys.exit(0)
