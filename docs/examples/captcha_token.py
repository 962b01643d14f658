"""The token flow with requests: no cookie; the picture as a data URI.
UPARE_URL (default http://127.0.0.1:8080); ANSWER is what the person read."""
import base64
import os
import sys

import requests

base = os.environ.get("UPARE_URL", "http://127.0.0.1:8080")
issued = requests.get(f"{base}/api/Image/captcha", params={"id": "login", "response_type": "json"}).json()
header, data = issued["image"].split(",", 1)          # "data:image/png;base64", then the picture
with open("captcha.png", "wb") as picture:
    picture.write(base64.b64decode(data))
answer = os.environ["ANSWER"]                          # what the person read in captcha.png
reply = requests.post(f"{base}/api/Image/captchaVerify", data={
    "id": "login", "captcha_token": issued["captcha_token"], "captcha": answer}).json()
print(reply)
sys.exit(0 if reply["error_code"] == 0 else 1)
