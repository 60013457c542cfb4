#!/usr/bin/env python
"""Train the course's small language model on the shapes world's text and write the package's shipped files:

    homl16/weights/shapes_lm.safetensors         the weights (fp32, lm_head tied to the token embedding)
    homl16/weights/shapes_lm_config.json         CausalLM's arguments + how the weights were made and measured
    homl16/weights/shapes_lm_tokenizer.json      the word-level tokenizer (a `tokenizers` file a reader can open)

    python tools/train_shapes_lm.py [--steps 1200] [--out homl16/weights] > tools/logs/train_shapes_lm.log

Deterministic: fixed seeds, one CPU thread. Pretraining text = captions (all phrasings), "question: … answer: …"
pairs and video narrations; the scenes exclude `HELDOUT_PAIRS` (they only occur in narrations, "the red triangle
moves up"), so caption perplexity on scenes made only of held-out pairs measures how word pairs transfer.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from pathlib import Path

import torch
from safetensors.torch import save_model

from homl16.core import count_params, fit, seed_everything
from homl16.data import HELDOUT_PAIRS
from homl16.lm import (CausalLM, build_tokenizer, lm_loss, pack_texts, shapes_texts, shapes_vocabulary, token_nll,
                       unigram_nll)

CONFIG = dict(max_positions=64, dim=128, depth=4, num_heads=4, ffn_dim=512, dropout=0.0)
DATA = dict(train_scenes=6000, train_seed=0, valid_scenes=300, valid_seed=1000, block_size=64)
TRAIN = dict(batch_size=32, lr=2e-3, weight_decay=0.05, warmup_steps=100, seed=0)


def log(*args) -> None:
    print(*args, flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "homl16" / "weights"))
    args = p.parse_args()
    torch.set_num_threads(1)
    seed_everything(TRAIN["seed"])
    t0, c0 = time.perf_counter(), time.process_time()

    words = shapes_vocabulary()
    tok = build_tokenizer(words, model_max_length=CONFIG["max_positions"])
    log(f"vocabulary: {len(tok)} tokens ({len(words)} words + special tokens)")
    train_texts = shapes_texts(DATA["train_scenes"], seed=DATA["train_seed"], exclude_pairs=HELDOUT_PAIRS)
    train_ids = pack_texts(tok, train_texts, DATA["block_size"])
    n_tok = int((train_ids != tok.pad_token_id).sum())
    log(f"train: {len(train_texts)} texts -> {train_ids.shape[0]} rows of {DATA['block_size']} ids, {n_tok} tokens")
    valid_texts = shapes_texts(DATA["valid_scenes"], seed=DATA["valid_seed"], exclude_pairs=HELDOUT_PAIRS)
    valid_ids = pack_texts(tok, valid_texts, DATA["block_size"])

    model = CausalLM(len(tok), pad_token_id=tok.pad_token_id, **CONFIG)
    log(f"model: {CONFIG}, {count_params(model):,} parameters")
    g = torch.Generator().manual_seed(TRAIN["seed"])
    train_dl = torch.utils.data.DataLoader(train_ids, batch_size=TRAIN["batch_size"], shuffle=True, generator=g, drop_last=True)
    valid_dl = torch.utils.data.DataLoader(valid_ids, batch_size=256)
    metric = lambda m, b: {"loss": lm_loss(m, b).expand(len(b))}
    hist = fit(model, train_dl, lm_loss, epochs=100, max_steps=args.steps, lr=TRAIN["lr"],
               weight_decay=TRAIN["weight_decay"], warmup_steps=TRAIN["warmup_steps"], valid_dl=valid_dl, metrics=metric,
               eval_every=100, device="cpu", seed=TRAIN["seed"], progress=False, desc="shapes LM")
    for r in hist.train:
        if r["step"] % 50 == 0 or r["step"] == 1:
            log(f"step {r['step']:5d}  train loss {r['loss']:.4f}  lr {r['lr']:.2e}")
    for r in hist.valid:
        log(f"step {r['step']:5d}  valid loss {r['loss']:.4f}  (perplexity {math.exp(r['loss']):.3f})")

    model.eval()
    results = {}
    evals = {"held-out scenes (seen pairs), captions": shapes_texts(600, seed=2000, qa=False, videos=False),
             "held-out colour x shape pairs, captions": shapes_texts(600, seed=3000, exclude_pairs=None,
                                                                      only_pairs=HELDOUT_PAIRS, qa=False, videos=False)}
    for name, texts in evals.items():
        lm = token_nll(model, tok, texts)
        uni = unigram_nll(train_ids, tok, texts, len(tok))
        results[name] = {"tokens": len(lm), "lm_perplexity": round(math.exp(lm.mean().item()), 4),
                         "unigram_perplexity": round(math.exp(uni.mean().item()), 4)}
        log(f"{name}: {len(lm)} tokens, LM perplexity {math.exp(lm.mean()):.3f}, unigram {math.exp(uni.mean()):.3f}")

    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    save_model(model, str(out / "shapes_lm.safetensors"))
    tok.backend_tokenizer.save(str(out / "shapes_lm_tokenizer.json"))
    meta = {"model": model.config, "data": DATA, "train": {**TRAIN, "steps": args.steps},
            "final_train_loss": round(hist.train[-1]["loss"], 4), "eval": results}
    (out / "shapes_lm_config.json").write_text(json.dumps(meta, indent=1) + "\n")
    for f in ("shapes_lm.safetensors", "shapes_lm_tokenizer.json", "shapes_lm_config.json"):
        data = (out / f).read_bytes()
        log(f"wrote {f}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    log(f"done in {time.perf_counter() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU (1 thread)")


if __name__ == "__main__":
    main()
