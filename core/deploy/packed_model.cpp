#include "core/deploy/packed_model.h"

#include "core/pack/integer_engine.h"
#include "core/pack/overlay_match.h"
#include "core/pack/packed_folder.h"
#include "core/pack/run_packer.h"

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace qnn::deploy {

std::string packedFolderOf(const std::string& runDir)
{
    return (fs::path(runDir) / "packed").string();
}

bool ensurePacked(const Project& project, const std::string& runDir, bool& packedNow, std::string& error)
{
    packedNow = false;
    std::error_code ec;
    if (fs::exists(fs::path(packedFolderOf(runDir)) / pack::kManifestFile, ec))
        return true;
    pack::RunPackRequest request;
    request.runDir = runDir;
    request.epoch = "best";
    request.outDir = packedFolderOf(runDir);
    pack::RunPackResult result;
    if (!pack::packRun(project, request, result, error))
        return false;
    packedNow = true;
    return true;
}

bool matchPrebuiltOverlay(const std::string& packedDir, std::string& network, std::string& difference,
                          std::string& error)
{
    pack::PackedNet net;
    if (!pack::readPackedFolder(packedDir, "", net, error))
        return false;
    network = pack::matchPackedOverlay(net, difference);
    return true;
}

bool runPackedImages(const std::string& packedDir, const ImageSet& images, std::vector<int>& predictions,
                     double& usecPerImage, std::string& error)
{
    pack::PackedNet net;
    if (!pack::readPackedFolder(packedDir, "", net, error))
        return false;
    pack::IntegerEngine engine;
    if (!engine.load(net, error) || !engine.accepts(images, error))
        return false;
    const auto start = std::chrono::steady_clock::now();
    predictions = engine.classifyAll(images);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    usecPerImage = images.size() ? seconds * 1e6 / double(images.size()) : 0.0;
    return true;
}

} // namespace qnn::deploy
