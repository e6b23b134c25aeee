// qnnw import-packed: a BNN-PYNQ parameter folder becomes a project (graph and
// folding) and, beside it, runs/imported-<network>/ with the weight file, so
// that pack, run-packed --compare, Verify and deploy treat it as a trained run.
#include "app/cli/cli_command.h"

#include "core/hw/overlay.h"
#include "core/pack/bnn_pynq_import.h"
#include "core/pack/packed_folder.h"
#include "core/util/json_file.h"
#include "core/weights/weight_file.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace qnn::cli {

namespace {

struct Options {
    std::string dir;
    std::string network;
    std::string out;
    bool json = false;
    bool force = false;
};

int runImport(const Options& o)
{
    auto fail = [&o](const std::string& message) { return reportError(message, o.json); };
    std::error_code ec;
    std::string out = o.out;
    if (fs::path(out).extension() != ".qnnproj")
        out += ".qnnproj";
    // Checked before anything is read or written: a user's project is never replaced unasked.
    if (fs::exists(fs::symlink_status(out, ec)) && !o.force)
        return fail(out + " exists; choose another project file or pass --force to replace it (nothing was written)");
    if (fs::exists(fs::path(o.dir) / pack::kManifestFile, ec))
        return fail(o.dir + " is a folder written by qnnw pack (it has a manifest.json), not a BNN-PYNQ parameter "
                            "folder; run it with qnnw run-packed");
    pack::PackedNet net;
    std::string error;
    if (!pack::readPackedFolder(o.dir, o.network, net, error))
        return fail(error);
    Project project;
    WeightFile weights;
    if (!pack::importBnnPynq(net, project, weights, error))
        return fail(error);
    const fs::path projectDir = fs::absolute(out).parent_path();
    const std::string runName = "imported-" + net.network;
    const fs::path runDir = projectDir / "runs" / runName;
    fs::create_directories(runDir, ec);
    if (ec)
        return fail("cannot create " + runDir.string() + ": " + ec.message());
    if (!writeWeightFile((runDir / kWeightFileBest).string(), weights, error))
        return fail(error);
    weights.tag = "last";
    if (!writeWeightFile((runDir / kWeightFileLast).string(), weights, error))
        return fail(error);
    const nlohmann::json config = {{"source", "import-packed"},
                                   {"network", net.network},
                                   {"params", fs::absolute(o.dir).lexically_normal().string()},
                                   {"project", project.name}};
    if (!writeJsonFile((runDir / "config.json").string(), config, error))
        return fail(error);
    project.runs = {runName};
    if (!saveProject(out, project, error))
        return fail(error);
    if (o.json) {
        printResult({{"network", net.network},
                     {"project", out},
                     {"run", runDir.string()},
                     {"layers", net.layers.size()}});
    } else {
        std::printf("imported %s (%zu layers) from %s\nproject: %s\nrun:     %s (weights-best.qnnw)\n",
                    net.network.c_str(), net.layers.size(), o.dir.c_str(), out.c_str(), runDir.string().c_str());
    }
    return 0;
}

} // namespace

void addImportPackedCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("import-packed", "turn a BNN-PYNQ parameter folder into a project and a run");
    c->add_option("DIR", o->dir, "BNN-PYNQ parameter folder (<layer>-<pe>-weights.bin, -thres.bin, classes.txt)")
        ->required();
    c->add_option("--network", o->network, "the network (default: from the folder's name)")
        ->check(CLI::IsMember(prebuiltOverlayNames()));
    c->add_option("--out", o->out, "the project file to write (*.qnnproj)")->required();
    c->add_flag("--force", o->force, "replace the project file when it exists");
    c->add_flag("--json", o->json, "one JSON line");
    c->callback([o, &exitCode] { exitCode = runImport(*o); });
}

} // namespace qnn::cli
