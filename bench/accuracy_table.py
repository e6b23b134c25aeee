#!/usr/bin/env python3
"""Trains the published-accuracy table in one command and writes it as Markdown.

Each row trains one example project with a recipe preset (`qnnw train
--recipe`) on MNIST and puts our test accuracy beside the published figure,
with the epochs, the wall time and the training images per second. It prints
one JSON line per row (as the other benchmarks do) and, at the end, the table.

    python3 bench/accuracy_table.py                    # the whole table (hours on 2 cores)
    python3 bench/accuracy_table.py --only tfc --epochs 5 --out /tmp/table.md

Needs MNIST: --data DIR, or wherever `qnnw train` finds it (`qnnw data fetch mnist`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# project, recipe, published test accuracy (%), where the figure comes from
ROWS = [
    ("lfc-w1a1-mnist", "brevitas-shift", 98.88, "Brevitas bnn_pynq LFC_1W1A (BNN-PYNQ's shipped parameters: 98.40)"),
    ("tfc-w1a1-mnist", "brevitas-nodropout", 93.17, "Brevitas bnn_pynq TFC_1W1A"),
    ("tfc-w1a2-mnist", "brevitas-nodropout", 94.79, "Brevitas bnn_pynq TFC_1W2A"),
    ("tfc-w2a2-mnist", "brevitas-nodropout", 96.60, "Brevitas bnn_pynq TFC_2W2A"),
    ("lfc-fp32-mnist", "brevitas-short", 99.00, "the seed deck's FP32 LFC"),
]


def train(qnnw, project, recipe, args, out_dir):
    cmd = [qnnw, "train", os.path.join(ROOT, "projects", project + ".qnnproj"), "--recipe", recipe,
           "--out", out_dir, "--json"]
    if args.data:
        cmd += ["--data", args.data]
    if args.epochs:
        cmd += ["--epochs", str(args.epochs)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.time() - start
    runs = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    if proc.returncode != 0 or not runs:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), (proc.stderr or proc.stdout).strip()[-400:]))
    with open(os.path.join(out_dir, runs[-1], "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out_dir, runs[-1], "config.json")) as f:
        config = json.load(f)
    return summary, config, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qnnw", default=os.path.join(ROOT, "build", "bin", "qnnw"))
    ap.add_argument("--data", help="MNIST folder (default: where qnnw train finds it)")
    ap.add_argument("--epochs", type=int, help="override every recipe's epochs (for a quick look)")
    ap.add_argument("--threads", type=int, help="training threads (default: every core)")
    ap.add_argument("--only", help="rows whose project name contains this")
    ap.add_argument("--out", help="write the Markdown table here too")
    ap.add_argument("--runs-dir", help="keep the run folders here (default: a temporary folder, removed at the end)")
    args = ap.parse_args()

    lines = ["| network | recipe | published | ours | epochs | wall time | images/s |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="qnnw-accuracy-") as scratch:
        tmp = args.runs_dir or scratch
        for project, recipe, published, source in ROWS:
            if args.only and args.only not in project:
                continue
            out_dir = os.path.join(tmp, project)
            try:
                summary, config, wall = train(args.qnnw, project, recipe, args, out_dir)
            except RuntimeError as e:
                print(json.dumps({"bench": "accuracy_table", "project": project, "error": str(e)}), flush=True)
                lines.append("| %s | %s | %.2f %% | failed | | | |" % (project, recipe, published))
                continue
            ours = 100.0 * summary.get("test_accuracy", 0.0)
            epochs = config["project"]["training"]["epochs"]
            row = {"bench": "accuracy_table", "project": project, "recipe": config.get("recipe", recipe),
                   "published_percent": published, "source": source, "test_percent": round(ours, 2),
                   "best_epoch": summary.get("best_epoch"), "epochs": epochs, "wall_s": round(wall, 1),
                   "images_per_s": round(summary.get("images_per_s", 0.0)), "status": summary.get("status"),
                   "cores": os.cpu_count()}
            print(json.dumps(row), flush=True)
            lines.append("| %s | %s | %.2f %% (%s) | **%.2f %%** | %d | %.0f s | %s |" % (
                project, row["recipe"], published, source, ours, epochs, wall, "{:,}".format(row["images_per_s"])))
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
