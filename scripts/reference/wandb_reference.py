"""Logs a run the way `ltb export --to wandb` does, with the official `wandb` client.

Usage (WANDB_BASE_URL and WANDB_API_KEY set): wandb_reference.py ENTITY PROJECT
A run with a config, three history steps of one target's figures, a per-case Table, a summary
value, then finished.
"""
import sys

import wandb

run = wandb.init(entity=sys.argv[1], project=sys.argv[2], name="reference", config={"suite": "s", "repeats": "2"},
                 tags=["ltb"], notes="written by the official client")
for step in range(3):
    run.log({"fake/m/e2e_ms": 10.0 + step, "fake/m/ttft_ms": 5.0, "fake/m/success": 1, "fake/m/output_tokens": 4})
table = wandb.Table(columns=["case", "target", "e2e_ms", "verdict"],
                    data=[["c0", "fake/m", 10.0, "pass"], ["c1", "fake/m", 11.0, "fail"]])
run.log({"cases": table})
run.summary["fake/m/pass_rate"] = 0.5
run.finish()
print("ok")
