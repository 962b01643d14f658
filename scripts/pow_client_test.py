"""Drives upare's proof of work (Image/pow, the ALTCHA protocol v1) with the
altcha library from PyPI as the client: it solves upare's challenge and upare
accepts the payload once; a replayed, expired or forged payload is refused; a
scenario that needs a proof of work refuses a login without one. Run by
scripts/pow-client-test, which starts the server and passes: BASE.
"""
import sys
import time

import requests
from altcha import PayloadV1, create_challenge_v1, ChallengeOptionsV1, solve_challenge_v1

base = sys.argv[1]
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def solved():
    challenge = requests.get(f"{base}/api/Image/pow").json()
    solution = solve_challenge_v1(challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxnumber"])
    return challenge, PayloadV1(challenge["algorithm"], challenge["challenge"], solution.number, challenge["salt"],
                                challenge["signature"]).to_base64()


def pow_verify(payload):
    return requests.post(f"{base}/api/Image/powVerify", data={"altcha": payload}).json()


challenge, payload = solved()
check(challenge.get("algorithm") == "SHA-256" and "?expires=" in challenge.get("salt", ""), "Image/pow gives an ALTCHA v1 challenge")
check(pow_verify(payload).get("error_code") == 0, "upare accepts the altcha library's solution")
replayed = pow_verify(payload)
check(replayed.get("error_code") == 200002 and "before" in replayed.get("detail", ""), "a replayed payload is refused")

# A challenge made with another key, solved honestly: not upare's.
foreign = create_challenge_v1(ChallengeOptionsV1(hmac_key="not upare's key", max_number=1000))
number = solve_challenge_v1(foreign.challenge, foreign.salt, foreign.algorithm, foreign.max_number).number
forged = PayloadV1(foreign.algorithm, foreign.challenge, number, foreign.salt, foreign.signature).to_base64()
check("not issued" in pow_verify(forged).get("detail", ""), "a payload of a foreign challenge is refused")

# The login scenario needs a proof of work (the captcha test mode passes the picture).
login = {"username": "paula", "password": "correct horse battery", "id": "login", "captcha": "upare-test-pass"}
without = requests.post(f"{base}/api/User/login", data=login).json()
check(without.get("error_code") == 200002 and "Image/pow" in without.get("detail", ""), "login without a proof of work is refused")
_, payload = solved()
with_pow = requests.post(f"{base}/api/User/login", data={**login, "altcha": payload}).json()
check(with_pow.get("error_code") == 0, "login with a solved proof of work passes")

_, late = solved()
time.sleep(11)
expired = pow_verify(late)
check(expired.get("error_code") == 200002 and "expired" in expired.get("detail", ""), "an expired payload is refused")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
print("proof of work: all checks passed")
