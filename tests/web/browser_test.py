#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The web dashboard in a real browser (docs/web.md, "Tests").

hbpool and hashboardd (on tests/data/web-dead-chip.toml: chain 1 cut at chip 2) run on
loopback; Debian's headless Chromium, driven over its DevTools protocol, sets the
password on the first visit, adds a pool and sees it in the pools table, and sees the
board map with chain 1 broken after chip 1. Changes without a session or without the
CSRF token are refused. Screenshots go to <build>/tests/web-screenshots/.

    browser_test.py <build-dir> <source-dir>
Exit 0 when every check passed; 1 naming the first that did not.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websocket  # python3-websocket (scripts/install-deps)

TIMEOUT = 30  # seconds, for each thing awaited


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok: {what}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(fn, what, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as e:
            last = e
        time.sleep(0.2)
    raise Failure(f"{what} (timed out; last: {last!r})")


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Browser:
    """One Chromium page over the DevTools protocol."""

    def __init__(self, profile):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise Failure("no chromium (scripts/install-deps installs it)")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking",
             "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = os.path.join(profile, "DevToolsActivePort")
        port = int(eventually(lambda: os.path.exists(active) and open(active).readline().strip(),
                              "chromium's DevTools port"))
        pages = eventually(
            lambda: [t for t in json.load(urllib.request.urlopen(
                f"http://127.0.0.1:{port}/json/list", timeout=5)) if t["type"] == "page"],
            "a chromium page")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=TIMEOUT)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise Failure(f"{method}: {msg['error']}")
                return msg["result"]

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise Failure(f"page script failed: {expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def open(self, url):
        self.call("Page.navigate", url=url)
        eventually(lambda: self.js("document.readyState") == "complete", f"{url} loaded")

    def screenshot(self, path):
        png = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        with open(path, "wb") as f:
            f.write(png)
        return png

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def stop(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(build, source):
    shots = os.path.join(build, "tests", "web-screenshots")
    os.makedirs(shots, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="hb-web-")
    pool = daemon = browser = None
    try:
        vector = os.path.join(source, "tests", "vectors", "stratum_example_b.json")
        pool = subprocess.Popen(
            [os.path.join(build, "tests", "pool", "hbpool"), "--port", "0", "--notify-file",
             vector, "--difficulty", "0.0000002384185791015625"],
            stdout=subprocess.PIPE, text=True)
        line = pool.stdout.readline()
        url = line[line.index("stratum+tcp://"):].strip()
        web = free_port()
        config = os.path.join(tmp, "hashboardd.toml")
        with open(config, "w") as f:
            f.write(f'[[pool]]\nurl = "{url}"\nuser = "web.test"\npassword = "x"\n'
                    f'[api]\nenabled = false\n[metrics]\nenabled = false\n'
                    f'[web]\nlisten = "127.0.0.1"\nport = {web}\n'
                    f'password_file = "{tmp}/web-password"\n')
        log = open(os.path.join(tmp, "hashboardd.log"), "w")
        daemon = subprocess.Popen(
            [os.path.join(build, "userspace", "daemon", "hashboardd"), "--config", config,
             "--board", os.path.join(source, "tests", "data", "web-dead-chip.toml")],
            stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{web}"
        eventually(lambda: http("GET", base + "/api/session")[0] == 200, "the dashboard answers")
        eventually(lambda: json.loads(http("GET", base + "/api/status")[1])["chains"][1]["state"]
                   == "running", "the board mines")

        browser = Browser(os.path.join(tmp, "chromium"))
        browser.open(base + "/login")
        eventually(lambda: browser.js("document.getElementById('login-title').textContent") ==
                   "Set the password", "the first visit asks for a password")
        browser.js("document.getElementById('login-password').value = 'correct horse';"
                   "document.getElementById('login-form').requestSubmit(); true")
        eventually(lambda: not browser.js("document.body.classList.contains('anonymous')"),
                   "logged in after setting the password")
        check(os.path.exists(os.path.join(tmp, "web-password")), "the password is stored")
        check("correct horse" not in open(os.path.join(tmp, "web-password")).read(),
              "the password is stored hashed")

        browser.open(base + "/pools")
        eventually(lambda: browser.js("document.querySelectorAll('#pools-table tbody tr').length")
                   == 1, "the configured pool is listed")
        browser.js("document.getElementById('pool-url').value = 'stratum+tcp://127.0.0.1:1';"
                   "document.getElementById('pool-user').value = 'browser.worker';"
                   "document.getElementById('pool-form').requestSubmit(); true")
        eventually(lambda: "browser.worker" in browser.js(
            "document.getElementById('pools-table').textContent"),
            "the added pool shows on the pools page")
        pools = json.loads(http("GET", base + "/api/status")[1])["pools"]
        check(any(p["user"] == "browser.worker" for p in pools), "the daemon has the new pool")
        check(len(browser.screenshot(os.path.join(shots, "pools.png"))) > 1000,
              "pools page screenshot saved")

        browser.open(base + "/board")
        eventually(lambda: browser.js(
            "[...document.querySelectorAll('#chain-1 rect.chip')].map(r => "
            "r.getAttribute('data-state')).join(',')") == "alive,alive,dead,dead",
            "chain 1's chips 2 and 3 are marked dead on the board map")
        check(browser.js("document.querySelectorAll('#chain-0 rect[data-state=alive]').length")
              == 4, "chain 0's four chips are drawn alive")
        heading = browser.js("document.querySelector('#chain-1 h2').textContent")
        check("broken after chip 1" in heading, f"the break is named ({heading!r})")
        check(len(browser.screenshot(os.path.join(shots, "board.png"))) > 1000,
              "board map screenshot saved")

        browser.open(base + "/tuning")
        status = json.loads(http("GET", base + "/api/status")[1])
        chips = sum(len(c["chips"]) for c in status["chains"])
        eventually(lambda: browser.js("document.querySelectorAll('#tuning-map rect.chip-freq')"
                                      ".length") == chips,
                   f"the tuning page draws every answering chip ({chips}) by its frequency")
        browser.js("document.getElementById('tuning-mode').value = 'fixed';"
                   "document.getElementById('tuning-target').value = '400';"
                   "document.getElementById('tuning-form').requestSubmit(); true")
        eventually(lambda: json.loads(http("GET", base + "/api/status")[1])["tuning"]["mode"]
                   == "fixed", "the tuning form sets the daemon's goal")
        eventually(lambda: "fixed" in browser.js(
            "document.getElementById('tuning-state').textContent"),
            "the tuning page shows the new mode")
        check(len(browser.screenshot(os.path.join(shots, "tuning.png"))) > 1000,
              "tuning page screenshot saved")

        # Changes without a session, or with one but without its CSRF token: refused.
        cookies = browser.call("Network.getCookies", urls=[base])["cookies"]
        session = next(c["value"] for c in cookies if c["name"] == "hb_session")
        check(http("POST", base + "/api/pools",
                   {"url": "stratum+tcp://evil:1", "user": "x"})[0] == 401,
              "a change without a session is refused")
        check(http("POST", base + "/api/pools", {"url": "stratum+tcp://evil:1", "user": "x"},
                   {"Cookie": f"hb_session={session}"})[0] == 403,
              "a change without the CSRF token is refused")
        pools = json.loads(http("GET", base + "/api/status")[1])["pools"]
        check(not any(p["url"] == "stratum+tcp://evil:1" for p in pools),
              "the refused changes changed nothing")
        return 0
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        log_path = os.path.join(tmp, "hashboardd.log")
        if os.path.exists(log_path):
            print("hashboardd's log (last lines):", file=sys.stderr)
            print("".join(open(log_path).readlines()[-30:]), file=sys.stderr)
        return 1
    finally:
        if browser:
            browser.close()
        stop(daemon)
        stop(pool)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
