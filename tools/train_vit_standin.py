#!/usr/bin/env python
"""Train the offline stand-in for `google/vit-base-patch16-224-in21k` shipped with the package:

    homl16/weights/vit_in21k_standin.safetensors    a `transformers.ViTModel` (`homl16.hub.VIT_STANDIN`, no pooler), fp32

    python tools/train_vit_standin.py [--steps 1200] > tools/logs/train_vit_standin.log

The recipe is `homl16.hub.pretrain_vit_standin` (30-way colour×shape classification of cluttered, noisy shapes,
1,200 steps of batch 64). Deterministic: fixed seed, one CPU thread. The log reports the loss curve and the measure
`03_hub` shows: nearest-class-mean accuracy of the class token on 500 unseen images (30 classes), against a randomly
initialised model of the same architecture.
"""
from __future__ import annotations

import argparse
import time

import torch
from safetensors.torch import save_file
from transformers import ViTConfig, ViTModel

from homl16.core import count_params
from homl16.data import shapes_classification
from homl16.hub import VIT_STANDIN, VIT_STANDIN_WEIGHTS, pretrain_vit_standin


def ncm_accuracy(backbone, X: torch.Tensor, y: torch.Tensor, n_fit: int = 1000) -> float:
    "Nearest class mean on the normalised class token: means from the first `n_fit` images, scored on the rest."
    with torch.no_grad():
        f = torch.nn.functional.normalize(backbone(pixel_values=(X - 0.5) / 0.5).last_hidden_state[:, 0], dim=-1)
    means = torch.stack([f[:n_fit][y[:n_fit] == c].mean(0) for c in range(int(y.max()) + 1)])
    return ((f[n_fit:] @ means.T).argmax(-1) == y[n_fit:]).float().mean().item()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="homl16/weights/vit_in21k_standin.safetensors")
    args = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.process_time()
    vit = pretrain_vit_standin(steps=args.steps, seed=args.seed, progress=False)
    X, y = shapes_classification(1500, 32, seed=123, target="shape_color", noise=0.03, clutter=10)
    torch.manual_seed(0)
    random_init = ViTModel(ViTConfig(**VIT_STANDIN), add_pooling_layer=False).eval()
    print(f"ViTModel {VIT_STANDIN}: {count_params(vit):,} parameters; CPU time {time.process_time() - t0:.0f} s")
    print(f"nearest class mean, 30 classes (chance 0.033): pretrained {ncm_accuracy(vit, X, y):.3f}, "
          f"random init {ncm_accuracy(random_init, X, y):.3f}")
    save_file({k: v.contiguous() for k, v in vit.state_dict().items()}, args.out,
              metadata={"recipe": f"homl16.hub.pretrain_vit_standin(steps={args.steps}, seed={args.seed}), 1 thread"})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
