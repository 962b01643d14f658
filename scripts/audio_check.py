"""Reads folders of labelled audio captchas (<answer>_<n>.wav) with pocketsphinx
and a JSGF grammar of spelled letters and digits; prints the exact-match rate
and the share of characters right, per folder. Run by scripts/audio-check."""
import os
import sys
import tempfile
import wave

from pocketsphinx import Decoder, get_model_path

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
words = {**{w: str(i) for i, w in enumerate(DIGITS)}, **{c: c.upper() for c in LETTERS}}

model = get_model_path()
dictionary = os.path.join(model, "en-us", "cmudict-en-us.dict")
known = set()
with open(dictionary) as entries:
    for line in entries:
        known.add(line.split(" ", 1)[0])
usable = [w for w in words if w in known]
grammar = tempfile.NamedTemporaryFile("w", suffix=".gram", delete=False)
grammar.write("#JSGF V1.0;\ngrammar code;\npublic <code> = <char>+;\n<char> = " + " | ".join(usable) + ";\n")
grammar.close()
decoder = Decoder(samprate=16000, jsgf=grammar.name)


def read(path):
    with wave.open(path) as clip:
        data = clip.readframes(clip.getnframes())
    decoder.start_utt()
    decoder.process_raw(data, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return "".join(words.get(w, "") for w in (hypothesis.hypstr.split() if hypothesis else []))


print(f"pocketsphinx {get_model_path()} with a grammar of {len(usable)} spelled letters and digits")
for folder in sys.argv[1:]:
    files = sorted(f for f in os.listdir(folder) if f.endswith(".wav"))
    exact = right = total = 0
    for name in files:
        answer = name.split("_")[0].upper()
        heard = read(os.path.join(folder, name))
        exact += heard == answer
        right += sum(a == b for a, b in zip(heard, answer))
        total += len(answer)
    print(f"{os.path.basename(folder)}: {exact}/{len(files)} read exactly ({100 * exact / max(1, len(files)):.1f}%), "
          f"{100 * right / max(1, total):.1f}% of characters in place")
