#include "core/pack/run_packer.h"

#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/overlay.h"
#include "core/pack/overlay_match.h"
#include "core/pack/packed_folder.h"
#include "core/pack/packer.h"
#include "core/run/run_project.h"
#include "core/weights/weight_file.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::pack {

namespace {

bool chooseFolding(const Project& project, const Dataflow& df, const std::string& choice, Folding& out,
                   std::string& error)
{
    if (choice == "bnn-pynq")
        return bnnPynqFolding(df, out, error);
    if (!choice.empty()) {
        if (!readFoldingFile(choice, out, error))
            return false;
        return resolveFinnNames(df, out, error);
    }
    std::string ignored;
    if (bnnPynqFolding(df, out, ignored))
        return true;
    if (!project.deploy.folding.empty()) {
        out = project.deploy.folding;
        if (out.source.empty())
            out.source = "project";
        return true;
    }
    // The fastest folding that fits the project's device.
    DeviceDatabase db;
    DeviceChoice device;
    const std::string part = !project.deploy.part.empty() ? project.deploy.part : project.deploy.board;
    if (!DeviceDatabase::standard(db, error) || !db.find(part, device, error))
        return false;
    EstimateOptions options;
    options.device = device.device;
    options.clockMhz = project.deploy.clockMhz;
    if (foldForMax(df, options, out, error))
        return true;
    error = "no folding chosen (" + error + "); give --folding bnn-pynq or a folding FILE, or set one with qnnw estimate";
    return false;
}

} // namespace

bool packRun(const Project& current, const RunPackRequest& request, RunPackResult& result, std::string& error)
{
    // Pack the graph the run trained (an FP32 twin's, or the graph before later edits).
    Project project;
    if (!projectOfRun(request.runDir, current, project, error))
        return false;
    const auto start = std::chrono::steady_clock::now();
    if (request.epoch != "best" && request.epoch != "last") {
        error = "--epoch takes best or last, not \"" + request.epoch + "\"";
        return false;
    }
    const std::string weightPath =
        (fs::path(request.runDir) / (request.epoch == "best" ? kWeightFileBest : kWeightFileLast)).string();
    std::error_code ec;
    if (!fs::exists(weightPath, ec)) {
        error = "the run " + request.runDir + " has no " + fs::path(weightPath).filename().string() +
                " (the trainer writes it after the first epoch)";
        return false;
    }
    WeightFile weights;
    if (!readWeightFile(weightPath, weights, error))
        return false;
    const Dataflow df = buildDataflow(project.graph);
    if (!df.ok()) {
        error = df.problems.front().message;
        return false;
    }
    PackRequest pr;
    if (!chooseFolding(project, df, request.folding, pr.folding, error))
        return false;
    pr.network = project.name;
    pr.dataset = project.dataset.name;
    if (!packGraph(project.graph, weights, pr, result.net, error))
        return false;
    result.folding = pr.folding;
    result.overlay = matchPackedOverlay(result.net, result.difference);
    ManifestExtras extras;
    extras.foldingSource = pr.folding.source;
    extras.project = project.name;
    extras.run = fs::path(request.runDir).lexically_normal().filename().string();
    if (extras.run.empty())
        extras.run = fs::path(request.runDir).lexically_normal().parent_path().filename().string();
    extras.epoch = request.epoch + " (epoch " + std::to_string(weights.epoch) + ")";
    extras.overlay = {{"matches", !result.overlay.empty()},
                      {"name", result.overlay},
                      {"verdict", result.overlay.empty() ? result.difference
                                                         : "runs on the prebuilt " + result.overlay +
                                                               " overlay: only the weights change"}};
    if (!writePackedFolder(request.outDir, result.net, extras, error))
        return false;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return true;
}

} // namespace qnn::pack
