#!/usr/bin/env python
"""Train the offline stand-in for `openai/clip-vit-base-patch32` shipped with the package:

    homl16/weights/clip_shapes.safetensors   our `homl16.clip.CLIP` (`SHAPES_CLIP`), fp32
    homl16/weights/clip_shapes.json          its configuration, BPE tokenizer, training words and recipe

    python tools/train_clip_standin.py [--steps 1000] [--stop-after N] > tools/logs/train_clip_standin.log

The recipe is `homl16.clip.train_shapes_clip` with the colour-sharing batches of notebook 23_clip (`STANDIN_RECIPE`)
run longer, on one CPU thread with a fixed seed (deterministic). At the end the log reports the loss curve and the
zero-shot accuracy on 600 one-object scenes of the held-out colour×shape pairs and 600 of the seen pairs, and the
checkpoint is written (`--stop-after N`: stop at step N of the same learning-rate schedule, reproducibly).
`--first-recipe` trains the notebook's first recipe (random batches) on the same scenes and steps, for comparison.
`homl16.clip.build_local_checkpoint` saves the shipped weights as a Hugging Face `CLIPModel`.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from homl16.clip import (STANDIN_RECIPE, STANDIN_WEIGHTS, encode_images, save_shapes_clip, train_shapes_clip,
                         zero_shot_classifier)
from homl16.core import count_params
from homl16.data import COLOR_NAMES, HELDOUT_PAIRS, SHAPES, make_scenes

PAIRS = [(c, s) for c in COLOR_NAMES for s in SHAPES]


def zero_shot(model, tokenizer) -> dict[str, tuple[float, float]]:
    "(colour, shape) zero-shot accuracy on one-object scenes of held-out and of seen pairs."
    W = zero_shot_classifier(model, tokenizer, [f"{c} {s}" for c, s in PAIRS])
    out = {}
    for split, scenes in (("held-out", make_scenes(600, 32, seed=123, min_objects=1, max_objects=1, only_pairs=HELDOUT_PAIRS)),
                          ("seen", make_scenes(600, 32, seed=124, min_objects=1, max_objects=1, exclude_pairs=HELDOUT_PAIRS))):
        got = [PAIRS[int(p)] for p in (encode_images(model, scenes.tensors()) @ W.T).argmax(1)]
        truth = [(o[0]["color"], o[0]["shape"]) for o in scenes.objects]
        out[split] = (np.mean([g[0] == t[0] for g, t in zip(got, truth)]), np.mean([g[1] == t[1] for g, t in zip(got, truth)]))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=STANDIN_RECIPE["max_steps"])
    p.add_argument("--stop-after", type=int, default=None)
    p.add_argument("--out", default=str(STANDIN_WEIGHTS))
    p.add_argument("--first-recipe", action="store_true",
                   help="for comparison: the same scenes and steps with the first recipe (random batches, half one-object scenes)")
    args = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.process_time()
    recipe = STANDIN_RECIPE | {"max_steps": args.steps, "stop_after": args.stop_after}
    if args.first_recipe:
        recipe |= dict(colour_group=0, shape_negatives=False, single_fraction=0.5)
    print(f"recipe: train_shapes_clip(**{recipe}), 1 thread", flush=True)
    model, tokenizer, hist = train_shapes_clip(**recipe, progress=False)
    n = len(hist.train)
    for s in sorted({0, n // 4, n // 2, 3 * n // 4, n - 1}):
        rows = hist.train[max(0, s - 24):s + 1]
        print(f"step {rows[-1]['step']:5d}: loss {np.mean([r['loss'] for r in rows]):.4f}, "
              f"temperature {rows[-1]['temperature']:.4f}", flush=True)
    zs = zero_shot(model, tokenizer)
    print(f"{count_params(model):,} parameters, {n} steps, CPU time {time.process_time() - t0:.0f} s")
    for split, (colour, shape) in zs.items():
        print(f"zero-shot on {split} pairs (600 one-object scenes): colour {colour:.3f} (chance 0.167), shape {shape:.3f} (chance 0.200)")
    save_shapes_clip(model, tokenizer, args.out, recipe=recipe | {"threads": 1}, steps=n,
                     zero_shot={k: {"colour": round(float(c), 4), "shape": round(float(s), 4)} for k, (c, s) in zs.items()})
    print(f"wrote {args.out} (.safetensors, .json)")


if __name__ == "__main__":
    main()
