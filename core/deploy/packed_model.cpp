#include "core/deploy/packed_model.h"

#include "core/util/json_file.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::deploy {

std::string packedFolderOf(const std::string& runDir)
{
    return (fs::path(runDir) / "packed").string();
}

bool ensurePacked(const Project&, const std::string& runDir, bool& packedNow, std::string& error)
{
    packedNow = false;
    std::error_code ec;
    if (fs::exists(fs::path(packedFolderOf(runDir)) / "manifest.json", ec))
        return true;
    error = "this build cannot pack yet";
    return false;
}

bool matchPrebuiltOverlay(const std::string& packedDir, std::string& network, std::string& difference,
                          std::string& error)
{
    nlohmann::json m;
    if (!readJsonFile((fs::path(packedDir) / "manifest.json").string(), m, error))
        return false;
    network = m.value("network", std::string());
    difference = network.empty() ? "the manifest names no network" : "";
    return true;
}

bool runPackedImages(const std::string&, const ImageSet&, std::vector<int>&, double&, std::string& error)
{
    error = "this build has no integer engine yet";
    return false;
}

} // namespace qnn::deploy
