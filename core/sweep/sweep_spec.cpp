#include "core/sweep/sweep_spec.h"

#include "core/graph/graph_analysis.h"
#include "core/graph/graph_summary.h"
#include "core/run/memory_check.h"
#include "core/run/run_store.h"
#include "core/sweep/point_hardware.h"

#include <cstdio>

namespace qnn {

nlohmann::json sweepSpecToJson(const SweepSpec& spec)
{
    nlohmann::json axes = nlohmann::json::array();
    for (const SweepAxis& a : spec.axes)
        axes.push_back({{"key", a.key}, {"values", a.values}});
    return {{"axes", axes},
            {"seeds", spec.seeds},
            {"first_seed", spec.firstSeed},
            {"epochs", spec.epochs},
            {"train_limit", spec.trainLimit},
            {"threads", spec.threads},
            {"device", spec.device},
            {"data_dir", spec.dataDir},
            {"target_fps", spec.targetFps}};
}

bool sweepSpecFromDefinition(const SweepDefinition& d, SweepSpec& out, std::string& error)
{
    out = SweepSpec{};
    for (const SweepDefinition::Axis& a : d.axes) {
        SweepAxis axis;
        if (!parseAxis(SweepDefinition::axisText(a), axis, error)) {
            error = "the saved sweep " + d.name + ": " + error;
            return false;
        }
        out.axes.push_back(axis);
    }
    out.seeds = d.seeds;
    out.firstSeed = d.firstSeed;
    out.epochs = d.epochs;
    out.trainLimit = d.trainLimit;
    out.threads = d.threads;
    out.device = d.device;
    out.dataDir = d.dataDir;
    out.targetFps = d.targetFps;
    return true;
}

void sweepSpecToDefinition(const SweepSpec& spec, SweepDefinition& d)
{
    d.axes.clear();
    for (const SweepAxis& a : spec.axes)
        d.axes.push_back({a.key, a.values});
    d.seeds = spec.seeds;
    d.firstSeed = spec.firstSeed;
    d.epochs = spec.epochs;
    d.trainLimit = spec.trainLimit;
    d.threads = spec.threads;
    d.device = spec.device;
    d.dataDir = spec.dataDir;
    d.targetFps = spec.targetFps;
}

bool sweepSpecFromJson(const nlohmann::json& j, SweepSpec& out, std::string& error)
{
    try {
        out = SweepSpec{};
        for (const auto& a : j.at("axes")) {
            std::string text = a.at("key").get<std::string>() + "=";
            const auto values = a.at("values").get<std::vector<std::string>>();
            for (size_t i = 0; i < values.size(); ++i)
                text += (i ? "," : "") + values[i];
            SweepAxis axis;
            if (!parseAxis(text, axis, error))
                return false;
            out.axes.push_back(axis);
        }
        out.seeds = j.at("seeds").get<int>();
        out.firstSeed = j.value("first_seed", -1LL);
        out.epochs = j.value("epochs", -1);
        out.trainLimit = j.value("train_limit", -1LL);
        out.threads = j.value("threads", -1);
        out.device = j.value("device", std::string("auto"));
        out.dataDir = j.value("data_dir", std::string());
        out.targetFps = j.value("target_fps", 0.0);
    } catch (const std::exception& e) {
        error = std::string("the sweep's spec is damaged: ") + e.what();
        return false;
    }
    if (out.seeds < 1) {
        error = "the sweep's spec has no seeds";
        return false;
    }
    return true;
}

nlohmann::json sweepPointToJson(const SweepPoint& p)
{
    nlohmann::json values = nlohmann::json::array();
    for (const auto& [k, v] : p.values)
        values.push_back({k, v});
    nlohmann::json j{{"index", p.index}, {"id", p.id}, {"values", values}, {"seed", p.seed}, {"valid", p.valid}};
    if (!p.valid)
        j["reason"] = p.reason;
    if (!p.cost.is_null())
        j["cost"] = p.cost;
    return j;
}

bool sweepPointFromJson(const nlohmann::json& j, SweepPoint& out, std::string& error)
{
    try {
        out = SweepPoint{};
        out.index = j.at("index").get<int>();
        out.id = j.at("id").get<std::string>();
        for (const auto& kv : j.at("values"))
            out.values.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
        out.seed = j.at("seed").get<long long>();
        out.valid = j.at("valid").get<bool>();
        out.reason = j.value("reason", std::string());
        if (j.contains("cost"))
            out.cost = j["cost"];
    } catch (const std::exception& e) {
        error = std::string("a point of the sweep is damaged: ") + e.what();
        return false;
    }
    return true;
}

std::string pointLabel(const SweepPoint& point)
{
    std::string s;
    for (const auto& [k, v] : point.values)
        s += k + "=" + v + " ";
    return s + "seed=" + std::to_string(point.seed);
}

bool makePointProject(const Project& base, const SweepSpec& spec, const SweepPoint& point, Project& out,
                      std::string& reason, bool checkMemory)
{
    out = base;
    out.runs.clear();
    out.sweeps.clear(); // a point is one run, not a place to keep sweeps
    for (size_t i = 0; i < spec.axes.size() && i < point.values.size(); ++i)
        if (!applyAxisValue(out, spec.axes[i], point.values[i].second, reason))
            return false;
    out.training.seed = static_cast<uint64_t>(point.seed);
    if (spec.epochs > 0)
        out.training.epochs = spec.epochs;
    out.name = base.name + " " + point.id;
    const GraphAnalysis analysis = analyzeGraph(out.graph);
    for (const Diagnostic& d : analysis.diagnostics) {
        if (d.severity != Severity::Error)
            continue;
        reason = d.message;
        return false;
    }
    if (checkMemory && !checkTrainingMemory(out.graph, out.training, reason))
        return false;
    return true;
}

std::vector<SweepPoint> expandSweep(const Project& base, const SweepSpec& spec)
{
    std::vector<SweepPoint> points;
    size_t total = 1;
    for (const SweepAxis& a : spec.axes)
        total *= a.values.size();
    const long long first = spec.firstSeed >= 0 ? spec.firstSeed : static_cast<long long>(base.training.seed);
    int index = 0;
    for (size_t combo = 0; combo < total; ++combo) {
        std::vector<std::pair<std::string, std::string>> values(spec.axes.size());
        size_t rest = combo;
        for (size_t i = spec.axes.size(); i-- > 0;) {
            const SweepAxis& a = spec.axes[i];
            values[i] = {a.key, a.values[rest % a.values.size()]};
            rest /= a.values.size();
        }
        for (int s = 0; s < spec.seeds; ++s) {
            SweepPoint p;
            p.index = index;
            char id[16];
            std::snprintf(id, sizeof id, "p%03d", index);
            p.id = id;
            ++index;
            p.values = values;
            p.seed = first + s;
            Project project;
            p.valid = makePointProject(base, spec, p, project, p.reason);
            if (p.valid) {
                const GraphSummary summary = summarizeGraph(project.graph);
                const MemoryEstimate memory = estimateTrainingMemory(project.graph, project.training);
                p.cost = {{"params", summary.params},
                          {"macs_per_image", summary.macs},
                          {"weight_bytes", summary.weightMemoryBytes()},
                          {"train_memory_bytes", memory.total()},
                          {"epochs", project.training.epochs},
                          {"hardware", pointHardware(project, spec.targetFps)}};
            }
            points.push_back(std::move(p));
        }
    }
    return points;
}

std::string defaultSweepName(const Project& base, const SweepSpec& spec)
{
    // FNV-1a of the spec's canonical JSON: stable across runs and machines.
    const std::string text = sweepSpecToJson(spec).dump();
    uint32_t h = 2166136261u;
    for (unsigned char c : text) {
        h ^= c;
        h *= 16777619u;
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08x", h);
    return runNameStem(base.name.empty() ? std::string("sweep") : base.name) + "-" + hex;
}

} // namespace qnn
