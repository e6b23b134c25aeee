#include "core/run/run_info.h"

#include "core/graph/graph_summary.h"
#include "core/graph/layer_registry.h"
#include "core/project/project.h"
#include "core/run/run_paths.h"
#include "core/run/run_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <cerrno>
#include <filesystem>
#include <set>
#include <signal.h>
#include <unistd.h>

namespace qnn {

namespace fs = std::filesystem;

const std::vector<std::string>& runPalette()
{
    // Tableau 10: distinct on white and for the common colour blindnesses.
    static const std::vector<std::string> colours{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return colours;
}

bool processAlive(long long pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string graphPrecisionLabel(const Graph& graph)
{
    std::set<int> w, a;
    for (const auto& [id, n] : graph.nodes()) {
        const LayerSpec& spec = LayerRegistry::spec(n.kind);
        if (spec.hasWeights)
            w.insert(n.quant.weightBits);
        // The input's encoding is the dataset's business unless the whole net is float or binary.
        if (spec.hasActivationBits && n.kind != LayerKind::Input)
            a.insert(n.quant.actBits);
    }
    if (w.size() > 1 || a.size() > 1)
        return "mixed";
    const int wb = w.empty() ? 32 : *w.begin();
    const int ab = a.empty() ? 32 : *a.begin();
    return precisionLabel(wb, ab);
}

namespace {

std::string hostName()
{
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

bool readConfigPart(const RunStore& store, RunInfo& r, std::string& error)
{
    nlohmann::json config;
    if (!store.readConfig(config, error))
        return false;
    try {
        Project p;
        if (config.contains("project") && !parseProject(config["project"].dump(), p, error)) {
            error = store.configPath() + ": " + error;
            return false;
        }
        r.graph = p.graph;
        r.datasetName = p.dataset.name;
        r.epochs = p.training.epochs;
        r.seed = p.training.seed;
        r.precision = graphPrecisionLabel(p.graph);
        r.started = config.value("started", std::string());
        r.colour = config.value("colour", std::string());
        r.fp32Twin = config.value("fp32_twin", false);
        r.seedGroup = config.value("seed_group", std::string());
        // config.json names the recipe on its own; the project in it says the same.
        r.recipe = config.value("recipe", p.training.recipe);
        r.selectBy = p.training.selectBy;
        const GraphSummary s = summarizeGraph(p.graph);
        r.params = s.params;
        r.weightBits = s.weightMemoryBits;
        r.bops = s.bops;
        r.compression = s.compression;
    } catch (const nlohmann::json::exception& e) {
        error = store.configPath() + ": " + e.what();
        return false;
    }
    return true;
}

bool readSummaryPart(const RunStore& store, RunInfo& r, std::string& error)
{
    std::error_code ec;
    const bool haveCheckpoint = fs::exists(store.checkpointPath(), ec);
    if (!fs::exists(store.summaryPath(), ec)) {
        // Runs before this version wrote no "running" summary; a run killed then looks the same.
        r.status = "failed";
        r.error = "the run has no summary.json: it ended without finishing (killed or crashed)";
        r.resumable = haveCheckpoint;
        return true;
    }
    nlohmann::json s;
    if (!store.readSummary(s, error))
        return false;
    try {
        std::string status = s.value("status", std::string("failed"));
        if (status == "cancelled")
            status = "stopped";
        if (status == "running" && s.value("host", std::string()) == hostName() &&
            !processAlive(s.value("pid", 0LL))) {
            status = "failed";
            r.error = "the training process ended without finishing (killed or crashed)";
        }
        r.status = status;
        if (s.contains("error") && s["error"].is_string())
            r.error = s["error"].get<std::string>();
        r.epochsDone = s.value("epochs_done", 0);
        r.bestEpoch = s.value("best_epoch", 0);
        if (s.contains("best_val_accuracy") && s["best_val_accuracy"].is_number())
            r.bestValAccuracy = s["best_val_accuracy"].get<double>();
        if (s.contains("test_accuracy") && s["test_accuracy"].is_number())
            r.testAccuracy = s["test_accuracy"].get<double>();
        r.imagesPerSecond = s.value("images_per_s", 0.0);
        r.wallSeconds = s.value("wall_s", 0.0);
        if (s.contains("confusion_matrix") && s["confusion_matrix"].is_array())
            r.confusion = s["confusion_matrix"].get<std::vector<std::vector<int64_t>>>();
        r.resumable = haveCheckpoint && (status == "stopped" || status == "failed");
    } catch (const nlohmann::json::exception& e) {
        error = store.summaryPath() + ": " + e.what();
        return false;
    }
    return true;
}

bool readMetricsPart(const RunStore& store, RunInfo& r, std::string& error)
{
    std::vector<nlohmann::json> lines;
    if (!store.readMetrics(lines, error))
        return false;
    try {
        for (const nlohmann::json& j : lines) {
            if (j.value("type", std::string()) != "epoch")
                continue;
            RunEpoch e;
            e.epoch = j.at("epoch").get<int>();
            e.trainLoss = j.value("train_loss", 0.0);
            e.trainAccuracy = j.value("train_accuracy", 0.0);
            e.valLoss = j.value("val_loss", 0.0);
            e.valAccuracy = j.value("val_accuracy", 0.0);
            e.learningRate = j.value("lr", 0.0);
            e.imagesPerSecond = j.value("images_per_s", 0.0);
            e.seconds = j.value("seconds", 0.0);
            r.history.push_back(e);
        }
    } catch (const nlohmann::json::exception& e) {
        error = store.metricsPath() + ": " + e.what();
        return false;
    }
    if (!r.history.empty()) {
        r.finalValAccuracy = r.history.back().valAccuracy;
        if (r.status == "running" || r.bestValAccuracy < 0) {
            // A live run's summary says nothing yet: the figures so far come from the metrics.
            r.epochsDone = r.history.back().epoch;
            for (const RunEpoch& e : r.history)
                if (e.valAccuracy > r.bestValAccuracy) {
                    r.bestValAccuracy = e.valAccuracy;
                    r.bestEpoch = e.epoch;
                }
        }
    }
    return true;
}

} // namespace

RunInfo readRunInfo(const std::string& dir)
{
    RunInfo r;
    r.dir = dir;
    r.name = fs::path(dir).filename().string();
    r.status = "failed";
    RunStore store;
    std::string error;
    if (!RunStore::open(dir, store, error) || !readConfigPart(store, r, error) ||
        !readSummaryPart(store, r, error) || !readMetricsPart(store, r, error)) {
        r.readable = false;
        r.problem = error;
        r.status = "unreadable";
    }
    if (r.started.empty()) {
        std::error_code ec;
        const auto t = fs::last_write_time(dir, ec);
        if (!ec) {
            const auto sys = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
                t - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
            const std::time_t tt = std::chrono::system_clock::to_time_t(sys);
            std::tm tm{};
            localtime_r(&tt, &tm);
            char buf[32];
            std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
            r.started = buf;
        }
    }
    return r;
}

std::vector<RunInfo> listRuns(const std::string& projectPath, const Project& project)
{
    const std::string runsDir = runsDirOf(projectPath);
    std::vector<RunInfo> out;
    std::set<std::string> seen;
    for (const std::string& name : project.runs) {
        if (!seen.insert(name).second)
            continue;
        std::string dir, error;
        RunInfo r;
        if (!runDirFor(runsDir, name, dir, error)) {
            r.name = name;
            r.readable = false;
            r.status = "unreadable";
            r.problem = error;
        } else {
            r = readRunInfo(dir);
        }
        r.listed = true;
        out.push_back(std::move(r));
    }
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(runsDir, ec)) {
        std::error_code e2;
        // Symlinks are not followed when discovering: a copied-in run is a real folder.
        if (entry.is_directory(e2) && !entry.is_symlink(e2) && fs::exists(entry.path() / "config.json", e2))
            found.push_back(entry.path().filename().string());
    }
    std::sort(found.begin(), found.end());
    for (const std::string& name : found)
        if (!seen.count(name))
            out.push_back(readRunInfo((fs::path(runsDir) / name).string()));
    return out;
}

std::string nextRunColour(const std::string& runsDir)
{
    std::map<std::string, int> used;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(runsDir, ec)) {
        nlohmann::json config;
        std::string error;
        RunStore store;
        if (RunStore::open(entry.path().string(), store, error) && store.readConfig(config, error) &&
            config.contains("colour") && config["colour"].is_string())
            ++used[config["colour"].get<std::string>()];
    }
    // The least used colour, the earliest in the palette on ties.
    std::string best = runPalette().front();
    int bestCount = -1;
    for (const std::string& c : runPalette()) {
        const int n = used.count(c) ? used[c] : 0;
        if (bestCount < 0 || n < bestCount) {
            best = c;
            bestCount = n;
        }
    }
    return best;
}

nlohmann::json runInfoJson(const RunInfo& r)
{
    auto orNull = [](double v) { return v >= 0 ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json j{{"name", r.name},
                     {"status", r.status},
                     {"resumable", r.resumable},
                     {"listed", r.listed},
                     {"readable", r.readable},
                     {"started", r.started},
                     {"precision", r.precision},
                     {"colour", r.colour},
                     {"fp32_twin", r.fp32Twin},
                     {"seed", r.seed},
                     {"seed_group", r.seedGroup},
                     {"recipe", r.recipe},
                     {"select_by", r.selectBy},
                     {"epochs", r.epochs},
                     {"epochs_done", r.epochsDone},
                     {"best_epoch", r.bestEpoch},
                     {"best_val_accuracy", orNull(r.bestValAccuracy)},
                     {"final_val_accuracy", orNull(r.finalValAccuracy)},
                     {"test_accuracy", orNull(r.testAccuracy)},
                     {"images_per_s", r.imagesPerSecond},
                     {"wall_s", r.wallSeconds},
                     {"params", r.params},
                     {"weight_bits", r.weightBits},
                     {"bops", r.bops},
                     {"compression", r.compression}};
    if (!r.error.empty())
        j["error"] = r.error;
    if (!r.problem.empty())
        j["problem"] = r.problem;
    return j;
}

} // namespace qnn
