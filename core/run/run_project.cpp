#include "core/run/run_project.h"

#include "core/run/run_store.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace qnn {

bool projectOfRun(const std::string& runDir, const Project& current, Project& out, std::string& error)
{
    out = current;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(runDir) / "config.json", ec))
        return true;
    RunStore store;
    nlohmann::json config;
    if (!RunStore::open(runDir, store, error) || !store.readConfig(config, error))
        return false;
    // Trained runs record the whole project; imported ones only its name.
    if (!config.contains("project") || !config["project"].is_object())
        return true;
    Project trained;
    if (!parseProject(config["project"].dump(), trained, error)) {
        error = store.configPath() + ": " + error;
        return false;
    }
    out.graph = trained.graph;
    return true;
}

} // namespace qnn
