"""Speed of the course's models against timm and transformers: same configurations, copied weights, interleaved runs.

Every pair is a course model built by the course's own loader (`vit_from_timm`, `swin_from_hf`, `lm_from_hf`, ...) from a
randomly initialised reference (no downloads), so both sides hold the same weights. Before anything is timed, the outputs
are compared (max |diff| <= 1e-4 in fp32): the timings are of the same computation. `homl16.core.compare_speed`
interleaves the two implementations over several rounds and reports medians; the ratio that matters is

    speed-up = time(reference) / time(course)      (> 1: the course's model is faster)

CPU (default): fp32, inference (no_grad) and one training step (forward, backward of a scalar loss, AdamW step; both
models in eval mode so dropout and batch-norm statistics do not differ).

GPU (`--device cuda`): bf16 autocast, eager (every pair) and `torch.compile` (`--compile`: the ViT and Swin pairs by default), inference throughput (items/s) and training MFU with the
attention FLOPs counted by `homl16.core.model_flops` (training FLOPs = 3 x forward) against a peak of 989e12 FLOP/s
(H100/H200 dense bf16).

    python tools/benchmarks.py                     # CPU, standard configs, batch 8 -> tools/logs/benchmarks_cpu.{log,csv}
    python tools/benchmarks.py --device cuda       # GPU table -> tools/logs/benchmarks_cuda.{log,csv} (< 8 minutes on an H200)
    python tools/benchmarks.py --small --batch 1   # tiny configs, seconds (what the notebook's tests run)
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from homl16.core import compare_speed, count_params, model_flops, seed_everything

PEAK_BF16 = 989e12          # H100 / H200 SXM, dense bf16 tensor-core peak, FLOP/s
TARGETS = {"timm": 1.0, "transformers": 1.2}   # GPU speed-up targets (reference time / course time)
LOG_DIR = Path(__file__).resolve().parent / "logs"


@dataclass
class Pair:
    "One course model and its reference with the same weights, the inputs, and how to call each of them."
    name: str                                   # e.g. "ViT-S/16"
    reference: str                              # "timm" or "transformers"
    config: str                                 # what was built, in words
    ours: nn.Module
    ref: nn.Module
    inputs: tuple                               # positional arguments of both runners
    run_ours: Callable[..., torch.Tensor]       # (model, *inputs) -> the tensor to compare
    run_ref: Callable[..., torch.Tensor]
    items: int = 0                              # images (or sequences) per batch
    notes: list[str] = field(default_factory=list)

    def to(self, device, dtype=None) -> "Pair":
        self.ours.to(device); self.ref.to(device)
        self.inputs = tuple(x.to(device) if torch.is_tensor(x) else x for x in self.inputs)
        return self


def _quiet():
    "Silence transformers' load reports and progress bars while references are built."
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def _features(out) -> torch.Tensor:
    "transformers 5.x returns output objects from `get_*_features`, 4.x tensors."
    return out if torch.is_tensor(out) else out.pooler_output


def _hf(model_cls, config, notes: list[str], **model_kw) -> nn.Module:
    "A transformers model with SDPA attention, or eager (noted) where transformers has no SDPA path for it."
    try:
        config._attn_implementation = "sdpa"
        return model_cls(config, **model_kw).eval()
    except ValueError:
        config._attn_implementation = "eager"
        notes.append(f"{model_cls.__name__} has no SDPA path in transformers: eager attention")
        return model_cls(config, **model_kw).eval()


# ---------------------------------------------------------------------------------------------------------------------
# The pairs. `small=True`: a tiny configuration of the same architecture (seconds on CPU, for the tests).
# ---------------------------------------------------------------------------------------------------------------------
def _images(batch: int, size: int | tuple[int, int]) -> torch.Tensor:
    h, w = (size, size) if isinstance(size, int) else size
    return torch.randn(batch, 3, h, w)


def vit_timm(variant: str, batch: int, small: bool) -> Pair:
    import timm
    from homl16.vit import vit_from_timm
    arch = {"S": "vit_small_patch16_224", "B": "vit_base_patch16_224"}[variant]
    kw = dict(img_size=64, embed_dim=64, depth=2, num_heads=4, num_classes=10) if small else {}
    ref = timm.create_model(arch, pretrained=False, **kw).eval()
    ours = vit_from_timm(ref).eval()
    size = kw.get("img_size", 224)
    return Pair(f"ViT-{variant}/16", "timm", f"{arch}{' (tiny)' if small else ''}, {size} px", ours, ref,
                (_images(batch, size),), lambda m, x: m(x), lambda m, x: m(x), batch)


def vit_hf(batch: int, small: bool) -> Pair:
    from transformers import ViTConfig, ViTModel
    from homl16.vit import vit_from_hf
    kw = dict(image_size=64, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256) if small else {}
    notes = []
    ref = _hf(ViTModel, ViTConfig(**kw), notes, add_pooling_layer=False)
    ours = vit_from_hf(ref).eval()
    size = kw.get("image_size", 224)
    return Pair("ViT-B/16", "transformers", f"ViTModel{' (tiny)' if small else ' (ViT-B/16)'}, {size} px", ours, ref,
                (_images(batch, size),), lambda m, x: m.forward_features(x), lambda m, x: m(pixel_values=x).last_hidden_state, batch, notes)


def deit_timm(batch: int, small: bool) -> Pair:
    import timm
    from homl16.deit import deit_from_timm
    arch = "deit_small_distilled_patch16_224"
    kw = dict(img_size=64, embed_dim=64, depth=2, num_heads=4, num_classes=10) if small else {}
    ref = timm.create_model(arch, pretrained=False, **kw).eval()
    ours = deit_from_timm(ref).eval()
    size = kw.get("img_size", 224)
    return Pair("DeiT-S (distilled)", "timm", f"{arch}{' (tiny)' if small else ''}, {size} px", ours, ref,
                (_images(batch, size),), lambda m, x: m(x), lambda m, x: m(x), batch)


def swin_timm(batch: int, small: bool) -> Pair:
    import timm
    from homl16.swin import randomize_, swin_from_timm
    arch = "swin_tiny_patch4_window7_224"
    size, window = (64, 4) if small else (224, 7)
    kw = dict(img_size=size, window_size=window, embed_dim=24, depths=(2, 2), num_heads=(1, 2), num_classes=10) if small else {}
    ref = randomize_(timm.create_model(arch, pretrained=False, **kw)).eval()
    ours = swin_from_timm(ref, size, window).eval()
    return Pair("Swin-T", "timm", f"{arch}{' (tiny)' if small else ''}, {size} px", ours, ref,
                (_images(batch, size),), lambda m, x: m(x), lambda m, x: m(x), batch)


def swin_hf(batch: int, small: bool) -> Pair:
    from transformers import SwinConfig, SwinModel
    from homl16.swin import randomize_, swin_from_hf
    kw = dict(image_size=64, embed_dim=24, depths=[2, 2], num_heads=[1, 2], window_size=4) if small else {}
    notes = []
    ref = randomize_(_hf(SwinModel, SwinConfig(**kw), notes))
    ours = swin_from_hf(ref).eval()
    size = kw.get("image_size", 224)
    return Pair("Swin-T", "transformers", f"SwinModel{' (tiny)' if small else ' (Swin-T)'}, {size} px", ours, ref,
                (_images(batch, size),), lambda m, x: m.forward_stages(x)[-1].mean((1, 2)),
                lambda m, x: m(pixel_values=x).pooler_output, batch, notes)


def pvt_hf(batch: int, small: bool) -> Pair:
    from transformers import PvtConfig, PvtForImageClassification
    from homl16.pvt import pvt_from_hf
    kw = dict(image_size=64, hidden_sizes=[16, 32, 48, 64], num_attention_heads=[1, 2, 3, 4], depths=[1, 2, 1, 1],
              num_labels=10) if small else {}
    notes = []
    ref = _hf(PvtForImageClassification, PvtConfig(**kw), notes)
    ours = pvt_from_hf(ref).eval()
    size = kw.get("image_size", 224)
    return Pair("PVT v1-Tiny", "transformers", f"PvtForImageClassification{' (tiny)' if small else ' (PVT-Tiny)'}, {size} px",
                ours, ref, (_images(batch, size),), lambda m, x: m(x), lambda m, x: m(pixel_values=x).logits, batch, notes)


def _clip(small: bool):
    from transformers import CLIPConfig, CLIPModel
    from homl16.clip import clip_from_hf
    kw = {}
    if small:
        kw = dict(text_config=dict(vocab_size=100, hidden_size=64, intermediate_size=256, num_hidden_layers=2,
                                   num_attention_heads=4, max_position_embeddings=16, bos_token_id=98, eos_token_id=99,
                                   pad_token_id=99),
                  vision_config=dict(hidden_size=48, intermediate_size=192, num_hidden_layers=2, num_attention_heads=3,
                                     image_size=32, patch_size=8), projection_dim=24)
    notes = []
    ref = _hf(CLIPModel, CLIPConfig(**kw), notes)
    return ref, clip_from_hf(ref).eval(), notes


def clip_image_hf(batch: int, small: bool) -> Pair:
    ref, ours, notes = _clip(small)
    size = ref.config.vision_config.image_size
    return Pair("CLIP image tower", "transformers", f"CLIPModel{' (tiny)' if small else ' (ViT-B/32)'}, {size} px", ours, ref,
                (_images(batch, size),), lambda m, x: m.encode_image(x),
                lambda m, x: _features(m.get_image_features(pixel_values=x)), batch, notes)


def clip_text_hf(batch: int, small: bool) -> Pair:
    ref, ours, notes = _clip(small)
    t = ref.config.text_config
    ids = torch.randint(0, t.eos_token_id, (batch, t.max_position_embeddings))
    ids[:, -1] = t.eos_token_id          # one end-of-text token per row, where both towers pool
    return Pair("CLIP text tower", "transformers", f"CLIPModel{' (tiny)' if small else ' (12 x 512)'}, {ids.shape[1]} tokens",
                ours, ref, (ids,), lambda m, i: m.encode_text(i), lambda m, i: _features(m.get_text_features(input_ids=i)), batch, notes)


def detr_hf(batch: int, small: bool) -> Pair:
    from transformers import DetrConfig, DetrForObjectDetection
    from homl16.detr import detr_from_hf
    kw = dict(backbone="resnet18", d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
              decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128, num_queries=10, num_labels=5) if small \
        else dict(backbone="resnet50")
    notes = []
    ref = _hf(DetrForObjectDetection, DetrConfig(use_timm_backbone=True, use_pretrained_backbone=False, dropout=0.0, **kw), notes)
    ours = detr_from_hf(ref).eval()
    size = 128 if small else 512
    return Pair("DETR", "transformers", f"DetrForObjectDetection ({kw['backbone']}{', tiny' if small else ''}), {size} px",
                ours, ref, (_images(batch, size),), lambda m, x: m(x)["logits"], lambda m, x: m(pixel_values=x).logits, batch, notes)


def mae_hf(batch: int, small: bool) -> Pair:
    from transformers import ViTMAEConfig, ViTMAEForPreTraining
    from homl16.mae import mae_from_hf
    kw = dict(image_size=32, patch_size=4, hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=256,
              decoder_hidden_size=32, decoder_num_hidden_layers=2, decoder_num_attention_heads=4,
              decoder_intermediate_size=128) if small else {}
    notes = []
    ref = _hf(ViTMAEForPreTraining, ViTMAEConfig(**kw), notes)
    with torch.no_grad():    # a random init leaves both fixed position tables at zero: fill them so they count
        ref.vit.embeddings.position_embeddings.normal_(); ref.decoder.decoder_pos_embed.normal_()
    ours = mae_from_hf(ref).eval()
    c = ref.config
    x, noise = _images(batch, c.image_size), torch.rand(batch, (c.image_size // c.patch_size) ** 2)
    return Pair("MAE", "transformers", f"ViTMAEForPreTraining{' (tiny)' if small else ' (ViT-B/16, decoder 512 x 8)'}, "
                f"{c.image_size} px, 75% masked", ours, ref, (x, noise),
                lambda m, x, n: m(x, noise=n)["pred"], lambda m, x, n: m(pixel_values=x, noise=n).logits, batch, notes)


def opt_hf(batch: int, small: bool) -> Pair:
    from transformers import OPTConfig, OPTForCausalLM
    from homl16.lm import lm_from_hf
    kw = dict(vocab_size=83, hidden_size=64, num_hidden_layers=2, ffn_dim=256, num_attention_heads=4,
              max_position_embeddings=32, word_embed_proj_dim=64) if small else {}
    notes = []
    ref = _hf(OPTForCausalLM, OPTConfig(dropout=0.0, attention_dropout=0.0, **kw), notes)
    ours = lm_from_hf(ref).eval()
    T = 32 if small else 256
    ids = torch.randint(3, ref.config.vocab_size, (batch, T))
    return Pair("OPT decoder (CausalLM)", "transformers", f"OPTForCausalLM{' (tiny)' if small else ' (OPT-125M)'}, {T} tokens",
                ours, ref, (ids,), lambda m, i: m(i), lambda m, i: m(input_ids=i).logits, batch, notes)


def qformer_hf(batch: int, small: bool) -> Pair:
    from transformers import Blip2Config, Blip2ForImageTextRetrieval
    from homl16.blip2 import qformer_from_hf
    image_dim, n_img = (32, 5) if small else (1408, 257)
    q = dict(vocab_size=100, hidden_size=48, num_hidden_layers=3, num_attention_heads=4, intermediate_size=96,
             encoder_hidden_size=image_dim, max_position_embeddings=64, cross_attention_frequency=2) if small else {}
    cfg = Blip2Config(vision_config=dict(hidden_size=image_dim, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                                         image_size=16, patch_size=8),   # the vision tower is not timed: image features are given
                      qformer_config=dict(use_qformer_text_input=True, **q), num_query_tokens=4 if small else 32,
                      image_text_hidden_size=16 if small else 256)
    notes = []
    ref = _hf(Blip2ForImageTextRetrieval, cfg, notes)
    with torch.no_grad():
        ref.query_tokens.normal_()                      # HF starts them at zero
    ours = qformer_from_hf(ref).eval()
    img = torch.randn(batch, n_img, image_dim)
    run_ref = lambda m, e: m.qformer(query_embeds=m.query_tokens.expand(e.shape[0], -1, -1), encoder_hidden_states=e).last_hidden_state
    return Pair("BLIP-2 Q-Former (queries)", "transformers",
                f"Blip2 Q-Former{' (tiny)' if small else ' (BERT-base, 32 queries, ViT-g features 257 x 1408)'}",
                ours, ref, (img,), lambda m, e: m(e), run_ref, batch, notes)


CASES: dict[str, Callable[[int, bool], Pair]] = {
    "vit_s_timm": lambda b, s: vit_timm("S", b, s),
    "vit_b_timm": lambda b, s: vit_timm("B", b, s),
    "vit_b_hf": vit_hf,
    "deit_s_timm": deit_timm,
    "swin_t_timm": swin_timm,
    "swin_t_hf": swin_hf,
    "pvt_hf": pvt_hf,
    "clip_image_hf": clip_image_hf,
    "clip_text_hf": clip_text_hf,
    "mae_hf": mae_hf,
    "qformer_hf": qformer_hf,
    "opt_hf": opt_hf,
    "detr_hf": detr_hf,
}


# ---------------------------------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------------------------------
def build(case: str, batch: int, small: bool = False, seed: int = 0) -> Pair:
    "Build one pair (random reference, course model by the course's loader)."
    _quiet()
    seed_everything(seed)
    return CASES[case](batch, small)


def max_diff(p: Pair) -> float:
    "max |course - reference| of the compared outputs (fp32, no_grad)."
    with torch.no_grad():
        a, b = p.run_ours(p.ours, *p.inputs), p.run_ref(p.ref, *p.inputs)
    if a.shape != b.shape:
        raise ValueError(f"{p.name}: output shapes differ, course {tuple(a.shape)} vs reference {tuple(b.shape)}")
    return (a.float() - b.float()).abs().max().item()


def train_step(model: nn.Module, run: Callable, inputs: tuple, opt: torch.optim.Optimizer, autocast) -> Callable[[], None]:
    "A zero-argument training step: forward, scalar loss, backward, optimizer step."
    def step():
        with autocast():
            loss = run(model, *inputs).float().square().mean()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


def trained_params(model: nn.Module, run: Callable, inputs: tuple) -> int:
    "How many parameters receive a gradient from one backward pass (the same count on both sides: the same training)."
    run(model, *inputs).float().square().mean().backward()
    n = sum(p.numel() for p in model.parameters() if p.grad is not None)
    model.zero_grad(set_to_none=True)
    return n


def _optimizer(model: nn.Module, device: str) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW(params, lr=1e-6, fused=device == "cuda")


def _ms(df, impl: str) -> float:
    return float(df.loc[impl, "median_ms"])


def bench_cpu(p: Pair, *, rounds: int, min_run_time: float, train: bool = True) -> dict[str, Any]:
    "fp32 inference and training-step medians, course vs reference, interleaved."
    row = dict(model=p.name, reference=p.reference, config=p.config, batch=p.items, params=count_params(p.ours),
               max_diff=max_diff(p))
    if row["max_diff"] > 1e-4:
        raise AssertionError(f"{p.name}: course and {p.reference} outputs differ by {row['max_diff']:.2e} (> 1e-4)")
    with torch.no_grad():
        inf = compare_speed({"course": lambda: p.run_ours(p.ours, *p.inputs), p.reference: lambda: p.run_ref(p.ref, *p.inputs)},
                            rounds=rounds, min_run_time=min_run_time)
    row.update(infer_course_ms=_ms(inf, "course"), infer_ref_ms=_ms(inf, p.reference))
    row["infer_speedup"] = row["infer_ref_ms"] / row["infer_course_ms"]
    if train:
        n_ours, n_ref = trained_params(p.ours, p.run_ours, p.inputs), trained_params(p.ref, p.run_ref, p.inputs)
        if n_ours != n_ref:
            p.notes.append(f"parameters receiving gradients differ: course {n_ours:,}, {p.reference} {n_ref:,}")
        nullctx = contextlib.nullcontext
        fns = {"course": train_step(p.ours, p.run_ours, p.inputs, _optimizer(p.ours, "cpu"), nullctx),
               p.reference: train_step(p.ref, p.run_ref, p.inputs, _optimizer(p.ref, "cpu"), nullctx)}
        tr = compare_speed(fns, rounds=rounds, min_run_time=min_run_time)
        row.update(train_course_ms=_ms(tr, "course"), train_ref_ms=_ms(tr, p.reference))
        row["train_speedup"] = row["train_ref_ms"] / row["train_course_ms"]
    row["notes"] = "; ".join(p.notes)
    return row


class _Runner(nn.Module):
    "Wrap `run(model, *inputs)` as a module, so `model_flops` can count one forward call."
    def __init__(self, model: nn.Module, run: Callable):
        super().__init__()
        self.model, self.run = model, run

    def forward(self, *inputs):
        return self.run(self.model, *inputs)


def forward_flops(model: nn.Module, *inputs) -> int:
    """FLOPs of one forward call by `homl16.core.model_flops` (PyTorch's `FlopCounterMode`: on CUDA it counts the SDPA
    kernels' attention FLOPs too). Its module tracker can trip over a model under `no_grad` ("Expected gradient function
    to be set", seen with the Q-Former): then the same counter runs with gradients enabled."""
    try:
        return model_flops(model, *inputs)
    except AssertionError:
        from torch.utils.flop_counter import FlopCounterMode
        with FlopCounterMode(display=False) as counter:
            model(*inputs)
        return counter.get_total_flops()


def bench_cuda(p: Pair, *, rounds: int, min_run_time: float, compile: bool, device: str = "cuda") -> list[dict[str, Any]]:
    "bf16 autocast on CUDA: inference throughput and training MFU, eager (and compiled), course vs reference."
    p.to(device)
    row0 = dict(model=p.name, reference=p.reference, config=p.config, batch=p.items, params=count_params(p.ours),
                max_diff_fp32=max_diff(p))
    if row0["max_diff_fp32"] > 1e-3:   # TF32 matmuls are allowed on GPU: a looser bound than the CPU's 1e-4
        raise AssertionError(f"{p.name}: course and {p.reference} outputs differ by {row0['max_diff_fp32']:.2e}")
    autocast = lambda: torch.autocast(device, dtype=torch.bfloat16)
    flops = forward_flops(_Runner(p.ours, p.run_ours), *p.inputs)
    rows = []
    for mode in (("eager", "compiled") if compile else ("eager",)):
        wrap = (lambda m: torch.compile(m)) if mode == "compiled" else (lambda m: m)
        ours, ref = wrap(_Runner(p.ours, p.run_ours)), wrap(_Runner(p.ref, p.run_ref))
        def infer(m):
            def f():
                with torch.no_grad(), autocast():
                    m(*p.inputs)
            return f
        inf = compare_speed({"course": infer(ours), p.reference: infer(ref)}, rounds=rounds, min_run_time=min_run_time)
        call = lambda m, *x: m(*x)
        tr = compare_speed({"course": train_step(ours, call, p.inputs, _optimizer(p.ours, device), autocast),
                            p.reference: train_step(ref, call, p.inputs, _optimizer(p.ref, device), autocast)},
                           rounds=rounds, min_run_time=min_run_time)
        row = dict(row0, mode=mode, fwd_gflop=flops / 1e9,
                   infer_course_per_s=p.items / (_ms(inf, "course") / 1e3), infer_ref_per_s=p.items / (_ms(inf, p.reference) / 1e3),
                   train_course_ms=_ms(tr, "course"), train_ref_ms=_ms(tr, p.reference))
        row["infer_speedup"] = row["infer_course_per_s"] / row["infer_ref_per_s"]
        row["train_speedup"] = row["train_ref_ms"] / row["train_course_ms"]
        row["train_mfu_course"] = 3 * flops / (row["train_course_ms"] / 1e3) / PEAK_BF16
        row["train_mfu_ref"] = 3 * flops / (row["train_ref_ms"] / 1e3) / PEAK_BF16
        rows.append(row)
    return rows


@contextlib.contextmanager
def _quiet_stderr():
    "Silence C-level writes to stderr (the profiler's start/stop lines and its GPU probe on CUDA-less machines)."
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def profile_ops(fn: Callable[[], Any], n: int = 8):
    "Profile one call of `fn` after a warm-up: the top-`n` operators by self CPU time (DataFrame) and the total in ms."
    import pandas as pd
    from torch.profiler import ProfilerActivity, profile
    fn()
    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    ev = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in ev) / 1e3
    rows = sorted(((e.key, e.self_cpu_time_total / 1e3, e.count) for e in ev), key=lambda r: -r[1])[:n]
    return pd.DataFrame(rows, columns=["op", "self ms", "calls"]).assign(share=lambda d: d["self ms"] / total), total


# ---------------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------------
CPU_COLUMNS = {"model": "model", "reference": "reference", "batch": "batch", "max_diff": "max |diff|",
               "infer_course_ms": "infer course ms", "infer_ref_ms": "infer ref ms", "infer_speedup": "infer speed-up",
               "train_course_ms": "train course ms", "train_ref_ms": "train ref ms", "train_speedup": "train speed-up"}
CUDA_COLUMNS = {"model": "model", "reference": "reference", "mode": "mode", "batch": "batch", "fwd_gflop": "fwd GFLOP",
                "infer_course_per_s": "course items/s", "infer_ref_per_s": "ref items/s", "infer_speedup": "infer speed-up",
                "train_speedup": "train speed-up", "train_mfu_course": "course MFU", "train_mfu_ref": "ref MFU"}


def table(rows: list[dict], device: str = "cpu"):
    "A DataFrame of the rows with readable column names."
    import pandas as pd
    cols = CPU_COLUMNS if device == "cpu" else CUDA_COLUMNS
    df = pd.DataFrame(rows)
    for c in ("max_diff", "max_diff_fp32"):
        if c in df: df[c] = df[c].map(lambda v: f"{v:.1e}")
    return df[[c for c in cols if c in df]].rename(columns=cols)


def markdown(df) -> str:
    "The table as GitHub markdown (no `tabulate` needed)."
    def fmt(col: str, v) -> str:
        if not isinstance(v, float): return str(v)
        if "MFU" in col: return f"{v:.1%}"
        return f"{v:.1e}" if abs(v) < 1e-2 else f"{v:.2f}"
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(c, v) for c, v in zip(df.columns, r)) + " |" for r in df.itertuples(index=False)]
    return "\n".join(lines)


def machine() -> str:
    "The machine in one line."
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip(); break
    gpu = f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ""
    return f"{cpu} ({os.cpu_count()} logical cores){gpu}; torch {torch.__version__}, {torch.get_num_threads()} threads"


def read_log(path: str | Path) -> tuple[dict[str, str], Any]:
    "The header fields (`# key: value` lines) and the table (a DataFrame) of a CSV written by `main`."
    import io
    import pandas as pd
    text = Path(path).read_text()
    meta = dict(l[2:].split(": ", 1) for l in text.splitlines() if l.startswith("# ") and ": " in l)
    return meta, pd.read_csv(io.StringIO(text), comment="#")


def write_csv(path: Path, header: dict[str, str], rows: list[dict]) -> None:
    "The rows as CSV under `# key: value` header lines (read back with `read_log`)."
    import pandas as pd
    with open(path, "w") as f:
        for k, v in header.items(): f.write(f"# {k}: {v}\n")
        pd.DataFrame(rows).to_csv(f, index=False)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--models", default=",".join(CASES), help=f"comma-separated, from {', '.join(CASES)}")
    ap.add_argument("--batch", type=int, default=None, help="batch size (default: 8 on CPU, 64 on GPU)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    ap.add_argument("--min-run-time", type=float, default=None, help="seconds per measurement (default: 0.5 CPU, 0.3 GPU)")
    ap.add_argument("--small", action="store_true", help="tiny configurations (a smoke test)")
    ap.add_argument("--no-train", action="store_true", help="inference only")
    ap.add_argument("--compile", default="vit_s_timm,vit_b_timm,vit_b_hf,swin_t_timm",
                    help="GPU: the cases also timed under torch.compile ('' for none, 'all')")
    ap.add_argument("--budget-s", type=float, default=300, help="GPU: compile no more once this many seconds have passed")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default: torch's default)")
    ap.add_argument("--gpu-path-on-cpu", action="store_true", help="run the --device cuda code on the CPU (a smoke test)")
    ap.add_argument("--out", default=None, help="where to write the .csv (and .log): default tools/logs/benchmarks_<device>")
    args = ap.parse_args(argv)
    if args.threads: torch.set_num_threads(args.threads)
    cuda = args.device == "cuda" or args.gpu_path_on_cpu
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device here")
    batch = args.batch or (64 if cuda else 8)
    rounds = args.rounds
    min_run_time = args.min_run_time or (0.3 if cuda else 0.5)
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    out = Path(args.out or LOG_DIR / f"benchmarks_{'cuda' if cuda else 'cpu'}{'_small' if args.small else ''}")
    out.parent.mkdir(parents=True, exist_ok=True)
    log = open(out.with_suffix(".log"), "w")
    def say(msg: str = "") -> None:
        print(msg, flush=True); log.write(msg + "\n"); log.flush()
    header = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
              "command": "python tools/benchmarks.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
              "settings": f"batch {batch}, {rounds} interleaved rounds, min_run_time {min_run_time} s, "
                          + ("bf16 autocast" if cuda else "fp32")}
    for k, v in header.items(): say(f"# {k}: {v}")
    start, rows = time.time(), []
    for case in args.models.split(","):
        t0 = time.time()
        p = build(case, batch if case != "opt_hf" or not cuda else max(1, batch // 2), args.small)
        if cuda:
            new = bench_cuda(p, rounds=rounds, min_run_time=min_run_time, device=args.device,
                             compile=(args.compile == "all" or case in args.compile.split(",")) and time.time() - start < args.budget_s)
        else:
            new = [bench_cpu(p, rounds=rounds, min_run_time=min_run_time, train=not args.no_train)]
        rows += new
        for r in new:
            say(f"{case}: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items())
                + f"  [{time.time() - t0:.0f} s]")
        del p
        if cuda: torch.cuda.empty_cache()
        write_csv(out.with_suffix(".csv"), header, rows)        # after every model: a stopped run keeps what it measured
    df = table(rows, "cuda" if cuda else "cpu")
    say("\n" + markdown(df))
    if cuda:
        for r in rows:
            goal = TARGETS.get(r["reference"])
            say(f"{r['model']} vs {r['reference']} ({r['mode']}): infer {r['infer_speedup']:.2f}x, train {r['train_speedup']:.2f}x"
                f" (target >= {goal}x); course training MFU {r['train_mfu_course']:.1%}"
                + (" (target >= 35%)" if r["model"] == "ViT-B/16" else ""))
    say(f"# total: {time.time() - start:.0f} s")
    log.close()
    return rows


if __name__ == "__main__":
    main()
