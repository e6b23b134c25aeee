// qnnw pack: a trained run's weights as the integers an FPGA loads (BNN-PYNQ
// folder layout, config.h, manifest.json with every file's SHA-256).
#include "app/cli/cli_command.h"
#include "app/cli/run_folder.h"

#include "core/hw/folding.h"
#include "core/pack/run_packer.h"
#include "core/project/project.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct Options {
    std::string project;
    std::string run;
    std::string out;
    std::string folding;
    std::string epoch = "best";
    bool json = false;
};

int runPack(const Options& o)
{
    Project p;
    if (!loadProjectOrSay(o.project, p, o.json))
        return 1;
    std::string error;
    pack::RunPackRequest request;
    if (!findRunFolder(o.run, projectFolderOf(o.project), request.runDir, error))
        return reportError(error, o.json);
    request.epoch = o.epoch;
    request.folding = o.folding;
    request.outDir = o.out;
    pack::RunPackResult r;
    if (!pack::packRun(p, request, r, error)) {
        return reportError("cannot pack: " + error, o.json);
    }
    const std::string verdict = r.overlay.empty() ? "matches no prebuilt overlay (" + r.difference + ")"
                                                  : "matches the prebuilt " + r.overlay +
                                                        " overlay: only the weights change";
    if (o.json) {
        printResult({{"out", o.out},
                     {"layers", r.net.layers.size()},
                     {"folding", foldingLayersToJson(r.folding)},
                     {"folding_source", r.folding.source},
                     {"overlay", r.overlay},
                     {"verdict", verdict},
                     {"seconds", r.seconds}});
        return 0;
    }
    std::printf("packed %s (%s weights) into %s in %.2f s\n", p.name.c_str(), o.epoch.c_str(), o.out.c_str(),
                r.seconds);
    std::printf("folding (%s): %s\n", r.folding.source.c_str(), foldingSummary(r.folding).c_str());
    for (size_t i = 0; i < r.net.layers.size(); ++i) {
        const pack::PackedLayer& l = r.net.layers[i];
        std::printf("  %zu %-10s %5lld×%-5lld padded %5lld×%-5lld  W%d in %d-bit  %d threshold%s per row\n", i,
                    l.name.c_str(), (long long)l.rows, (long long)l.cols, (long long)l.mh, (long long)l.mw,
                    l.weightBits, l.inputBits, l.thresholdsPerRow, l.thresholdsPerRow == 1 ? "" : "s");
    }
    std::printf("overlay: %s\n", verdict.c_str());
    return 0;
}

} // namespace

void addPackCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("pack", "write a run's packed weights and thresholds (BNN-PYNQ layout)");
    addProjectArgument(*c, o->project);
    c->add_option("--run", o->run, "run folder, or its name under the project's runs/")->required();
    c->add_option("--out", o->out, "folder to write")->required();
    c->add_option("--folding", o->folding,
                  "bnn-pynq (the matching prebuilt overlay's) or FILE (ours or FINN's folding_config.json); "
                  "default: the matching overlay's, else the project's, else the fastest");
    c->add_option("--epoch", o->epoch, "best (default) or last")->check(CLI::IsMember({"best", "last"}));
    c->add_flag("--json", o->json, "one JSON line");
    c->callback([o, &exitCode] { exitCode = runPack(*o); });
}

} // namespace qnn::cli
