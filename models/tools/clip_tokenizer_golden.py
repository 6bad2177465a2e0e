#!/usr/bin/env python3
"""Golden token ids for the Java CLIP tokenizer (org.ldmfiji.text.ClipTokenizer), produced once from the reference.

The reference is OpenAI's CLIP repository (https://github.com/openai/CLIP, MIT licence): clip/simple_tokenizer.py
and its vocabulary clip/bpe_simple_vocab_16e6.txt.gz. This script

1. converts that vocabulary to the layout Stable Diffusion checkpoints and diffusers folders ship
   (tokenizer/vocab.json: token -> id; tokenizer/merges.txt: "#version: 0.2" then one merge pair per line by rank),
   the same 49408 tokens and 48894 merges the reference builds in SimpleTokenizer.__init__;
2. tokenizes a fixed list of prompts with the reference's SimpleTokenizer.encode, adds the start and end tokens and
   cuts at 77 tokens keeping the end token (clip.tokenize(..., truncate=True)), and writes them as JSON.

Usage (with the reference extracted to build/clip, e.g. `git archive HEAD clip LICENSE | tar -x -C build/clip`):

    python3 models/tools/clip_tokenizer_golden.py build/clip src/test/resources/org/ldmfiji/text

It needs the `regex` package (Debian: python3-regex). The reference also calls ftfy.fix_text; where ftfy is not
installed (as when the committed golden file was made) pass --no-ftfy: fix_text is then the identity, and the
prompts below are chosen so that ftfy's fixes (mojibake, curly quotes, ligatures, full-width letters, NFC,
control characters) would change none of them.
"""
import argparse
import gzip
import importlib.util
import json
import os
import sys
import types

PROMPTS = [
    "",
    "a photograph of an astronaut riding a horse",
    "A Photograph Of An ASTRONAUT riding a HORSE",
    "   lots   of\twhite\nspace   ",
    "hello, world! what's up? it's 4:30pm -- isn't it?",
    "I'll say we'd've done it; they're here, you've seen, I'm sure",
    "Don'T SHOUT, it'S fine",
    "numbers 1234567890 and 3.14159 and 1,000,000",
    "café naïve résumé über façade crème brûlée",
    "Ελληνικά κείμενα και русский текст",
    "日本語のテキストと中文文本",
    "emoji 🐱🚀 and ❤️ and 👍🏽",
    "punctuation!!! ??? ... ;;; ::: ((( ))) [[[ ]]] {{{ }}} <<< >>>",
    "a painting by greg rutkowski, trending on artstation, 8k, highly detailed",
    "html &amp; entities &lt;b&gt; &#39;quoted&#39; &#x263A; &quot;x&quot;",
    "microscopy image of HeLa cells, DAPI (blue) and phalloidin (green) staining, 63x oil",
    "tabs\tand\r\nline breaks\u00a0and nbsp",
    "under_score and hy-phen and slash/back\\slash and @handle #hashtag $100 50% a+b=c",
    "x" * 300,
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic",
    " ".join(["word%d" % i for i in range(100)]),
    ("a very long prompt with many words that keeps going " * 12).strip(),
    "<|startoftext|> literal special tokens <|endoftext|>",
    "ß ẞ İstanbul",
]

CONTEXT_LENGTH = 77


def load_reference(root, no_ftfy):
    if no_ftfy:
        sys.modules["ftfy"] = types.SimpleNamespace(fix_text=lambda text: text)
    path = os.path.join(root, "clip", "simple_tokenizer.py")
    spec = importlib.util.spec_from_file_location("clip_simple_tokenizer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SimpleTokenizer(os.path.join(root, "clip", "bpe_simple_vocab_16e6.txt.gz"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("reference", help="folder with the reference's clip/ package (openai/CLIP extracted)")
    p.add_argument("out", help="folder for vocab.json.gz, merges.txt.gz and clip_golden.json")
    p.add_argument("--no-ftfy", action="store_true", help="ftfy.fix_text as identity (see above)")
    a = p.parse_args()
    tok = load_reference(a.reference, a.no_ftfy)
    os.makedirs(a.out, exist_ok=True)

    # The reference's encoder is the vocabulary, its bpe_ranks the merges by rank.
    vocab = dict(sorted(tok.encoder.items(), key=lambda kv: kv[1]))
    merges = sorted(tok.bpe_ranks.items(), key=lambda kv: kv[1])
    with gzip.open(os.path.join(a.out, "vocab.json.gz"), "wt", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with gzip.open(os.path.join(a.out, "merges.txt.gz"), "wt", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for (first, second), _ in merges:
            f.write(first + " " + second + "\n")

    sot, eot = tok.encoder["<|startoftext|>"], tok.encoder["<|endoftext|>"]
    cases = []
    for text in PROMPTS:
        ids = [sot] + tok.encode(text) + [eot]
        if len(ids) > CONTEXT_LENGTH:  # clip.tokenize(truncate=True)
            ids = ids[:CONTEXT_LENGTH]
            ids[-1] = eot
        cases.append({"prompt": text, "ids": ids})
    golden = {
        "produced_by": "models/tools/clip_tokenizer_golden.py" + (" --no-ftfy" if a.no_ftfy else ""),
        "reference": "openai/CLIP clip/simple_tokenizer.py (SimpleTokenizer.encode) with start/end tokens and "
                     "clip.tokenize's truncate=True cut; ids before padding",
        "ftfy": not a.no_ftfy,
        "max_tokens": CONTEXT_LENGTH, "start_token": sot, "end_token": eot,
        "cases": cases,
    }
    with open(os.path.join(a.out, "clip_golden.json"), "w", encoding="utf-8") as f:
        # one line per case, so that a diff shows which prompt changed
        head = {k: v for k, v in golden.items() if k != "cases"}
        f.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "cases": [\n')
        f.write(",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n ]\n}\n")
    print("%d tokens, %d merges, %d prompts -> %s" % (len(vocab), len(merges), len(cases), a.out))


if __name__ == "__main__":
    main()
