#!/usr/bin/env python
"""Train the shapes-world DALL·E shipped with the package (dVAE + transformer), deterministically on CPU.

    python tools/train_dalle.py [--out homl16/weights/dalle_shapes] [--threads 1]

Runs `homl16.dalle.train_shapes_dalle` with fixed seed and budget (the held-out colour×shape pairs excluded),
prints the training curves' summary and writes `<out>.safetensors` + `<out>.json`. The run's output is kept in
`tools/logs/train_dalle.log`.
"""
import argparse
import time

import numpy as np
import torch

from homl16.dalle import DiscreteVAE, save_shapes_dalle, shapes_training_data, train_shapes_dalle
from homl16.data import HELDOUT_PAIRS

CONFIG = dict(n_train=8000, dvae_steps=600, dalle_steps=1200, batch_size=64, seed=0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="homl16/weights/dalle_shapes")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.process_time()
    dvae, dalle, tok, (h1, h2) = train_shapes_dalle(**CONFIG, exclude_pairs=HELDOUT_PAIRS, progress=False)
    for name, h, keys in (("dVAE", h1, ("loss", "mse", "kl")), ("DALL·E", h2, ("loss", "text_loss", "image_loss"))):
        n = len(h.train)
        for s in sorted({0, n // 4, n // 2, 3 * n // 4, n - 1}):
            rows = h.train[max(0, s - 24):s + 1]
            print(f"{name} step {rows[-1]['step']:5d}: " + ", ".join(f"{k} {np.mean([r[k] for r in rows]):.4f}" for k in keys))
    x, _ = shapes_training_data(600, seed=123)
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(dvae.decode(dvae.encode(x)), x).item()
    cpu = time.process_time() - t0
    print(f"dVAE reconstruction MSE on 600 fresh scenes: {mse:.4f}; CPU time {cpu:.0f} s")
    save_shapes_dalle(dvae, dalle, tok, args.out, training=CONFIG | {"exclude_pairs": "HELDOUT_PAIRS", "threads": args.threads},
                      dvae_final_loss=round(float(np.mean([r["loss"] for r in h1.train[-25:]])), 4),
                      dalle_final_image_loss=round(float(np.mean([r["image_loss"] for r in h2.train[-25:]])), 4),
                      reconstruction_mse=round(mse, 4))
    print(f"saved {args.out}.safetensors and {args.out}.json")


if __name__ == "__main__":
    main()
