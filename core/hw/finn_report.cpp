#include "core/hw/finn_report.h"

#include "core/util/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

namespace qnn {

namespace fs = std::filesystem;

namespace {

bool readJson(const fs::path& p, nlohmann::json& j, std::string& error)
{
    std::string text;
    if (!readFile(p.string(), text, error))
        return false;
    j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = p.string() + " is not a JSON object";
        return false;
    }
    return true;
}

bool number(const nlohmann::json& v, double& out)
{
    if (!v.is_number())
        return false;
    out = v.get<double>();
    return std::isfinite(out);
}

/** {"layer": {"LUT": n, ...}, ..., "total": {...}}: numbers kept, other values (strings) skipped. */
bool readResources(const fs::path& p, std::vector<FinnLayerResources>& layers, FinnLayerResources& total,
                   std::string& error)
{
    nlohmann::json j;
    if (!readJson(p, j, error))
        return false;
    for (const auto& [name, entry] : j.items()) {
        if (!entry.is_object()) {
            error = p.string() + ": the entry \"" + name + "\" is not an object of resource counts";
            return false;
        }
        FinnLayerResources r;
        r.name = name;
        for (const auto& [key, v] : entry.items()) {
            double d = 0;
            if (number(v, d))
                r.values[key] = d;
        }
        // "(top)" is the whole design in newer post-synthesis reports.
        if (name == "total" || name == "Total" || name == "(top)")
            total = r;
        else
            layers.push_back(r);
    }
    if (total.values.empty()) { // older reports have no total: sum the layers
        total.name = "total";
        for (const FinnLayerResources& l : layers)
            for (const auto& [k, v] : l.values)
                if (k.find("efficiency") == std::string::npos)
                    total.values[k] += v;
    }
    return true;
}

} // namespace

double FinnLayerResources::value(const std::string& key) const
{
    auto it = values.find(key);
    return it == values.end() ? 0.0 : it->second;
}

double FinnLayerResources::lut() const { return value("LUT"); }

double FinnLayerResources::bram18() const { return value("BRAM_18K") + 2 * value("BRAM_36K"); }

double FinnLayerResources::dsp() const
{
    for (const char* key : {"DSP", "DSP48", "DSP48E1", "DSP48E2", "DSP58"})
        if (values.count(key))
            return value(key);
    return 0;
}

bool readFinnReport(const std::string& dir, FinnReport& out, std::string& error)
{
    out = FinnReport{};
    std::error_code ec;
    fs::path report;
    for (const fs::path& p : {fs::path(dir) / "output" / "report", fs::path(dir) / "report", fs::path(dir)})
        if (fs::exists(p / "estimate_layer_resources.json", ec) || fs::exists(p / "estimate_network_performance.json", ec) ||
            fs::exists(p / "post_synth_resources.json", ec)) {
            report = p;
            break;
        }
    if (report.empty()) {
        error = "no FINN report in " + dir + " (looked for estimate_layer_resources.json, "
                "estimate_network_performance.json and post_synth_resources.json in " + dir + "/output/report, " + dir +
                "/report and " + dir + "); run FINN's build with the estimate_reports output first";
        return false;
    }
    out.folder = report.string();
    const fs::path layers = report / "estimate_layer_resources.json";
    if (fs::exists(layers, ec)) {
        if (!readResources(layers, out.estimateLayers, out.estimateTotal, error))
            return false;
        out.hasEstimate = true;
        out.files.push_back(layers.string());
    }
    const fs::path cycles = report / "estimate_layer_cycles.json";
    if (fs::exists(cycles, ec)) {
        nlohmann::json j;
        if (!readJson(cycles, j, error))
            return false;
        for (const auto& [name, v] : j.items()) {
            double d = 0;
            if (!number(v, d)) {
                error = cycles.string() + ": \"" + name + "\" is not a number of cycles";
                return false;
            }
            out.layerCycles[name] = d;
        }
        out.files.push_back(cycles.string());
    }
    const fs::path perf = report / "estimate_network_performance.json";
    if (fs::exists(perf, ec)) {
        nlohmann::json j;
        if (!readJson(perf, j, error))
            return false;
        auto get = [&](const char* key, double& v) {
            if (j.contains(key) && !number(j[key], v)) {
                error = perf.string() + ": \"" + key + "\" is not a number";
                return false;
            }
            return true;
        };
        if (!get("estimated_throughput_fps", out.estimatedFps) || !get("estimated_latency_ns", out.estimatedLatencyNs) ||
            !get("critical_path_cycles", out.criticalPathCycles) || !get("max_cycles", out.maxCycles))
            return false;
        if (j.contains("max_cycles_node_name") && j["max_cycles_node_name"].is_string())
            out.maxCyclesNode = j["max_cycles_node_name"].get<std::string>();
        out.hasPerformance = true;
        out.files.push_back(perf.string());
    }
    const fs::path synth = report / "post_synth_resources.json";
    if (fs::exists(synth, ec)) {
        if (!readResources(synth, out.synthLayers, out.synthTotal, error))
            return false;
        out.hasSynthesis = true;
        out.files.push_back(synth.string());
    }
    return true;
}

std::string finnReportsPath(const std::string& projectFile, const std::string& stored)
{
    if (stored.empty() || fs::path(stored).is_absolute() || projectFile.empty())
        return stored;
    return (fs::path(projectFile).parent_path() / stored).lexically_normal().string();
}

std::string finnReportsToStore(const std::string& projectFile, const std::string& folder)
{
    std::error_code ec;
    const fs::path abs = fs::weakly_canonical(fs::absolute(folder, ec), ec);
    if (projectFile.empty())
        return abs.string();
    const fs::path base = fs::weakly_canonical(fs::absolute(fs::path(projectFile).parent_path(), ec), ec);
    const fs::path rel = abs.lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..")
        return abs.string();
    return rel.string();
}

} // namespace qnn
