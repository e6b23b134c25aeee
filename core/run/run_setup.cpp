// Run orchestration shared by qnnw and (through qnnw) the workbench: which
// project, which settings, which folder, and the project's runs list.
#include "core/run/run_setup.h"

#include "core/project/project_lock.h"
#include "core/project/recipe.h"

#include "core/run/fp32_twin.h"
#include "core/run/memory_check.h"
#include "core/run/run_info.h"
#include "core/run/run_paths.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <unistd.h>

namespace qnn {

namespace fs = std::filesystem;

bool findRunFolder(const std::string& run, const std::string& runsDir, RunStore& store, std::string& error)
{
    std::error_code ec;
    // A name in runs/ first: it is what the project lists and the GUI passes.
    if (run.find('/') == std::string::npos) {
        std::string dir;
        if (!runDirFor(runsDir, run, dir, error))
            return false;
        if (fs::is_directory(dir, ec))
            return RunStore::open(dir, store, error);
    }
    if (fs::is_directory(run, ec))
        return RunStore::open(run, store, error);
    error = "run '" + run + "' not found (looked for the folder " + run + " and under " + runsDir + ")";
    return false;
}

namespace {

bool projectOfRun(const RunStore& store, Project& p, nlohmann::json& config, std::string& error)
{
    if (!store.readConfig(config, error))
        return false;
    if (!config.contains("project")) {
        error = store.configPath() + ": no \"project\" section";
        return false;
    }
    if (!parseProject(config["project"].dump(), p, error)) {
        error = store.configPath() + ": " + error;
        return false;
    }
    return true;
}

std::string nowText()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

} // namespace

bool prepareRun(const RunRequest& request, PreparedRun& run, std::string& error)
{
    Project& project = run.project;
    if (!loadProject(request.projectPath, project, error))
        return false;
    const std::string projectDir = projectDirOf(request.projectPath);
    run.runsDir = request.outDir.empty() ? runsDirOf(request.projectPath) : request.outDir;
    run.dataDir = request.dataDir;
    run.device = request.device;
    run.fp32Twin = request.fp32Twin;
    run.seedGroup = request.seedGroup;
    run.resumed = !request.resume.empty();
    if (run.resumed) {
        // A resumed run continues with the graph and settings it started with.
        nlohmann::json config;
        if (!findRunFolder(request.resume, run.runsDir, run.store, error) ||
            !projectOfRun(run.store, project, config, error))
            return false;
        run.trainLimit = config.value("train_limit", size_t{0});
        if (request.device == "auto")
            run.device = config.value("device", std::string("auto"));
        if (run.dataDir.empty())
            run.dataDir = config.value("data_dir", std::string());
        run.fp32Twin = config.value("fp32_twin", false);
        run.seedGroup = config.value("seed_group", std::string());
    } else if (!request.recipe.empty()) {
        // The recipe comes first, so that --epochs and the other options still override it.
        const Recipe* recipe = findRecipe(request.recipe);
        if (!recipe) {
            error = "unknown recipe '" + request.recipe + "'; the recipes are " + recipeNames();
            return false;
        }
        if (!applyRecipe(*recipe, project, nullptr, error))
            return false;
    }
    if (run.resumed && !request.recipe.empty()) {
        error = "--recipe cannot change a resumed run: it continues with the settings it started with";
        return false;
    }
    if (!run.resumed && request.fp32Twin) {
        std::vector<std::string> notes;
        project.graph = fp32Twin(project.graph, &notes);
        for (const std::string& n : notes)
            run.twinNotes += (run.twinNotes.empty() ? "" : "; ") + n;
        project.name += "-fp32";
    }
    TrainingConfig& c = project.training;
    if (request.epochs > 0)
        c.epochs = request.epochs;
    if (request.batchSize > 0)
        c.batchSize = request.batchSize;
    if (request.lr > 0)
        c.learningRate = request.lr;
    if (request.seed >= 0)
        c.seed = static_cast<uint64_t>(request.seed);
    if (request.threads >= 0)
        c.threads = request.threads;
    if (request.logEvery >= 0)
        c.logEveryBatches = request.logEvery;
    if (request.trainLimit > 0)
        run.trainLimit = static_cast<size_t>(request.trainLimit);

    // On a GPU the model lives in the GPU's memory, which only LibTorch can measure.
    if (run.device != "cuda" && !checkTrainingMemory(project.graph, c, error, request.availableMemory))
        return false;

    DatasetRequest data;
    data.choice = project.dataset;
    data.dataDir = run.dataDir;
    data.projectDir = projectDir;
    data.trainImages = run.trainLimit;
    if (!loadDataset(data, run.data, error))
        return false;
    return c.selectBy != "test" || selectOnTestSet(run.data, error);
}

namespace {

// A member of an earlier config.json, or `fallback` when it is absent or not text (a hand edit must not
// stop a resume with a type error).
std::string textOr(const nlohmann::json& j, const char* key, const std::string& fallback)
{
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

// AtomicFile's temporary files ("checkpoint.pt.tmp-XXXXXX", ...) that a killed run left behind: a resume is
// the one process writing the folder now, so none of them can be in use.
void removeStaleTemporaryFiles(const std::string& dir)
{
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.find(".tmp-") != std::string::npos && e.is_regular_file(ec))
            fs::remove(e.path(), ec);
    }
}

} // namespace

bool startRun(const RunRequest& request, PreparedRun& run, const nlohmann::json& extra, std::string& error,
              std::string& warning)
{
    std::string colour;
    nlohmann::json previous = nlohmann::json::object();
    if (run.resumed) {
        std::string ignored;
        if (!run.store.readConfig(previous, ignored) || !previous.is_object())
            previous = nlohmann::json::object();
        removeStaleTemporaryFiles(run.store.dir());
    } else {
        colour = nextRunColour(run.runsDir);
        if (!RunStore::create(run.runsDir, run.project.name, run.store, error))
            return false;
    }
    // config.json is rewritten on a resume: it then records the settings of the latest session.
    nlohmann::json config{{"format", "qnn-workbench-run"},
                          {"version", 1},
                          {"project", nlohmann::json::parse(serializeProject(run.project))},
                          {"project_file", request.projectPath},
                          {"data_dir", run.dataDir},
                          {"data_source", run.data.source},
                          {"train_limit", run.trainLimit},
                          {"device", run.device},
                          {"started", textOr(previous, "started", nowText())},
                          {"colour", textOr(previous, "colour", colour)},
                          {"fp32_twin", run.fp32Twin}};
    if (!run.seedGroup.empty())
        config["seed_group"] = run.seedGroup;
    if (!run.project.training.recipe.empty())
        config["recipe"] = run.project.training.recipe;
    if (!run.twinNotes.empty())
        config["twin_notes"] = run.twinNotes;
    for (const auto& [k, v] : extra.items())
        config[k] = v;
    if (!run.store.writeConfig(config, error))
        return false;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const nlohmann::json running{{"status", "running"}, {"pid", static_cast<long long>(::getpid())}, {"host", host}};
    if (!run.store.writeSummary(running, error))
        return false;

    std::error_code ec;
    const fs::path parent = fs::weakly_canonical(fs::path(run.store.dir()).parent_path(), ec);
    const fs::path projectRuns = fs::weakly_canonical(runsDirOf(request.projectPath), ec);
    if (parent == projectRuns) {
        std::string e;
        if (!recordRunInProject(request.projectPath, fs::path(run.store.dir()).filename().string(), e))
            warning = "the run was not added to the project's runs list: " + e;
    }
    return true;
}

bool recordRunInProject(const std::string& projectPath, const std::string& runName, std::string& error)
{
    // Under the project's lock: a window saving at the same moment neither
    // loses the run nor gets its own edit overwritten by an older graph.
    return updateProjectFile(
        projectPath,
        [&](Project& p) {
            if (std::find(p.runs.begin(), p.runs.end(), runName) != p.runs.end())
                return false;
            p.runs.push_back(runName);
            return true;
        },
        error);
}

bool renameRunInProject(const std::string& projectPath, const std::string& from, const std::string& to,
                        std::string& error)
{
    return updateProjectFile(
        projectPath,
        [&](Project& p) {
            auto it = std::find(p.runs.begin(), p.runs.end(), from);
            if (it == p.runs.end())
                return false;
            if (to.empty())
                p.runs.erase(it);
            else
                *it = to;
            return true;
        },
        error);
}

} // namespace qnn
