#include "core/run/run_paths.h"

#include <filesystem>

namespace qnn {

namespace fs = std::filesystem;

std::string projectDirOf(const std::string& projectPath)
{
    const fs::path dir = fs::path(projectPath).parent_path();
    return dir.empty() ? "." : dir.string();
}

std::string runsDirOf(const std::string& projectPath) { return (fs::path(projectDirOf(projectPath)) / "runs").string(); }

bool isSafeRunName(const std::string& name, std::string& error)
{
    if (name.empty()) {
        error = "a run name cannot be empty";
        return false;
    }
    if (name == "." || name == "..") {
        error = "the run name '" + name + "' would leave the runs folder";
        return false;
    }
    for (char c : name) {
        if (c == '/' || c == '\\') {
            error = "the run name '" + name + "' contains a '" + std::string(1, c) +
                    "': a run is one folder directly under runs/";
            return false;
        }
        if (static_cast<unsigned char>(c) < 0x20) {
            error = "the run name '" + name + "' contains a control character";
            return false;
        }
    }
    if (name.size() > 200) {
        error = "the run name '" + name.substr(0, 40) + "...' is longer than 200 characters";
        return false;
    }
    return true;
}

namespace {

bool isInside(const fs::path& child, const fs::path& parent)
{
    auto c = child.begin();
    for (auto p = parent.begin(); p != parent.end(); ++p, ++c)
        if (c == child.end() || *c != *p)
            return false;
    return c != child.end();
}

} // namespace

bool runDirFor(const std::string& runsDir, const std::string& name, std::string& dir, std::string& error)
{
    if (!isSafeRunName(name, error))
        return false;
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(fs::absolute(runsDir, ec), ec);
    const fs::path target = fs::path(runsDir) / name;
    const fs::path resolved = fs::weakly_canonical(fs::absolute(target, ec), ec);
    if (ec || !isInside(resolved, root)) {
        error = "the run '" + name + "' points outside the runs folder " + runsDir + " (to " + resolved.string() +
                "); it is ignored";
        return false;
    }
    dir = target.string();
    return true;
}

bool removeRunDir(const std::string& runsDir, const std::string& name, std::string& error)
{
    std::string dir;
    if (!runDirFor(runsDir, name, dir, error))
        return false;
    std::error_code ec;
    if (fs::is_symlink(dir, ec)) {
        // A link that resolves inside runs/ still names another run's folder: drop the link only.
        fs::remove(dir, ec);
    } else {
        // remove_all removes symlinks inside the folder as links; it never follows them.
        fs::remove_all(dir, ec);
    }
    if (ec) {
        error = "cannot delete the run folder " + dir + ": " + ec.message();
        return false;
    }
    return true;
}

bool renameRunDir(const std::string& runsDir, const std::string& from, const std::string& to, std::string& error)
{
    std::string fromDir, toDir;
    if (!runDirFor(runsDir, from, fromDir, error) || !runDirFor(runsDir, to, toDir, error))
        return false;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(toDir, ec))) {
        error = "a run named '" + to + "' exists already";
        return false;
    }
    fs::rename(fromDir, toDir, ec);
    if (ec) {
        error = "cannot rename the run '" + from + "' to '" + to + "': " + ec.message();
        return false;
    }
    return true;
}

} // namespace qnn
