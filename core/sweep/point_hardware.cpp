#include "core/sweep/point_hardware.h"

#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"

namespace qnn {

nlohmann::json pointHardware(const Project& project, double targetFps)
{
    nlohmann::json out{{"ok", false}, {"target_fps", targetFps}};
    DeviceDatabase db;
    std::string error;
    DeviceChoice choice;
    const std::string deviceName = !project.deploy.part.empty() ? project.deploy.part : project.deploy.board;
    if (!DeviceDatabase::standard(db, error) || !db.find(deviceName, choice, error)) {
        out["problem"] = error;
        return out;
    }
    EstimateOptions eo;
    eo.device = choice.device;
    eo.clockMhz = project.deploy.clockMhz > 0 ? project.deploy.clockMhz : choice.clockMhz;
    out["part"] = choice.device->part;
    out["clock_mhz"] = eo.clockMhz;
    out["capacity"] = {{"lut", choice.device->lut},
                       {"bram36", choice.device->bram36},
                       {"uram", choice.device->uram},
                       {"dsp", choice.device->dsp}};
    const Dataflow df = buildDataflow(project.graph);
    if (!df.ok()) {
        out["problem"] = "the graph is not a streaming dataflow the cost model knows";
        return out;
    }
    Folding folding;
    bool reaches = false;
    if (targetFps > 0 && foldForFps(df, targetFps, eo, folding, error)) {
        reaches = true;
    } else if (!foldForMax(df, eo, folding, error)) {
        // Nothing fits: the fully folded design (PE = SIMD = 1) still says how far off it is.
        folding = Folding{};
        folding.source = "pe 1, simd 1";
    }
    const Estimate e = estimateDesign(df, folding, eo);
    if (!e.ok) {
        out["problem"] = e.problems.empty() ? std::string("no estimate") : e.problems.front().message;
        return out;
    }
    out["ok"] = true;
    out["lut"] = e.lut;
    out["bram36"] = e.bram36;
    out["uram"] = e.uram;
    out["dsp"] = e.dsp;
    out["lut_percent"] = e.lutPercent;
    out["bram_percent"] = e.bramPercent;
    out["dsp_percent"] = e.dspPercent;
    out["fps"] = e.fps;
    out["latency_us"] = e.latencyUs;
    out["fits"] = e.fits;
    out["reaches_target"] = targetFps > 0 ? reaches && e.fps >= targetFps : true;
    out["folding"] = folding.source;
    out["provenance"] = e.provenance();
    return out;
}

} // namespace qnn
