#pragma once

// What the deploy tests share: the stand-in bnn package and a trained LFC.
#include "support/qnnw_runner.h"
#include "support/sshd_fixture.h"

#include "core/util/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>

#include <nlohmann/json.hpp>

// The stand-in `bnn` package the board's runner imports: BNN-PYNQ's API
// (LfcClassifier / CnvClassifier(network, params, runtime), classify_mnists,
// classify_cifars, usecPerImage) answered by the workbench's integer engine
// through qnnw, so the runner's PYNQ path runs for real.
inline const char* kStandInBnn = R"PY(
import json
import subprocess

QNNW = "@QNNW@"
NETWORK_LFCW1A1 = "lfcW1A1"
NETWORK_LFCW1A2 = "lfcW1A2"
NETWORK_CNVW1A1 = "cnvW1A1"
NETWORK_CNVW1A2 = "cnvW1A2"
NETWORK_CNVW2A2 = "cnvW2A2"
RUNTIME_HW = "python_hw"
RUNTIME_SW = "python_sw"


class _Classifier:
    def __init__(self, network, params, runtime=RUNTIME_HW):
        self.network = network
        self.params = params
        self.runtime = runtime
        self.usecPerImage = None

    def _classify(self, path):
        done = subprocess.run([QNNW, "run-packed", self.params, "--images", path, "--predictions", "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        result = json.loads([l for l in done.stdout.splitlines() if l.startswith("{")][-1])
        self.usecPerImage = result["usec_per_image"]
        return result["predictions"]


class LfcClassifier(_Classifier):
    def classify_mnists(self, path):
        return self._classify(path)


class CnvClassifier(_Classifier):
    def classify_cifars(self, path):
        return self._classify(path)
)PY";

/** Writes the stand-in bnn package where the fixture's ssh sessions import it from. */
inline bool installStandInBnn(SshdFixture& sshd, QString& error)
{
    QDir().mkpath(sshd.path("site/bnn"));
    QFile bnn(sshd.path("site/bnn/__init__.py"));
    if (!bnn.open(QIODevice::WriteOnly)) {
        error = "cannot write " + bnn.fileName();
        return false;
    }
    bnn.write(QByteArray(kStandInBnn).replace("@QNNW@", qnn::test::qnnwPath().toUtf8()));
    return true;
}

/** LFC W1A1 (the prebuilt overlay's shape) on the built-in synthetic digits,
 *  trained for one short epoch with the real qnnw: `dir`/lfc.qnnproj and its
 *  run. Other `hiddenUnits` than 1024 give a custom network that matches no
 *  prebuilt overlay (and trains faster). */
inline bool trainLfc(const QString& dir, QString& projectDir, QString& run, QString& error, int hiddenUnits = 1024)
{
    projectDir = dir;
    QDir().mkpath(dir);
    QFile source(QNN_SOURCE_DIR "/projects/lfc-w1a1-mnist.qnnproj");
    source.open(QIODevice::ReadOnly);
    nlohmann::json project = nlohmann::json::parse(source.readAll().toStdString());
    project["dataset"] = {{"name", "synthetic-digits"}, {"path", ""}};
    for (auto& node : project["graph"]["nodes"])
        if (node["kind"] == "Dense" && node["attrs"]["units"] == 1024)
            node["attrs"]["units"] = hiddenUnits;
    std::string why;
    if (!qnn::writeFileAtomic((dir + "/lfc.qnnproj").toStdString(), project.dump(2), why)) {
        error = QString::fromStdString(why);
        return false;
    }
    const auto train =
        qnn::test::runQnnw({"train", dir + "/lfc.qnnproj", "--epochs", "1", "--train-limit", "2000", "--json"}, 180000);
    if (train.exitCode != 0) {
        error = "qnnw train failed: " + QString::fromUtf8(train.err);
        return false;
    }
    const QStringList runs = QDir(dir + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    if (runs.size() != 1) {
        error = "expected one run folder in " + dir + "/runs";
        return false;
    }
    run = runs.first();
    return true;
}
