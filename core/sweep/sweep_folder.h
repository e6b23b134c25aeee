#pragma once

#include "core/sweep/sweep_spec.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace qnn {

/** A sweep on disk, the one source of truth whatever ran it:
 *    sweep.json                  format, name, project, spec, points
 *    backend.json                how it was submitted (local pid, Slurm job ids)
 *    points/pNNN/project.qnnproj the project the point trains
 *    points/pNNN/runs/<run>/     its ordinary run folder (summary.json holds "hardware")
 *    points/pNNN/point.json      what the point's runner last said (started, ended, reason)
 *    slurm/                      the job script and the tasks' logs
 *  Every file is written atomically, so a poll never reads half of one. */
class SweepFolder
{
public:
    /** Makes the folder (or reuses one holding the same spec, for a
     *  resubmit): sweep.json and a project file per valid point. A folder of
     *  the same name with another spec is an error. */
    static bool create(const std::string& dir, const std::string& projectPath, const Project& base,
                       const SweepSpec& spec, const std::vector<SweepPoint>& points, SweepFolder& out,
                       std::string& error);
    /** An existing sweep folder (or its sweep.json). */
    static bool open(const std::string& dir, SweepFolder& out, std::string& error);

    const std::string& dir() const { return m_dir; }
    const std::string& name() const { return m_name; }
    const std::string& projectPath() const { return m_projectPath; }
    const SweepSpec& spec() const { return m_spec; }
    const std::vector<SweepPoint>& points() const { return m_points; }
    /** The point with this index or id ("3", "p003"); nullptr when none. */
    const SweepPoint* findPoint(const std::string& indexOrId) const;

    std::string pointDir(const SweepPoint& p) const { return m_dir + "/points/" + p.id; }
    std::string pointProjectPath(const SweepPoint& p) const { return pointDir(p) + "/project.qnnproj"; }
    std::string pointRunsDir(const SweepPoint& p) const { return pointDir(p) + "/runs"; }
    /** The point's newest run folder, or empty when it has none. */
    std::string latestRun(const SweepPoint& p) const;

    /** point.json: {"state": "started"|"ended", "exit_code", "reason", "run", "host", ...}. */
    nlohmann::json readPointRecord(const SweepPoint& p) const;
    bool writePointRecord(const SweepPoint& p, const nlohmann::json& record, std::string& error) const;

    nlohmann::json readBackend() const;
    bool writeBackend(const nlohmann::json& backend, std::string& error) const;

private:
    std::string m_dir;
    std::string m_name;
    std::string m_projectPath;
    SweepSpec m_spec;
    std::vector<SweepPoint> m_points;
};

constexpr const char* kSweepFormat = "qnn-workbench-sweep";
constexpr int kSweepVersion = 1;

/** Where sweeps of a project go by default: sweeps/ beside the project file. */
std::string sweepsDirOf(const std::string& projectPath);

} // namespace qnn
