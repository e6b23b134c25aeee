#!/usr/bin/env python3
"""Train a qnnw project from Python and follow the run: docs/protocol.md."""
import json
import signal
import subprocess
import sys

QNNW = sys.argv[1] if len(sys.argv) > 1 else "qnnw"
PROJECT = sys.argv[2] if len(sys.argv) > 2 else "projects/synthetic-digits-w1a1.qnnproj"


def events(command):
    """Runs `qnnw COMMAND --json` and yields its events; stops it on Ctrl-C."""
    child = subprocess.Popen([QNNW] + command + ["--json"], stdout=subprocess.PIPE, text=True)
    try:
        for line in child.stdout:
            event = json.loads(line)
            if event["version"] > 1:
                raise RuntimeError("qnnw speaks protocol version %d; this script reads 1" % event["version"])
            yield event
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)  # qnnw stops after the batch, resumable
    child.wait()


result = None
for e in events(["train", PROJECT, "--epochs", "2", "--train-limit", "1000", "--progress"]):
    if e["event"] == "step" and e["step"] == "start":
        print("run folder:", e["run"])
    elif e["event"] == "progress":
        print("epoch %d: batch %d of %d, loss %.3f" % (e["epoch"], e["done"], e["total"], e["loss"]))
    elif e["event"] == "step" and e["step"] == "epoch":
        print("epoch %d done: validation accuracy %.2f %%" % (e["epoch"], 100 * e["val_accuracy"]))
    elif e["event"] == "error":
        sys.exit("qnnw: " + e["message"])
    elif e["event"] == "result":
        result = e
print("status %s, test accuracy %.2f %%" % (result["status"], 100 * result["test_accuracy"]))
