#!/usr/bin/env python
"""Train the offline stand-in for `facebook/dino-vitb8` shipped with the package:

    homl16/weights/dino_shapes.safetensors    the DINO teacher's ViT (our `ViT` names, fp32); the recipe in its metadata

    python tools/train_dino_standin.py [--epochs 24] [--out homl16/weights/dino_shapes.safetensors] > tools/logs/train_dino_standin.log

The recipe is `homl16.dino.train_shapes_dino`, the one `15_dino` runs for 8 epochs (256 steps), here for 24 epochs
(768 steps) on the same 2,048 unlabelled shapes. Deterministic: fixed seed, one CPU thread. The log reports, every
128 steps, the measure the notebook asserts: the share of the teacher's class-token attention that falls on objects,
divided by the share of the image the objects cover (1.0 = uniform attention), on 64 held-out scenes.
"""
from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from homl16.core import count_params
from homl16.data import make_scenes, shapes_classification
from homl16.dino import SHAPES_DINO, cls_attention_maps, train_shapes_dino


def object_attention_ratio(vit, scenes) -> float:
    "Share of class-token attention (mean over heads) on object patches / share of the image the objects cover."
    maps = cls_attention_maps(vit, scenes.tensors()).mean(1)                                   # [B, h, w]
    fg = F.adaptive_avg_pool2d(torch.as_tensor(scenes.instance > 0).float()[:, None], maps.shape[-2:])[:, 0]
    return ((maps * fg).sum((1, 2)) / maps.sum((1, 2))).mean().item() / fg.mean().item()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=24)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="homl16/weights/dino_shapes.safetensors")
    args = p.parse_args()
    torch.set_num_threads(1)
    images, _ = shapes_classification(SHAPES_DINO["n_images"], size=24, seed=0, target="shape")
    scenes = make_scenes(64, size=48, seed=4, min_objects=1, max_objects=3)

    def report(step: int, total: int, model) -> None:
        model.update_teacher(step, total)
        if (step + 1) % 128 == 0 or step + 1 == total:
            print(f"step {step + 1:4d}: object-attention ratio of the teacher {object_attention_ratio(model.teacher.backbone, scenes):.3f}",
                  flush=True)

    t0 = time.process_time()
    model, hist = train_shapes_dino(images, epochs=args.epochs, seed=args.seed, progress=False, after_step=report)
    vit = model.teacher.backbone.eval()
    n = len(hist.train)
    for s in sorted({0, n // 4, n // 2, 3 * n // 4, n - 1}):
        print(f"step {hist.train[s]['step']:4d}: train loss {hist.train[s]['loss']:.4f}")
    ratio = object_attention_ratio(vit, scenes)
    print(f"teacher ViT: {count_params(vit):,} parameters; object-attention ratio {ratio:.3f} (uniform 1.0); "
          f"CPU time {time.process_time() - t0:.0f} s")
    recipe = {"function": "homl16.dino.train_shapes_dino", "epochs": args.epochs, "seed": args.seed, **SHAPES_DINO,
              "object_attention_ratio": round(ratio, 4)}
    save_file({k: v.contiguous() for k, v in vit.state_dict().items()}, args.out, metadata={"recipe": json.dumps(recipe)})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
