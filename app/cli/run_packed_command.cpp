// qnnw run-packed: a packed folder (ours or Xilinx's BNN-PYNQ parameters) run
// on the CPU by the bit-exact integer engine; accuracy and speed, and with
// --compare RUN the trained float model beside it, layer by layer.
#include "app/cli/cli_command.h"
#include "app/cli/packed_compare.h"

#include "core/hw/overlay.h"
#include "core/data/dataset.h"
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"
#include "core/pack/packed_run.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct Options {
    std::string dir;
    std::string data;
    std::string network;
    std::string compareRun;
    std::string project;
    std::string epoch = "best";
    std::string imagesFile;
    std::string labelsFile;
    bool predictions = false;
    size_t limit = 0;
    int threads = 0;
    bool json = false;
};

int runPacked(const Options& o)
{
    pack::PackedNet net;
    std::string error;
    if (!pack::readPackedFolder(o.dir, o.network, net, error))
        return reportError(error, o.json);
    pack::IntegerEngine engine;
    if (!engine.load(net, error))
        return reportError(o.dir + ": " + error, o.json);
    ImageSet images;
    bool labelled = true;
    if (!o.imagesFile.empty()) {
        if (!pack::readImageFile(o.imagesFile, o.labelsFile, images, labelled, error))
            return reportError(error, o.json);
    } else {
        DatasetRequest request;
        request.choice.name = net.dataset.empty() ? "mnist" : net.dataset;
        request.dataDir = o.data;
        DatasetSplits data;
        if (!loadDataset(request, data, error))
            return reportError(error, o.json);
        images = std::move(data.test);
    }
    images.truncate(o.limit);
    if (!engine.accepts(images, error))
        return reportError(error, o.json);

    if (!o.compareRun.empty())
        return comparePacked(o.dir, engine, images, o.compareRun, o.project, o.epoch, o.json);
    pack::PackedRunReport report = pack::runPackedImages(engine, images, labelled, o.threads);
    report.folder = o.dir;
    report.listPredictions = o.predictions;
    if (o.json)
        printResult(pack::packedRunJson(report));
    else
        std::cout << pack::packedRunText(report);
    return 0;
}

} // namespace

void addRunPackedCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("run-packed", "run a packed folder in the bit-exact integer engine on the CPU");
    c->add_option("DIR", o->dir, "packed folder (qnnw pack output, or a BNN-PYNQ parameter folder)")->required();
    c->add_option("--data", o->data, "dataset folder (MNIST IDX files or CIFAR-10 batches); default: searched");
    c->add_option("--network", o->network, "BNN-PYNQ network of a folder without manifest (default: from its name)")
        ->check(CLI::IsMember(prebuiltOverlayNames()));
    c->add_option("--images", o->imagesFile,
                  "run these images instead of the test set: an IDX image file or a CIFAR-10 binary batch");
    c->add_option("--labels", o->labelsFile, "IDX label file of --images (for the accuracy)");
    c->add_flag("--predictions", o->predictions, "print every prediction (in --json: a \"predictions\" list)");
    c->add_option("--limit", o->limit, "only the first N test images");
    c->add_option("--threads", o->threads, "threads (default: all cores)")->check(CLI::NonNegativeNumber);
    c->add_option("--compare", o->compareRun,
                  "RUN: the run's trained float model on the same images, layer by layer (a run folder, or a "
                  "name under the runs/ of --project)");
    c->add_option("--project", o->project, "the project of --compare RUN (default: the one beside the run folder)");
    c->add_option("--epoch", o->epoch, "the float weights of --compare: best (default) or last")
        ->check(CLI::IsMember({"best", "last"}));
    c->add_flag("--json", o->json, "one JSON line per result");
    c->callback([o, &exitCode] { exitCode = runPacked(*o); });
}

} // namespace qnn::cli
