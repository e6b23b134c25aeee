#include "core/deploy/board.h"

namespace qnn::deploy {

bool isSafeDeploymentName(const std::string& name)
{
    if (name.empty() || name.size() > 200 || name == "." || name == ".." || name[0] == '-' || name[0] == '.')
        return false;
    for (unsigned char c : name)
        if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
            return false;
    return true;
}

bool isSafeDeploymentPath(const std::string& path)
{
    if (path.empty())
        return false;
    size_t start = 0;
    while (true) {
        const size_t slash = path.find('/', start);
        if (!isSafeDeploymentName(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start)))
            return false;
        if (slash == std::string::npos)
            return true;
        start = slash + 1;
    }
}

bool Board::upload(const std::string& deployment, const std::vector<UploadItem>& files, const ProgressFn& progress,
                   std::string& error)
{
    if (!isSafeDeploymentName(deployment)) {
        error = "refused to upload: \"" + deployment +
                "\" is not a deployment name (it must be one folder name under deployments/); nothing was sent";
        return false;
    }
    for (const auto& f : files)
        if (!isSafeDeploymentPath(f.remotePath)) {
            error = "refused to upload: \"" + f.remotePath +
                    "\" is not a path inside the deployment folder (no '..', no absolute path); nothing was sent";
            return false;
        }
    // What an earlier deploy left half-uploaded goes first: no one else will remove it.
    m_removedAbandoned = removeAbandonedUploads();
    if (uploadFiles(deployment, files, progress, error))
        return true;
    // Half an upload is no deployment: remove what this call created (never an older folder).
    removeDeployment(deployment);
    return false;
}

bool Board::removeDeployment(const std::string& deployment)
{
    if (!m_created.count(deployment))
        return false;
    removeDeploymentFolder(deployment);
    m_created.erase(deployment);
    return true;
}

bool Board::verify(const std::string& deployment, const std::map<std::string, std::string>& expected,
                   std::string& error)
{
    std::vector<std::string> files;
    for (const auto& [file, sha] : expected) {
        if (!isSafeDeploymentPath(file)) {
            error = "\"" + file + "\" is not a path inside the deployment folder";
            return false;
        }
        files.push_back(file);
    }
    std::map<std::string, std::string> actual;
    if (!checksums(deployment, files, actual, error))
        return false;
    std::string problems;
    int bad = 0;
    for (const auto& [file, sha] : expected) {
        const auto it = actual.find(file);
        std::string line;
        if (it == actual.end() || it->second.empty())
            line = file + " is missing on the board";
        else if (it->second != sha)
            line = file + " has SHA-256 " + it->second.substr(0, 16) + "… on the board, expected " +
                   sha.substr(0, 16) + "…";
        else
            continue;
        ++bad;
        problems += (problems.empty() ? "" : "; ") + line;
    }
    if (bad) {
        error = std::to_string(bad) + " of " + std::to_string(expected.size()) +
                " files differ from what was sent: " + problems;
        return false;
    }
    // Only now is the folder a deployment. A folder someone else is uploading
    // keeps its marker: only the upload that created it may call it whole.
    if (m_created.count(deployment) && !removeUploadMarker(deployment, error)) {
        error = "every file matched, but the folder could not be marked complete: " + error;
        return false;
    }
    return true;
}

} // namespace qnn::deploy
