#include "app/cli/run_folder.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::cli {

bool findRunFolder(const std::string& run, const std::string& projectDir, std::string& runDir, std::string& error)
{
    std::error_code ec;
    if (fs::is_directory(run, ec) && fs::exists(fs::path(run) / "config.json", ec)) {
        runDir = run;
        return true;
    }
    const fs::path under = fs::path(projectDir) / "runs" / run;
    if (fs::is_directory(under, ec)) {
        runDir = under.string();
        return true;
    }
    error = "run '" + run + "' not found (looked for the folder " + run + " and " + under.string() + ")";
    return false;
}

std::string projectFolderOf(const std::string& projectPath)
{
    const fs::path parent = fs::path(projectPath).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

} // namespace qnn::cli
