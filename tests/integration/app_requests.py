"""app_requests.py -- eTamil handlers in the real daemon over real HTTP: every
request variable of spec §11.5, query decoding, lower-cased headers, JSON in
and out, path parameters, 404, trailing slashes, pattern order, a user
/health, HEAD (a HEAD route, else the GET route), multipart fields and
uploads, பதில்_கோப்பு, response headers and status rules, exact decimals, அச்சு in the error log, no CORS headers
without cors_origin."""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

APP = r'''
வரி_வீதம் = 18%;
செயல் வாழ்த்து(பெயர்) { திரும்பு "வணக்கம், " & பெயர்; }

வழி பெறு, "/vars" {
    பதில் 200, ஜேசான்_ஆக்கு({m: request_method, p: request_path, b: request_body,
                               q: query_params, pp: path_params, f: request_fields,
                               n: நீளம்(request_files)});
}
வழி பதி, "/vars" {
    பதில் 200, ஜேசான்_ஆக்கு({m: request_method, p: request_path, b: request_body,
                               q: query_params, f: request_fields});
}
வழி பெறு, "/hello" {
    பதில் 200, வாழ்த்து(query_params["name"]), {"Content-Type": "text/plain; charset=utf-8"};
}
வழி பெறு, "/headers" {
    பதில் 200, ஜேசான்_ஆக்கு(headers);
}
வழி பதி, "/accounts/:id" {
    பதில் 201, param_id & ":" & request_body;
}
வழி பெறு, "/users/me" {
    பதில் 200, "exact";
}
வழி பெறு, "/users/:id" {
    பதில் 200, "first:" & param_id;
}
வழி தலை, "/users/:id" {
    பதில் 200, "head:" & param_id & ":" & request_method, {"X-Route": "head"};
}
வழி பெறு, "/users/:name" {
    பதில் 200, "second:" & param_name;
}
வழி பெறு, "/a/:x/b/:y" {
    பதில் 200, param_x & "," & param_y & "," & path_params.x;
}
வழி பெறு, "/health" {
    பதில் 200, "user health";
}
வழி பதி, "/invoice" {
    உள்ளீடு = மதிப்பு(ஜேசான்_படி(request_body));
    மொத்தம் = 0;
    ஒவ்வொரு வரி இல் உள்ளீடு.lines {
        மொத்தம் = மொத்தம் + வரி.qty * வரி.price;
    }
    வரி_தொகை = மொத்தம் * வரி_வீதம்;
    பதில் 201, ஜேசான்_ஆக்கு({net: மொத்தம், tax: வரி_தொகை, total: மொத்தம் + வரி_தொகை});
}
வழி பெறு, "/decimal" {
    பதில் 200, 0.1 + 0.2 & " " & 1 / 3 & " " & 100.50 * 3;
}
வழி பதி, "/upload" {
    சேமித்தது = பதிவேற்றம்_சேமி(0, "saved.bin");
    பதில் 200, ஜேசான்_ஆக்கு({fields: request_fields, files: request_files,
                               saved: மதிப்பு(சேமித்தது)});
}
வழி பதி, "/upload/only" {
    பதில் 200, மதிப்பு(பதிவேற்றம்_சேமி(1, "only.bin"));
}
வழி பெறு, "/file" {
    பதில்_கோப்பு(200, "data.bin", {"X-Kind": "raw"});
}
வழி பெறு, "/file/typed" {
    பதில்_கோப்பு(200, "data.bin", {"content-type": "text/plain"});
}
வழி பெறு, "/file/missing" {
    பதில் 200, "x";
    response_file = "missing.bin";
}
வழி பெறு, "/headers/out" {
    பதில் 202, "{}", {"content-type": "text/plain", "X-One": 1, "Content-Length": "999"};
}
வழி பெறு, "/status/string" {
    பதில் "201", "s";
}
வழி பெறு, "/status/fraction" {
    பதில் 404.9, "f";
}
வழி பெறு, "/status/weird" {
    பதில் 1000, "w";
}
வழி பெறு, "/default" {
    அச்சு "நான் இங்கே";
}
வழி பெறு, "/no-content" {
    பதில் 204, "ignored";
}
வழி பெறு, "/setter" {
    response_status = 203;
    response_body = [1, 2];
}
'''

with Daemon(workers=2, app=APP, name="app-requests") as d:
    with open(os.path.join(d.dir, "data.bin"), "wb") as f:
        f.write(bytes(range(256)) * 4)
    d.start()

    def req(path, **kw):
        return http_request(d.port, path, **kw)

    def js(path, **kw):
        s, h, b = req(path, **kw)
        return s, h, json.loads(b.decode())

    # every variable, GET with a query
    s, h, v = js("/vars?a=1&b=x+y&c=%E0%AE%B0%E0%AE%B5%E0%AE%BF&d=100%25&e=%zz&f=%4&g&a=2&=e")
    check(s == 200 and h["content-type"] == "application/json", "GET /vars: 200, JSON by default")
    check(v["m"] == "GET" and v["p"] == "/vars" and v["b"] == "", "request_method, request_path, request_body")
    check(v["q"] == {"a": "2", "b": "x y", "c": "ரவி", "d": "100%", "e": "%zz", "f": "%4", "": "e"},
          "query_params: '+', Tamil UTF-8 escapes, %% literal when not two hex digits, "
          "no '=' dropped, later duplicates win: %r" % v["q"])
    check(v["pp"] == {} and v["f"] == {} and v["n"] == 0, "path_params, request_fields, request_files empty")
    s, h, v = js("/vars?x=%FF", method="POST", body="body ✓".encode(),
                 headers={"Content-Type": "text/plain"})
    check(s == 200 and v["m"] == "POST" and v["b"] == "body ✓" and v["q"] == {"x": "\ufffd"},
          "POST /vars: method, body text, invalid UTF-8 replaced")
    s, h, b = req("/hello?name=%E0%AE%B0%E0%AE%B5%E0%AE%BF")
    check(s == 200 and b.decode() == "வணக்கம், ரவி" and h["content-type"] == "text/plain; charset=utf-8"
          and h["content-length"] == "32", "spec example: GET /hello?name=ரவி")

    # headers: names lower-cased, later duplicates win
    s, h, v = js("/headers", headers={"X-Mixed-Case": "Value", "ACCEPT": "a/b"})
    check(v.get("x-mixed-case") == "Value" and v.get("accept") == "a/b" and "host" in v,
          "headers: names lower-cased, values kept")

    # path parameters, exact before pattern, source order, trailing slash
    s, h, b = req("/accounts/1000", method="POST", body=b"1500")
    check(s == 201 and b == b"1000:1500" and h["content-type"] == "application/json",
          "POST /accounts/1000: 201 1000:1500")
    s, h, b = req("/accounts/1000")
    check(s == 404 and json.loads(b) == {"error": "Not Found"}, "GET on a POST route: 404 JSON")
    check(req("/users/me")[2] == b"exact", "exact route wins over a pattern")
    check(req("/users/42")[2] == b"first:42", "first matching pattern in source order wins")
    check(req("/users/42/")[2] == b"first:42" and req("//users//42")[2] == b"first:42",
          "trailing and doubled slashes ignored")
    check(req("/a/%E0%AE%85/b/2")[2] == b"%E0%AE%85,2,%E0%AE%85",
          "param_x, param_y, path_params: captures not decoded")
    check(req("/health")[2] == b"user health", "a user GET /health wins over the built-in")
    s, h, b = req("/hello?name=x", method="HEAD")
    check(s == 200 and h["content-length"] == "24" and b == b"", "HEAD uses the GET route, no body")
    s, h, b = req("/users/42", method="HEAD")
    check(s == 200 and h.get("x-route") == "head" and h["content-length"] == "12",
          "a HEAD route answers HEAD (its own headers and length)")
    check(req("/users/42")[2] == b"first:42", "... and GET still uses the GET route")
    raw = socket.create_connection(("127.0.0.1", d.port), timeout=5)
    raw.sendall(b"HEAD /users/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got = b""
    while True:
        chunk = raw.recv(65536)
        if not chunk:
            break
        got += chunk
    raw.close()
    check(got.endswith(b"\r\n\r\n") and b"head:7" not in got and b"Content-Length: 11" in got,
          "HEAD route: head only on the wire: %r" % got[-60:])
    check(req("/nowhere")[0] == 404, "unknown path: 404")

    # JSON in, exact decimals out
    inv = {"lines": [{"qty": 3, "price": 99.99}, {"qty": 1, "price": 0.05}]}
    s, h, b = req("/invoice", method="POST", body=json.dumps(inv).encode(),
                  headers={"Content-Type": "application/json"})
    check(s == 201 and b == b'{"net":300.02,"tax":54.0036,"total":354.0236}',
          "JSON request -> JSON response with exact decimals: %r" % b)
    s, h, b = req("/decimal")
    check(b == b"0.3 0.3333333333333333333333333333 301.5", "exact decimal arithmetic: %r" % b)

    # multipart
    bd = "XyZ"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nஒப்பந்தம்\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n" % (bd, bd)).encode() + \
        b"%PDF\xff\xfe\x00\n" + ("\r\n--%s\r\nContent-Disposition: form-data; name=\"n\"; "
                                 "filename=\"\"\r\n\r\nzz\r\n--%s--\r\n" % (bd, bd)).encode()
    s, h, v = js("/upload", method="POST", body=body,
                 headers={"Content-Type": "multipart/form-data; boundary=\"%s\"" % bd})
    check(s == 200 and v["fields"] == {"title": "ஒப்பந்தம்"}, "request_fields from multipart")
    check(v["files"] == [{"குறியீடு": 0, "பெயர்": "doc", "கோப்புப்_பெயர்": "a.pdf", "வகை": "application/pdf",
                          "அளவு": 8},
                         {"குறியீடு": 1, "பெயர்": "n", "கோப்புப்_பெயர்": "", "வகை": "application/octet-stream",
                          "அளவு": 2}], "request_files describe the uploads: %r" % v["files"])
    with open(os.path.join(d.dir, "saved.bin"), "rb") as f:
        saved = f.read()
    check(v["saved"] == 8 and saved == b"%PDF\xff\xfe\x00\n",
          "பதிவேற்றம்_சேமி writes the exact bytes (relative to chdir, the app's directory)")

    s, h, b = req("/upload/only", method="POST", body=body,
                  headers={"Content-Type": "multipart/form-data; boundary=%s" % bd})
    with open(os.path.join(d.dir, "only.bin"), "rb") as f:
        only = f.read()
    check(s == 200 and b == b"2" and only == b"zz",
          "பதிவேற்றம்_சேமி in a handler that never names request_files")

    # files out
    s, h, b = req("/file")
    check(s == 200 and b == bytes(range(256)) * 4 and h["content-type"] == "application/octet-stream"
          and h["x-kind"] == "raw" and h["content-length"] == "1024", "பதில்_கோப்பு sends the file bytes")
    s, h, b = req("/file/typed")
    check(h["content-type"] == "text/plain" and len(b) == 1024, "a handler's content-type is kept for a file")
    s, h, b = req("/file/missing")
    check(s == 500 and json.loads(b) == {"error": "Internal Server Error"},
          "response_file that cannot be read: 500, no details without expose_errors")

    # response headers and statuses
    s, h, b = req("/headers/out")
    check(s == 202 and h["content-type"] == "text/plain" and h["x-one"] == "1"
          and h["content-length"] == "2", "handler headers replace defaults case-insensitively; "
          "Content-Length stays the server's")
    check(req("/status/string")[0] == 200, "a string status means 200 (as the reference)")
    check(req("/status/fraction")[0] == 404, "a fractional status is truncated")
    check(req("/status/weird")[0] == 500, "a number that is no HTTP status: 500")
    s, h, b = req("/default")
    check(s == 200 and b == b"Handler executed successfully" and h["content-type"] == "application/json",
          "defaults: 200, 'Handler executed successfully', application/json")
    check(d.wait_log("GET /default: நான் இங்கே", 3), "அச்சு goes to the error log, tagged with the route")
    s, h, b = req("/no-content")
    check(s == 204 and b == b"" and "content-length" not in h, "204 has no body")
    s, h, b = req("/setter")
    check(s == 203 and b == b"[1, 2]", "response_status / response_body assigned directly")
    check("access-control-allow-origin" not in h, "no CORS headers without cors_origin")
sys.exit(0)
