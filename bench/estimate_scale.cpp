// How `qnnw summary` and `qnnw estimate` grow with the graph, and reading a
// devices file with the number of parts (issue 15: both must be linear). A
// chain Input → (Dense 64 → BatchNorm → Sign) × n → Output of 8k, 16k and 32k
// nodes; devices files of 25k, 50k and 100k parts. In-process, so process
// start-up is not in the figures. One JSON line; "ratio_*" is the time at the
// largest size over the smallest (4 for linear growth, 16 for quadratic).
#include "core/graph/graph_analysis.h"
#include "core/graph/graph_json.h"
#include "core/graph/graph_summary.h"
#include "core/hw/dataflow.h"
#include "core/hw/device.h"
#include "core/hw/estimate.h"
#include "core/hw/overlay.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

nlohmann::json chain(int nodes)
{
    using nlohmann::json;
    json ns = json::array(), es = json::array();
    ns.push_back({{"id", 1}, {"kind", "Input"}, {"name", "input"}, {"act_bits", 1}, {"attrs", {{"shape", {64}}}}});
    int id = 1;
    for (int k = 1; id < nodes - 3; ++k)
        for (const char* kind : {"Dense", "BatchNorm", "Activation"}) {
            ++id;
            json n{{"id", id}, {"kind", kind}, {"name", std::string(kind) + std::to_string(k)}};
            if (std::string(kind) == "Dense") {
                n["weight_bits"] = 1;
                n["attrs"] = {{"units", 64}, {"bias", false}};
            } else if (std::string(kind) == "Activation") {
                n["act_bits"] = 1;
                n["attrs"] = {{"function", "sign"}};
            }
            ns.push_back(n);
            es.push_back({{"from", id - 1}, {"to", id}});
        }
    ++id;
    ns.push_back({{"id", id}, {"kind", "Output"}, {"name", "out"}, {"attrs", {{"classes", 64}}}});
    es.push_back({{"from", id - 1}, {"to", id}});
    return {{"nodes", ns}, {"edges", es}};
}

std::string devicesText(int parts)
{
    nlohmann::json list = nlohmann::json::array();
    for (int i = 0; i < parts; ++i)
        list.push_back({{"part", "xcbench" + std::to_string(i)},
                        {"lut", 1000 + i},
                        {"ff", 1},
                        {"bram36", 10},
                        {"uram", 0},
                        {"dsp", 1}});
    return nlohmann::json{{"format", "qnn-workbench-devices"}, {"version", 1}, {"devices", list}}.dump();
}

} // namespace

int main()
{
    nlohmann::json out{{"bench", "estimate_scale"}};
    const qnn::DeviceDatabase db = qnn::DeviceDatabase::builtIn();
    qnn::DeviceChoice vu9p;
    std::string error;
    db.find("xcvu9p", vu9p, error);
    bool ok = true;
    double summaryFirst = 0, summaryLast = 0, estimateFirst = 0, estimateLast = 0;
    for (int nodes : {8000, 16000, 32000}) {
        qnn::Graph g;
        ok = qnn::graphFromJson(chain(nodes), g, error) && ok;
        auto t0 = Clock::now();
        const qnn::GraphAnalysis a = qnn::analyzeGraph(g);
        const qnn::GraphSummary s = qnn::summarizeGraph(g, a);
        const double summary = secondsSince(t0);
        // As `qnnw estimate` with no folding: the prebuilt overlay's, else the fastest that fits.
        t0 = Clock::now();
        const qnn::Dataflow df = qnn::buildDataflow(g, qnn::analyzeGraph(g));
        qnn::EstimateOptions o;
        o.device = vu9p.device;
        o.clockMhz = 250;
        qnn::Folding f;
        if (!qnn::bnnPynqFolding(df, f, error) && !qnn::foldForMax(df, o, f, error)) {
            f = {};
            for (const qnn::MatrixLayer& l : df.layers)
                f.layers[l.name] = {1, 1};
        }
        const qnn::Estimate e = qnn::estimateDesign(df, f, o);
        const double estimate = secondsSince(t0);
        ok = ok && e.ok && s.params > 0;
        out["summary_s_" + std::to_string(nodes / 1000) + "k"] = summary;
        out["estimate_s_" + std::to_string(nodes / 1000) + "k"] = estimate;
        (nodes == 8000 ? summaryFirst : summaryLast) = summary;
        (nodes == 8000 ? estimateFirst : estimateLast) = estimate;
    }
    out["ratio_summary_32k_8k"] = summaryLast / summaryFirst;
    out["ratio_estimate_32k_8k"] = estimateLast / estimateFirst;
    double devicesFirst = 0, devicesLast = 0;
    for (int parts : {25000, 50000, 100000}) {
        const std::string text = devicesText(parts);
        const auto t0 = Clock::now();
        qnn::DeviceDatabase d = qnn::DeviceDatabase::builtIn();
        ok = d.addJson(text, "bench", error) && ok;
        qnn::DeviceChoice c;
        ok = d.find("xcbench" + std::to_string(parts - 1), c, error) && ok;
        const double s = secondsSince(t0);
        out["devices_s_" + std::to_string(parts / 1000) + "k"] = s;
        (parts == 25000 ? devicesFirst : devicesLast) = s;
    }
    out["ratio_devices_100k_25k"] = devicesLast / devicesFirst;
    out["ok"] = ok;
    std::cout << out.dump() << "\n";
    return ok ? 0 : 1;
}
