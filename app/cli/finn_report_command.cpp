// qnnw finn-report: what FINN's build estimated (and synthesized), next to our estimate.
#include "app/cli/cli_command.h"

#include "core/hw/dataflow.h"
#include "core/hw/estimate.h"
#include "core/onnx/finn_build.h"
#include "core/onnx/qonnx_export.h"
#include "core/project/project.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace qnn::cli {

namespace {

struct Options {
    std::string dir;
    std::string project;
    bool json = false;
};

nlohmann::json layersJson(const std::vector<FinnLayerResources>& layers, const FinnLayerResources& total)
{
    nlohmann::json j = nlohmann::json::object();
    for (const FinnLayerResources& l : layers)
        j[l.name] = l.values;
    j["total"] = total.values;
    return j;
}

double value(const FinnLayerResources& r, const char* key)
{
    auto it = r.values.find(key);
    return it == r.values.end() ? 0.0 : it->second;
}

void printLayers(const char* title, const std::vector<FinnLayerResources>& layers, const FinnLayerResources& total)
{
    std::printf("%s\n  %-34s %10s %9s %6s %6s\n", title, "layer", "LUT", "BRAM_18K", "URAM", "DSP");
    auto row = [](const FinnLayerResources& l) {
        std::printf("  %-34s %10.0f %9.1f %6.0f %6.0f\n", l.name.c_str(), value(l, "LUT"), value(l, "BRAM_18K"),
                    value(l, "URAM"), value(l, "DSP"));
    };
    for (const FinnLayerResources& l : layers)
        row(l);
    row(total);
}

int runFinnReport(const Options& o)
{
    FinnReport r;
    std::string error;
    if (!readFinnReport(o.dir, r, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }
    // Ours for the same project, folding and clock, when a project is named.
    Estimate ours;
    if (!o.project.empty()) {
        Project p;
        if (!loadProjectOrSay(o.project, p))
            return 1;
        const Dataflow df = buildDataflow(p.graph);
        EstimateOptions options;
        options.clockMhz = p.deploy.clockMhz;
        ours = estimateDesign(df, foldingForExport(p.graph, p.deploy.folding), options);
        if (!ours.ok) {
            std::fprintf(stderr, "qnnw: %s has no estimate of its own: %s\n", o.project.c_str(),
                         ours.problems.empty() ? "the graph is not a dataflow" : ours.problems.front().message.c_str());
            return 1;
        }
    }
    if (o.json) {
        nlohmann::json j{{"files", r.files}};
        if (r.hasEstimate)
            j["estimate_layer_resources"] = layersJson(r.estimateLayers, r.estimateTotal);
        if (r.hasPerformance)
            j["estimate_network_performance"] = {{"estimated_throughput_fps", r.estimatedFps},
                                                 {"estimated_latency_ns", r.estimatedLatencyNs},
                                                 {"critical_path_cycles", r.criticalPathCycles},
                                                 {"max_cycles", r.maxCycles},
                                                 {"max_cycles_node_name", r.maxCyclesNode}};
        if (r.hasSynthesis)
            j["post_synth_resources"] = layersJson(r.synthLayers, r.synthTotal);
        if (!o.project.empty())
            j["ours"] = {{"lut", ours.lut},
                         {"bram_18k", 2 * ours.bram36},
                         {"uram", ours.uram},
                         {"dsp", ours.dsp},
                         {"fps", ours.fps},
                         {"latency_ns", ours.latencyUs * 1000.0},
                         {"bottleneck_cycles", ours.bottleneckCycles},
                         {"provenance", ours.provenance()}};
        std::cout << j.dump() << std::endl;
        return 0;
    }
    if (r.hasEstimate)
        printLayers("FINN's estimate (estimate_layer_resources.json):", r.estimateLayers, r.estimateTotal);
    if (r.hasPerformance)
        std::printf("FINN's estimated performance: %.0f FPS, latency %.1f µs, slowest layer %s (%.0f cycles)\n",
                    r.estimatedFps, r.estimatedLatencyNs / 1000.0, r.maxCyclesNode.c_str(), r.maxCycles);
    if (r.hasSynthesis)
        printLayers("After synthesis (post_synth_resources.json):", r.synthLayers, r.synthTotal);
    if (!o.project.empty()) {
        std::printf("Ours (%s): LUT %.0f, BRAM_18K %.1f, URAM %lld, DSP %lld, %.0f FPS, latency %.1f µs\n",
                    ours.provenance().c_str(), ours.lut, 2 * ours.bram36, static_cast<long long>(ours.uram),
                    static_cast<long long>(ours.dsp), ours.fps, ours.latencyUs);
        if (r.hasEstimate && value(r.estimateTotal, "LUT") > 0)
            std::printf("Ours / FINN's estimate: LUT %.2f×, BRAM_18K %.2f×\n", ours.lut / value(r.estimateTotal, "LUT"),
                        value(r.estimateTotal, "BRAM_18K") > 0 ? 2 * ours.bram36 / value(r.estimateTotal, "BRAM_18K") : 0.0);
    }
    return 0;
}

} // namespace

void addFinnReportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("finn-report",
                                     "FINN's estimate and post-synthesis reports of a build folder, next to ours");
    c->add_option("DIR", o->dir, "the build folder (qnnw export --finn-build), FINN's output_dir or its report/")
        ->required();
    c->add_option("--project", o->project, "also our estimate of this project at its folding and clock");
    c->add_flag("--json", o->json, "the reports as one JSON object");
    c->callback([o, &exitCode] { exitCode = runFinnReport(*o); });
}

} // namespace qnn::cli
