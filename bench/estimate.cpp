// Speed of the FPGA cost model on CNV (BNN-PYNQ cnvW1A1, xc7z020, 100 MHz):
// one estimate as the Hardware dock does it on every edit (graph analysis,
// dataflow, estimate), and the `--fps` folding search. One JSON line.
#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/overlay.h"
#include "core/project/project.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <typename F>
double medianMs(int runs, F&& f)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        f();
        times.push_back(ms(Clock::now() - t0));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main()
{
    qnn::Project p;
    std::string error;
    if (!qnn::loadProject(QNN_SOURCE_DIR "/projects/cnv-w1a1-cifar10.qnnproj", p, error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    const qnn::DeviceDatabase db = qnn::DeviceDatabase::builtIn();
    qnn::DeviceChoice device;
    db.find("xc7z020", device, error);
    qnn::EstimateOptions o;
    o.device = device.device;
    o.clockMhz = 100;

    double lut = 0;
    const double estimateMs = medianMs(200, [&] {
        const qnn::Dataflow df = qnn::buildDataflow(p.graph);
        qnn::Folding f;
        qnn::bnnPynqFolding(df, f, error);
        lut += qnn::estimateDesign(df, f, o).lut;
    });
    const qnn::Dataflow df = qnn::buildDataflow(p.graph);
    qnn::Folding found;
    bool ok = true;
    const double searchMs = medianMs(5, [&] { ok = qnn::foldForFps(df, 1000, o, found, error) && ok; });
    const double maxMs = medianMs(5, [&] { ok = qnn::foldForMax(df, o, found, error) && ok; });
    const qnn::Estimate e = qnn::estimateDesign(df, found, o);
    nlohmann::json j{{"bench", "estimate"},
                     {"network", "cnvW1A1"},
                     {"device", "xc7z020"},
                     {"estimate_ms", estimateMs},
                     {"fps_search_ms", searchMs},
                     {"fps_search_target", 1000},
                     {"max_search_ms", maxMs},
                     {"max_fps", e.fps},
                     {"ok", ok && lut > 0}};
    std::cout << j.dump() << "\n";
    return ok ? 0 : 1;
}
