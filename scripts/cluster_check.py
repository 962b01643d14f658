"""Checks of scripts/cluster-test: two upare instances (A, B) on one
PostgreSQL, nginx round-robin in front (LB). Arguments: UPARE_BIN DATABASE_URL
PORT_A PORT_B PORT_LB PID_A."""
import base64
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time

import requests

upare, url, port_a, port_b, port_lb, pid_a = sys.argv[1:7]
A, B, LB = (f"http://127.0.0.1:{p}" for p in (port_a, port_b, port_lb))
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def sql(query):
    return subprocess.run(["psql", url, "-Atc", query], check=True, capture_output=True, text=True).stdout.strip()


def cli(*args, stdin=None):
    return subprocess.run([upare, *args, "--database", url], input=stdin, capture_output=True, text=True, check=True).stdout


# A captcha made by A is seen and used by B.
browser = requests.Session()
browser.get(f"{A}/api/Image/captcha?id=cluster")
cookie = browser.cookies.get("upare_session")
# The store is keyed by the SHA-256 of the session token, never the token.
client_key = "h:" + base64.urlsafe_b64encode(hashlib.sha256(cookie.encode()).digest()).decode().rstrip("=")
slot = f"{len(client_key)}:{client_key}|cluster"
check(sql(f"SELECT COUNT(*) FROM captcha_challenges WHERE slot = '{slot}'") == "1", "a captcha from A is in the database")
wrong = browser.get(f"{B}/api/Image/captchaVerify?id=cluster&captcha=WRONG&flush=no").json()
check(wrong.get("error_code") == 200002, "B checks it (a wrong answer fails)")
check(sql(f"SELECT failed_attempts FROM captcha_challenges WHERE slot = '{slot}'") == "1", "B counted the attempt on A's challenge")
browser.get(f"{B}/api/Image/captchaVerify?id=cluster&captcha=WRONG")
check(sql(f"SELECT COUNT(*) FROM captcha_challenges WHERE slot = '{slot}'") == "0", "B's flush used A's challenge up")

# A login session and an OAuth token work on both instances.
cli("user", "add", "--username", "carol", "--email", "carol@example.com", "--bcrypt-cost", "4", stdin="correct horse\n")
session = cli("user", "session", "carol").strip()
for name, base in (("A", A), ("B", B)):
    reply = requests.post(f"{base}/api/User/message", headers={"Cookie": session}).json()
    check(reply.get("error_code") == 0, f"the session works on {name}")
registered = dict(line.split("=", 1) for line in cli(
    "client", "add", "--name", "cluster", "--redirect-uri", "https://app.example/cb", "--first-party",
    "--scope", "basic", "--scope", "messages").split())
client = (registered["client_id"], registered["client_secret"])
token = requests.post(f"{LB}/api/Oauth/accessToken", auth=client, data={
    "grant_type": "password", "username": "carol", "password": "correct horse"}).json()
for name, base in (("A", A), ("B", B)):
    reply = requests.post(f"{base}/api/User/message", headers={"Authorization": f"Bearer {token.get('access_token')}"}).json()
    check(reply.get("error_code") == 0, f"the OAuth token works on {name}")

# One code, exchanged on A and B at the same moment: exactly one wins, every time.
wins = []
for _ in range(10):
    verifier = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    code = requests.post(f"{LB}/api/Oauth/authorize", headers={"Cookie": session}, data={
        "response_type": "json", "client_id": client[0], "redirect_uri": "https://app.example/cb",
        "code_challenge": challenge, "code_challenge_method": "S256"}).json()["authorization_code"]
    barrier = threading.Barrier(2)
    results = []

    def exchange(base):
        barrier.wait()
        reply = requests.post(f"{base}/api/Oauth/accessToken", auth=client, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb",
            "code_verifier": verifier}).json()
        results.append(reply.get("error_code"))

    threads = [threading.Thread(target=exchange, args=(base,)) for base in (A, B)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wins.append(sorted(results))
check(all(result == [0, 201215] for result in wins), f"a code raced on A and B is redeemed once (10 rounds: {wins})")

# Write load through nginx; A is killed with SIGKILL in the middle.
acknowledged, lock, stop = [], threading.Lock(), threading.Event()
errors = {"before": 0, "after": 0}
killed_at = []


def writer(number):
    http = requests.Session()
    sequence = 0
    while not stop.is_set():
        title = f"load-{number}-{sequence}"
        sequence += 1
        try:
            reply = http.post(f"{LB}/api/Calendar/add", headers={"Cookie": session},
                              data={"title": title, "start": "2026-12-01T09:00:00Z"}, timeout=5)
            ok = reply.status_code == 200 and reply.json().get("error_code") == 0
        except Exception:
            ok = False
        with lock:
            if ok:
                acknowledged.append((title, bool(killed_at)))
            else:
                errors["after" if killed_at else "before"] += 1


threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
for thread in threads:
    thread.start()
time.sleep(2)
os.kill(int(pid_a), signal.SIGKILL)
killed_at.append(time.time())
time.sleep(4)
stop.set()
for thread in threads:
    thread.join()
stored = set(sql("SELECT title FROM calendar_events WHERE title LIKE 'load-%'").split())
titles = {title for title, _ in acknowledged}
after = sum(1 for _, late in acknowledged if late)
print(f"     writes acknowledged {len(titles)} ({after} after the kill), in the database {len(stored)}, "
      f"refused or failed {errors['before']} before and {errors['after']} after the kill", flush=True)
check(titles <= stored, "no acknowledged write is lost")
check(after > 0, "nginx moved on to B after A was killed")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
