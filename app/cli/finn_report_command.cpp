// qnnw finn-report: what FINN's build estimated (and synthesized), next to our estimate.
#include "app/cli/cli_command.h"

#include "core/hw/dataflow.h"
#include "core/hw/estimate.h"
#include "core/hw/finn_comparison.h"
#include "core/hw/finn_report.h"
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

nlohmann::json figuresJson(const ResourceFigures& f)
{
    if (!f.present)
        return nullptr;
    nlohmann::json j{{"lut", f.lut}, {"bram_18k", f.bram18}, {"dsp", f.dsp}};
    j["cycles"] = f.cycles >= 0 ? nlohmann::json(f.cycles) : nlohmann::json(nullptr);
    return j;
}

nlohmann::json comparisonJson(const FinnComparison& c)
{
    auto row = [](const FinnComparisonRow& r) {
        return nlohmann::json{{"layer", r.layer},
                              {"finn_units", r.finnUnits},
                              {"ours", figuresJson(r.ours)},
                              {"finn_estimate", figuresJson(r.estimate)},
                              {"post_synthesis", figuresJson(r.synthesis)}};
    };
    nlohmann::json rows = nlohmann::json::array();
    for (const FinnComparisonRow& r : c.rows)
        rows.push_back(row(r));
    nlohmann::json j{{"layers", rows}, {"total", row(c.total)}};
    j["throughput_fps"] = {{"ours", c.oursFps}, {"finn_estimate", c.hasPerformance ? nlohmann::json(c.finnFps) : nullptr}};
    j["latency_us"] = {{"ours", c.oursLatencyUs},
                       {"finn_estimate", c.hasPerformance ? nlohmann::json(c.finnLatencyUs) : nullptr}};
    j["bottleneck"] = {{"ours", c.oursBottleneck}, {"ours_cycles", c.oursMaxCycles},
                       {"finn_estimate", c.finnBottleneck}, {"finn_cycles", c.finnMaxCycles}};
    return j;
}

std::string cell(const ResourceFigures& f, double v, int digits = 0)
{
    if (!f.present)
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

/** The dock's table: per layer, ours | FINN's estimate | after synthesis. */
void printComparison(const FinnComparison& c)
{
    std::printf("Ours next to FINN's (estimate%s):\n", c.hasSynthesis ? ", post-synthesis" : "");
    std::printf("  %-16s %21s %21s %15s %19s\n", "layer", "LUT ours/FINN/synth", "BRAM18 ours/FINN/syn",
                "DSP ours/FINN", "cycles ours/FINN");
    auto row = [&](const FinnComparisonRow& r) {
        const std::string lut = cell(r.ours, r.ours.lut) + " / " + cell(r.estimate, r.estimate.lut) + " / " +
                                cell(r.synthesis, r.synthesis.lut);
        const std::string bram = cell(r.ours, r.ours.bram18, 1) + " / " + cell(r.estimate, r.estimate.bram18, 1) + " / " +
                                 cell(r.synthesis, r.synthesis.bram18, 1);
        const std::string dsp = cell(r.ours, r.ours.dsp) + " / " + cell(r.estimate, r.estimate.dsp);
        auto cyc = [](const ResourceFigures& f) { return f.present && f.cycles >= 0 ? cell(f, f.cycles) : std::string("-"); };
        const std::string cycles = cyc(r.ours) + " / " + cyc(r.estimate);
        std::printf("  %-16s %21s %21s %15s %19s\n", r.layer.c_str(), lut.c_str(), bram.c_str(), dsp.c_str(), cycles.c_str());
    };
    for (const FinnComparisonRow& r : c.rows)
        row(r);
    row(c.total);
    if (c.hasPerformance)
        std::printf("  throughput %.0f / %.0f FPS, latency %.1f / %.1f µs, slowest layer %s / %s\n", c.oursFps, c.finnFps,
                    c.oursLatencyUs, c.finnLatencyUs, c.oursBottleneck.c_str(), c.finnBottleneck.c_str());
}

void printLayers(const char* title, const std::vector<FinnLayerResources>& layers, const FinnLayerResources& total)
{
    std::printf("%s\n  %-34s %10s %9s %6s %6s\n", title, "layer", "LUT", "BRAM_18K", "URAM", "DSP");
    auto row = [](const FinnLayerResources& l) {
        std::printf("  %-34s %10.0f %9.1f %6.0f %6.0f\n", l.name.c_str(), l.lut(), l.bram18(), l.value("URAM"), l.dsp());
    };
    for (const FinnLayerResources& l : layers)
        row(l);
    row(total);
}

int runFinnReport(const Options& o)
{
    // Ours for the same project, folding and clock, when a project is named;
    // without DIR, the folder the project remembers (the dock's "Load FINN reports…").
    Project p;
    if (!o.project.empty() && !loadProjectOrSay(o.project, p))
        return 1;
    std::string dir = o.dir;
    if (dir.empty()) {
        if (o.project.empty() || p.deploy.finnReports.empty()) {
            std::fprintf(stderr, "qnnw: name the reports folder DIR%s\n",
                         o.project.empty() ? "" : " (the project remembers none: load them in the Hardware dock, or "
                                                  "name the folder here)");
            return 1;
        }
        dir = finnReportsPath(o.project, p.deploy.finnReports);
    }
    FinnReport r;
    std::string error;
    if (!readFinnReport(dir, r, error)) {
        std::fprintf(stderr, "qnnw: %s\n", error.c_str());
        return 1;
    }
    Estimate ours;
    Dataflow df;
    if (!o.project.empty()) {
        df = buildDataflow(p.graph);
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
        if (!o.project.empty())
            j["comparison"] = comparisonJson(compareWithFinn(df, ours, r));
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
        if (r.hasEstimate && r.estimateTotal.lut() > 0)
            std::printf("Ours / FINN's estimate: LUT %.2f×, BRAM_18K %.2f×\n", ours.lut / r.estimateTotal.lut(),
                        r.estimateTotal.bram18() > 0 ? 2 * ours.bram36 / r.estimateTotal.bram18() : 0.0);
        printComparison(compareWithFinn(df, ours, r));
    }
    return 0;
}

} // namespace

void addFinnReportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<Options>();
    CLI::App* c = app.add_subcommand("finn-report",
                                     "FINN's estimate and post-synthesis reports of a build folder, next to ours");
    c->add_option("DIR", o->dir,
                  "the build folder (qnnw export --finn-build), FINN's output_dir or its report/; "
                  "default: the one the --project remembers");
    c->add_option("--project", o->project, "also our estimate of this project at its folding and clock");
    c->add_flag("--json", o->json, "the reports as one JSON object");
    c->callback([o, &exitCode] { exitCode = runFinnReport(*o); });
}

} // namespace qnn::cli
