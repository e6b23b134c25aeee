#!/usr/bin/env python3
"""Runs a model deployed by QNN Workbench on the board it sits on and prints
one JSON line: accuracy, predictions, microseconds per image, which engine.

Uses the `bnn` package (BNN-PYNQ) with its prebuilt overlay when the network
is one of the prebuilt ones and the package is there; otherwise the qnn-run
the workbench uploaded for this board's CPU (deploy.json "runtime"), the
bit-exact integer engine; otherwise a `qnnw` on the PATH; otherwise says what
is missing. Reads deploy.json beside it; writes result.json beside it too.
Python 3.5+ and no third-party modules: PYNQ images ship an old Python.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import time

PREBUILT = ("lfcW1A1", "lfcW1A2", "cnvW1A1", "cnvW1A2", "cnvW2A2")


def read_labels(path):
    with open(path, "rb") as f:
        magic, count = struct.unpack(">II", f.read(8))
        if magic != 0x801:
            raise ValueError("%s is not an IDX label file" % path)
        return list(f.read(count))


def run_bnn(bnn, network, model, images, images_format):
    runtime = getattr(bnn, "RUNTIME_HW", "python_hw")
    start = time.time()
    if network.startswith("lfc"):
        classifier = bnn.LfcClassifier(network, model, runtime)
        predictions = classifier.classify_mnists(images)
    else:
        classifier = bnn.CnvClassifier(network, model, runtime)
        predictions = classifier.classify_cifars(images)
    elapsed = time.time() - start
    usec = getattr(classifier, "usecPerImage", None)
    if usec is None and len(predictions):
        usec = elapsed * 1e6 / len(predictions)
    return {"engine": "bnn", "overlay": network, "predictions": [int(p) for p in predictions],
            "usec_per_image": float(usec)}


def run_engine(command, engine, here, deploy):
    """qnn-run or qnnw run-packed: both speak the protocol (one JSON event a line)."""
    command = command + [os.path.join(here, deploy["model"]),
                         "--images", os.path.join(here, deploy["images"]),
                         "--labels", os.path.join(here, deploy["labels"]), "--predictions", "--json"]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    events = []
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    errors = [e.get("message", "") for e in events if e.get("event") == "error"]
    results = [e for e in events if e.get("event", "result") == "result" and "predictions" in e]
    if done.returncode != 0 or not results:
        why = errors[-1] if errors else (done.stderr.strip() or "no output")[-500:]
        raise RuntimeError("%s failed: %s" % (engine, why))
    out = results[-1]
    usec = out.get("usec_per_image")
    if usec is None and out.get("images_per_second"):
        usec = 1e6 / out["images_per_second"]
    return {"engine": engine, "predictions": [int(p) for p in out["predictions"]], "usec_per_image": usec}


def run_qnn_run(here, deploy):
    """The qnn-run that came with the deployment, for this board's CPU; None when none did."""
    runtime = deploy.get("runtime")
    if not isinstance(runtime, dict) or not runtime.get("file"):
        return None
    path = os.path.join(here, os.path.basename(runtime["file"]))
    if not os.path.isfile(path):
        return None
    result = run_engine([path], "qnn-run", here, deploy)
    result["arch"] = str(runtime.get("arch") or "")
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(here, "deploy.json")) as f:
            deploy = json.load(f)
        labels = read_labels(os.path.join(here, deploy["labels"]))
    except (OSError, ValueError, KeyError) as e:
        print(json.dumps({"error": "the deployment folder is incomplete: %s" % e}))
        return 1
    network = deploy.get("network") or ""
    model = os.path.join(here, deploy["model"])
    images = os.path.join(here, deploy["images"])
    missing = []
    result = None
    try:
        if network in PREBUILT:
            try:
                import bnn
            except ImportError:
                bnn = None
                missing.append("the bnn package (BNN-PYNQ) for the prebuilt %s overlay" % network)
            if bnn is not None:
                result = run_bnn(bnn, network, model, images, deploy.get("images_format"))
        else:
            missing.append("a prebuilt overlay for this network (it matches none)")
    except Exception as e:  # the bnn package raises anything; the user needs the sentence
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e),
                          "hint": "loading a PYNQ overlay needs root: deploy as a user that may load it"}))
        return 1
    try:
        if result is None:
            result = run_qnn_run(here, deploy)
            if result is None:
                missing.append("a qnn-run for this CPU")
        if result is None:
            qnnw = shutil.which("qnnw")
            if qnnw:
                result = run_engine([qnnw, "run-packed"], "qnnw", here, deploy)
            else:
                missing.append("qnnw on the PATH")
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        print(json.dumps({"error": str(e)}))
        return 1
    if result is None:
        print(json.dumps({"error": "cannot run here: missing " + " and ".join(missing)}))
        return 1
    predictions = result["predictions"]
    if len(predictions) < len(labels):
        labels = labels[:len(predictions)]
    correct = sum(1 for p, l in zip(predictions, labels) if p == l)
    result["images"] = len(labels)
    result["accuracy"] = correct / len(labels) if labels else 0.0
    usec = result.get("usec_per_image")
    result["images_per_second"] = 1e6 / usec if usec else None
    result["run"] = deploy.get("run")
    line = json.dumps(result, separators=(",", ":"))
    with open(os.path.join(here, deploy.get("result", "result.json")) + ".tmp", "w") as f:
        f.write(line + "\n")
    os.replace(os.path.join(here, deploy.get("result", "result.json")) + ".tmp",
               os.path.join(here, deploy.get("result", "result.json")))
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
