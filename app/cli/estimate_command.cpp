// qnnw estimate: cycles, FPS, latency and FPGA resources of a project's
// graph under a folding, against a device.
#include "app/cli/cli_command.h"

#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/overlay.h"
#include "core/project/project.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct Options {
    std::string project;
    std::string device;
    double clockMhz = 0;
    double fps = 0;
    std::string folding;
    std::string saveFolding;
    std::string model = "calibrated";
    std::string devicesFile;
    bool noSave = false;
    bool json = false;
};

int fail(const std::string& message, int code = 1)
{
    std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    return code;
}

// The folding the options ask for; `chosen` is true when the user picked it
// (so it is stored in the project), false for the project's own or a default.
bool pickFolding(const Options& o, const Project& p, const Dataflow& df, const EstimateOptions& eo, Folding& out,
                 bool& chosen, std::string& error)
{
    chosen = true;
    if (o.fps > 0)
        return foldForFps(df, o.fps, eo, out, error);
    if (o.folding == "bnn-pynq")
        return bnnPynqFolding(df, out, error);
    if (o.folding == "max")
        return foldForMax(df, eo, out, error);
    if (!o.folding.empty()) {
        if (!readFoldingFile(o.folding, out, error))
            return false;
        return resolveFinnNames(df, out, error);
    }
    chosen = false;
    if (!p.deploy.folding.empty()) {
        out = p.deploy.folding;
        if (out.source.empty())
            out.source = "project";
        return true;
    }
    if (bnnPynqFolding(df, out, error))
        return true;
    return foldForMax(df, eo, out, error);
}

int runEstimate(const Options& o)
{
    Project p;
    if (!loadProjectOrSay(o.project, p))
        return 1;
    DeviceDatabase db;
    std::string error;
    if (!DeviceDatabase::standard(db, error) || (!o.devicesFile.empty() && !db.addFile(o.devicesFile, error)))
        return fail(error);
    DeviceChoice choice;
    const std::string deviceName = !o.device.empty() ? o.device : !p.deploy.part.empty() ? p.deploy.part : p.deploy.board;
    if (!db.find(deviceName, choice, error))
        return fail(error, o.device.empty() ? 1 : 2);
    EstimateOptions eo;
    eo.device = choice.device;
    // An explicit device brings its board's clock; otherwise the project's clock.
    eo.clockMhz = o.clockMhz > 0 ? o.clockMhz : !o.device.empty() ? choice.clockMhz : p.deploy.clockMhz;
    eo.model = o.model == "finn" ? CostModel::Finn : CostModel::Calibrated;

    const Dataflow df = buildDataflow(p.graph);
    Folding folding;
    bool chosen = false;
    if (df.ok() && !pickFolding(o, p, df, eo, folding, chosen, error))
        return fail(error);
    const Estimate e = estimateDesign(df, folding, eo);
    const OverlayMatch overlay = matchOverlay(df);

    if (e.ok && chosen && !o.noSave && !(p.deploy.folding == folding && p.deploy.folding.source == folding.source)) {
        p.deploy.folding = folding;
        if (!saveProject(o.project, p, error))
            return fail(error);
    }
    if (e.ok && !o.saveFolding.empty() && !writeFoldingFile(o.saveFolding, folding, error))
        return fail(error);

    if (o.json) {
        nlohmann::json j = estimateToJson(e);
        j["project"] = p.name;
        j["device"] = {{"part", choice.device->part}, {"board", choice.board}};
        j["overlay"] = {{"matches", overlay.matches},
                        {"nearest", overlay.overlay ? overlay.overlay->name : std::string()},
                        {"verdict", overlay.verdict}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << p.name << " on " << choice.device->part << (choice.board.empty() ? "" : " (" + choice.board + ")")
                  << "\n"
                  << formatEstimate(e);
        if (e.ok)
            std::cout << "overlay:    " << overlay.verdict << "\n";
    }
    return e.ok && e.verdict != FitVerdict::DoesNotFit ? 0 : 1;
}

} // namespace

void addEstimateCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("estimate", "FPGA cycles, FPS, latency and LUT/BRAM/URAM/DSP per layer");
    addProjectArgument(*c, o->project);
    c->add_option("--device", o->device, "part or board, e.g. xc7z020, pynq-z2, ultra96 (default: the project's)");
    c->add_option("--clock", o->clockMhz, "fabric clock in MHz (default: the board's, else the project's)")
        ->check(CLI::Range(1.0, 2000.0));
    auto* fps = c->add_option("--fps", o->fps, "the cheapest folding that reaches N frames per second")
                    ->check(CLI::PositiveNumber);
    c->add_option("--folding", o->folding,
                  "FILE (ours or FINN's folding_config.json), bnn-pynq (the matching prebuilt overlay's) or max "
                  "(the fastest that fits); default: the project's, else bnn-pynq, else max")
        ->excludes(fps);
    c->add_option("--save-folding", o->saveFolding, "write the folding used to FILE");
    c->add_flag("--no-save", o->noSave, "do not store a chosen folding in the project's deploy section");
    c->add_option("--model", o->model, "resource model: calibrated (default) or finn (FINN's formulas, uncalibrated)")
        ->check(CLI::IsMember({"calibrated", "finn"}));
    c->add_option("--devices", o->devicesFile, "an extra devices file in the format of resources/devices.json")
        ->check(CLI::ExistingFile);
    c->add_flag("--json", o->json, "the same figures as JSON");
    c->callback([o, &exitCode] { exitCode = runEstimate(*o); });
}

} // namespace qnn::cli
