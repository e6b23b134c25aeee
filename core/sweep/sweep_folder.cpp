#include "core/sweep/sweep_folder.h"

#include "core/run/run_paths.h"
#include "core/util/json_file.h"

#include <filesystem>

namespace qnn {

namespace fs = std::filesystem;

std::string sweepsDirOf(const std::string& projectPath)
{
    return (fs::path(projectDirOf(projectPath)) / "sweeps").lexically_normal().string();
}

bool SweepFolder::create(const std::string& dir, const std::string& projectPath, const Project& base,
                         const SweepSpec& spec, const std::vector<SweepPoint>& points, SweepFolder& out,
                         std::string& error)
{
    std::error_code ec;
    const std::string absDir = fs::absolute(dir, ec).lexically_normal().string();
    const std::string absProject = fs::absolute(projectPath, ec).lexically_normal().string();
    if (fs::exists(absDir + "/sweep.json", ec)) {
        SweepFolder existing;
        if (!open(absDir, existing, error))
            return false;
        if (sweepSpecToJson(existing.spec()) != sweepSpecToJson(spec)) {
            error = "the sweep folder " + absDir + " holds another sweep (other axes, seeds or settings); "
                    "give this one another --name";
            return false;
        }
        out = existing;
        return true; // a resubmit: the points and their runs stay as they are
    }
    fs::create_directories(absDir + "/points", ec);
    if (ec) {
        error = "cannot make the sweep folder " + absDir + ": " + ec.message();
        return false;
    }
    // Point projects live elsewhere than the project: a relative dataset path
    // must keep pointing where it pointed.
    Project pointBase = base;
    if (!pointBase.dataset.path.empty() && fs::path(pointBase.dataset.path).is_relative())
        pointBase.dataset.path =
            (fs::absolute(projectDirOf(absProject), ec) / pointBase.dataset.path).lexically_normal().string();
    for (const SweepPoint& p : points) {
        if (!p.valid)
            continue;
        Project project;
        std::string reason;
        if (!makePointProject(pointBase, spec, p, project, reason, false)) {
            error = p.id + ": " + reason;
            return false;
        }
        fs::create_directories(absDir + "/points/" + p.id, ec);
        if (!saveProject(absDir + "/points/" + p.id + "/project.qnnproj", project, error))
            return false;
    }
    nlohmann::json pts = nlohmann::json::array();
    for (const SweepPoint& p : points)
        pts.push_back(sweepPointToJson(p));
    const std::string name = fs::path(absDir).filename().string();
    const nlohmann::json j{{"format", kSweepFormat}, {"version", kSweepVersion}, {"name", name},
                           {"project", absProject}, {"spec", sweepSpecToJson(spec)},
                           {"points", pts}};
    if (!writeJsonFile(absDir + "/sweep.json", j, error))
        return false;
    return open(absDir, out, error);
}

bool SweepFolder::open(const std::string& dirOrFile, SweepFolder& out, std::string& error)
{
    std::error_code ec;
    fs::path dir = fs::absolute(dirOrFile, ec).lexically_normal();
    if (dir.filename() == "sweep.json")
        dir = dir.parent_path();
    nlohmann::json j;
    if (!fs::exists(dir / "sweep.json", ec)) {
        error = dir.string() + " is not a sweep folder (it has no sweep.json)";
        return false;
    }
    if (!readJsonFile((dir / "sweep.json").string(), j, error))
        return false;
    if (j.value("format", std::string()) != kSweepFormat) {
        error = (dir / "sweep.json").string() + " is not a sweep file";
        return false;
    }
    if (j.value("version", 0) > kSweepVersion) {
        error = (dir / "sweep.json").string() + " was written by a newer QNN Workbench (version " +
                std::to_string(j.value("version", 0)) + ")";
        return false;
    }
    SweepFolder f;
    f.m_dir = dir.string();
    f.m_name = j.value("name", dir.filename().string());
    f.m_projectPath = j.value("project", std::string());
    if (!j.contains("spec") || !sweepSpecFromJson(j["spec"], f.m_spec, error))
        return false;
    if (!j.contains("points") || !j["points"].is_array()) {
        error = (dir / "sweep.json").string() + " lists no points";
        return false;
    }
    for (const auto& pj : j["points"]) {
        SweepPoint p;
        if (!sweepPointFromJson(pj, p, error))
            return false;
        std::string nameError;
        if (!isSafeRunName(p.id, nameError)) {
            error = (dir / "sweep.json").string() + ": " + nameError;
            return false;
        }
        f.m_points.push_back(std::move(p));
    }
    out = std::move(f);
    return true;
}

const SweepPoint* SweepFolder::findPoint(const std::string& key) const
{
    for (const SweepPoint& p : m_points)
        if (p.id == key || std::to_string(p.index) == key)
            return &p;
    return nullptr;
}

std::string SweepFolder::latestRun(const SweepPoint& p) const
{
    std::error_code ec;
    std::string best;
    for (const auto& entry : fs::directory_iterator(pointRunsDir(p), ec)) {
        if (!entry.is_directory(ec) || !fs::exists(entry.path() / "config.json", ec))
            continue;
        // Names start with a timestamp, so the largest is the newest.
        const std::string path = entry.path().string();
        if (path > best)
            best = path;
    }
    return best;
}

nlohmann::json SweepFolder::readPointRecord(const SweepPoint& p) const
{
    nlohmann::json j;
    std::string ignored;
    if (!readJsonFile(pointDir(p) + "/point.json", j, ignored))
        return nlohmann::json::object();
    return j;
}

bool SweepFolder::writePointRecord(const SweepPoint& p, const nlohmann::json& record, std::string& error) const
{
    std::error_code ec;
    fs::create_directories(pointDir(p), ec);
    return writeJsonFile(pointDir(p) + "/point.json", record, error);
}

nlohmann::json SweepFolder::readBackend() const
{
    nlohmann::json j;
    std::string ignored;
    if (!readJsonFile(m_dir + "/backend.json", j, ignored))
        return nlohmann::json::object();
    return j;
}

bool SweepFolder::writeBackend(const nlohmann::json& backend, std::string& error) const
{
    return writeJsonFile(m_dir + "/backend.json", backend, error);
}

} // namespace qnn
