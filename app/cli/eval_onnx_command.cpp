// qnnw eval-onnx: what a QONNX file computes, run as written.
#include "app/cli/cli_command.h"

#include "core/data/dataset.h"
#include "core/onnx/qonnx_eval.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct Options {
    std::string file;
    std::string data;
    std::string dataset;
    std::string split = "test";
    size_t limit = 0;
    bool json = false;
};

int runEvalOnnx(const Options& o)
{
    QonnxInterpreter model;
    std::string error;
    if (!model.load(o.file, error))
        return reportError(error, o.json);
    std::string name = o.dataset;
    if (name.empty()) {
        if (model.inputSize() == 784) {
            name = "mnist";
        } else if (model.inputSize() == 3072) {
            name = "cifar10";
        } else {
            reportError("the file's input has " + std::to_string(model.inputSize()) +
                            " values per image; say which dataset with --dataset",
                        o.json);
            return 2;
        }
    }
    DatasetRequest request;
    request.choice.name = name;
    request.dataDir = o.data;
    request.projectDir = ".";
    DatasetSplits data;
    if (!loadDataset(request, data, error))
        return reportError(error, o.json);
    const ImageSet& set = o.split == "validation" ? data.validation : o.split == "train" ? data.train : data.test;
    QonnxEvalResult r;
    if (!evaluateQonnx(model, set, o.limit, r, error))
        return reportError(o.file + ": " + error, o.json);
    if (o.json) {
        printResult({{"file", o.file},
                     {"dataset", name},
                     {"split", o.split},
                     {"images", r.images},
                     {"correct", r.correct},
                     {"accuracy", r.accuracy()}});
    } else {
        std::printf("%s on %s (%s): accuracy %.2f%% (%lld of %lld images)\n", o.file.c_str(), name.c_str(),
                    o.split.c_str(), 100.0 * r.accuracy(), static_cast<long long>(r.correct),
                    static_cast<long long>(r.images));
    }
    return 0;
}

} // namespace

void addEvalOnnxCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("eval-onnx", "accuracy of a QONNX file run as written (float QONNX semantics)");
    c->add_option("FILE", o->file, "the .onnx file")->required();
    c->add_option("--data", o->data, "dataset folder (default: shared/datasets/<name>)");
    c->add_option("--dataset", o->dataset, "dataset name (default: mnist for 784 inputs, cifar10 for 3072)")
        ->check(CLI::IsMember(knownDatasets()));
    c->add_option("--split", o->split, "test (default), validation or train")
        ->check(CLI::IsMember({"test", "validation", "train"}));
    c->add_option("--limit", o->limit, "only the first N images")->check(CLI::PositiveNumber);
    c->add_flag("--json", o->json, "the result as one JSON line");
    c->callback([o, &exitCode] { exitCode = runEvalOnnx(*o); });
}

} // namespace qnn::cli
