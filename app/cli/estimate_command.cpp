// qnnw estimate: cycles, FPS, latency and FPGA resources of a project's
// graph under a folding, against a device.
#include "app/cli/cli_command.h"

#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/overlay.h"
#include "core/hw/peak.h"
#include "core/project/project.h"
#include "core/project/project_lock.h"

#include <cmath>
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
    /** --save-folding was given (with a FILE or without: then into the project). */
    bool saveFoldingGiven = false;
    std::string model = "calibrated";
    std::string devicesFile;
    bool noSave = false;
    bool json = false;
    bool peak = false;
    double fill = 0.7;
};

// A number the user typed that must be finite and in a range: CLI11's own
// range check lets "nan" through (every comparison with NaN is false).
CLI::Validator finiteIn(double lo, double hi, const std::string& what)
{
    return CLI::Validator(
        [lo, hi, what](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi)
                return what + ", got \"" + text + "\"";
            return {};
        },
        "NUMBER");
}

int fail(const std::string& message, int code = 1)
{
    std::fprintf(stderr, "qnnw: %s\n", message.c_str());
    return code;
}

// The folding the options ask for; `chosen` is true when the user picked it,
// false for the project's own or a default.
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

int runPeak(const Options& o)
{
    DeviceDatabase db;
    std::string error;
    if (!DeviceDatabase::standard(db, error) || (!o.devicesFile.empty() && !db.addFile(o.devicesFile, error)))
        return fail(error);
    Project p;
    if (!o.project.empty() && !loadProjectOrSay(o.project, p))
        return 1;
    const std::string deviceName = !o.device.empty()      ? o.device
                                   : o.project.empty()     ? std::string()
                                   : !p.deploy.part.empty() ? p.deploy.part
                                                            : p.deploy.board;
    if (deviceName.empty())
        return fail("--peak needs a device: --device D (a part or board, e.g. xcku115)", 2);
    DeviceChoice choice;
    if (!db.find(deviceName, choice, error))
        return fail(error, 2);
    const PeakTable t = peakTable(*choice.device, o.clockMhz > 0 ? o.clockMhz : peakClockMhz(*choice.device), o.fill);
    // With a project: its requirement, ops per frame × the target FPS (--fps, else what its folding reaches).
    double required = 0, fps = 0, perFrame = 0;
    if (!o.project.empty()) {
        const Dataflow df = buildDataflow(p.graph);
        if (df.ok()) {
            perFrame = opsPerFrame(df);
            fps = o.fps;
            if (!(fps > 0)) {
                Folding folding;
                bool chosen = false;
                EstimateOptions eo;
                eo.device = choice.device;
                eo.clockMhz = t.clockMhz;
                if (pickFolding(o, p, df, eo, folding, chosen, error))
                    fps = estimateDesign(df, folding, eo).fps;
            }
            required = perFrame * fps;
        }
    }
    if (o.json) {
        nlohmann::json j = peakTableToJson(t);
        if (required > 0)
            j["required"] = {{"ops_per_frame", perFrame}, {"fps", fps}, {"ops_per_second", required}};
        printResult(j);
    } else {
        std::cout << formatPeakTable(t, required,
                                     required > 0 ? formatOps(perFrame).substr(0, formatOps(perFrame).size() - 2) +
                                                        " per frame × " + std::to_string(int64_t(std::llround(fps))) + " FPS"
                                                  : std::string());
    }
    return 0;
}

int runEstimate(const Options& o)
{
    auto fail = [&o](const std::string& message, int code = 1) {
        reportError(message, o.json);
        return code;
    };
    if (o.peak)
        return runPeak(o);
    if (o.project.empty())
        return fail("estimate needs a PROJECT (or --peak --device D for what a device can do)", 2);
    Project p;
    if (!loadProjectOrSay(o.project, p, o.json))
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

    // A question does not change its input: the project is written only on
    // --save-folding without a FILE (issue 15).
    (void)chosen;
    if (e.ok && o.saveFoldingGiven && o.saveFolding.empty() &&
        !(p.deploy.folding == folding && p.deploy.folding.source == folding.source)) {
        p.deploy.folding = folding;
        // Only the folding changes, under the project's lock (a window may be saving it).
        if (!updateProjectFile(
                o.project,
                [&](Project& onDisk) {
                    onDisk.deploy.folding = folding;
                    return true;
                },
                error))
            return fail(error);
    }
    if (e.ok && !o.saveFolding.empty() && !writeFoldingFile(o.saveFolding, folding, error))
        return fail(error);
    const std::string overlayText = e.ok ? overlayVerdict(overlay, df, folding) : overlay.verdict;

    if (o.json) {
        nlohmann::json j = estimateToJson(e);
        j["project"] = p.name;
        j["device"] = {{"part", choice.device->part}, {"board", choice.board}};
        j["overlay"] = {{"matches", overlay.matches},
                        {"nearest", overlay.overlay ? overlay.overlay->name : std::string()},
                        {"folding_matches", overlay.matches && overlayFoldingMatches(df, *overlay.overlay, folding)},
                        {"verdict", overlayText}};
        printResult(j);
    } else {
        std::cout << p.name << " on " << choice.device->part << (choice.board.empty() ? "" : " (" + choice.board + ")")
                  << "\n"
                  << formatEstimate(e);
        if (e.ok)
            std::cout << "overlay:    " << overlayText << "\n";
    }
    return e.ok && e.verdict != FitVerdict::DoesNotFit ? 0 : 1;
}

} // namespace

void addEstimateCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("estimate", "FPGA cycles, FPS, latency and LUT/BRAM/URAM/DSP per layer");
    // PROJECT is optional for --peak alone; runEstimate says so otherwise.
    c->add_option("PROJECT", o->project, "the project file (*.qnnproj); optional with --peak");
    c->add_option("--device", o->device, "part or board, e.g. xc7z020, pynq-z2, ultra96 (default: the project's)");
    c->add_option("--clock", o->clockMhz, "fabric clock in MHz (default: the board's, else the project's)")
        ->check(finiteIn(1, 2000, "must be a number of MHz from 1 to 2000"));
    auto* fps = c->add_option("--fps", o->fps, "the cheapest folding that reaches N frames per second")
                    ->check(finiteIn(1e-9, 1e15, "must be a finite number of frames per second above 0"));
    c->add_option("--folding", o->folding,
                  "FILE (ours or FINN's folding_config.json), bnn-pynq (the matching prebuilt overlay's) or max "
                  "(the fastest that fits); default: the project's, else bnn-pynq, else max")
        ->excludes(fps);
    auto* save = c->add_option("--save-folding", o->saveFolding,
                               "store the folding used in the project's deploy section (no value; put PROJECT first), "
                               "or write it to FILE")
                     ->expected(0, 1);
    c->add_flag("--no-save", o->noSave, "(no effect: estimate never writes the project unless --save-folding)");
    c->add_option("--model", o->model, "resource model: calibrated (default) or finn (FINN's formulas, uncalibrated)")
        ->check(CLI::IsMember({"calibrated", "finn"}));
    c->add_option("--devices", o->devicesFile, "an extra devices file in the format of resources/devices.json")
        ->check(CLI::ExistingFile);
    c->add_flag("--peak", o->peak,
                "peak operations per second of --device at 1, 2, 4, 8, 16 and 32 bits (with a PROJECT: its need)");
    c->add_option("--fill", o->fill, "with --peak: the fraction of the device filled with MAC units (default 0.7)")
        ->check(finiteIn(1e-6, 1, "must be a fraction above 0 and at most 1"));
    c->add_flag("--json", o->json, "the same figures as JSON");
    c->callback([o, save, &exitCode] {
        o->saveFoldingGiven = save->count() > 0;
        exitCode = runEstimate(*o);
    });
}

} // namespace qnn::cli
