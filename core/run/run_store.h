#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace qnn {

/** One training run on disk: a folder runs/<timestamp>-<name>/ holding
 *  config.json (graph and settings used), metrics.jsonl (a line per epoch and
 *  per logged batch), checkpoint.pt (model, optimizer, epoch; replaced
 *  atomically each epoch) and summary.json (status, best epoch, accuracies,
 *  confusion matrix, wall time, images/s). Torch-free: the trainer writes the
 *  checkpoint bytes, this class only knows where they go. */
class RunStore
{
public:
    /** Makes a new folder under runsDir named "<YYYYmmdd-HHMMSS>-<name>" (a
     *  suffix -2, -3, ... when taken); creates runsDir when needed. */
    static bool create(const std::string& runsDir, const std::string& name, RunStore& out, std::string& error);
    /** An existing run folder; it must hold config.json. */
    static bool open(const std::string& runDir, RunStore& out, std::string& error);

    bool isValid() const { return !m_dir.empty(); }
    const std::string& dir() const { return m_dir; }
    std::string configPath() const { return m_dir + "/config.json"; }
    std::string metricsPath() const { return m_dir + "/metrics.jsonl"; }
    std::string checkpointPath() const { return m_dir + "/checkpoint.pt"; }
    std::string summaryPath() const { return m_dir + "/summary.json"; }

    bool writeConfig(const nlohmann::json& config, std::string& error) const;
    bool readConfig(nlohmann::json& config, std::string& error) const;
    /** Appends one compact JSON line to metrics.jsonl. */
    bool appendMetrics(const nlohmann::json& line, std::string& error) const;
    /** For a resume: drops the lines of epochs after `epoch`, whose work is
     *  redone, but keeps the batch lines of epoch `epoch` + 1 up to
     *  `batchesDone`, the batches a mid-epoch checkpoint already holds. */
    bool truncateMetricsAfter(int epoch, std::string& error, int64_t batchesDone = 0) const;
    bool readMetrics(std::vector<nlohmann::json>& lines, std::string& error) const;
    /** Atomic, so a reader never sees half a summary. */
    bool writeSummary(const nlohmann::json& summary, std::string& error) const;
    bool readSummary(nlohmann::json& summary, std::string& error) const;

private:
    std::string m_dir;
};

/** Folder-name friendly form of a project name ("LFC W1A1" → "LFC-W1A1"). */
std::string runNameStem(const std::string& name);

} // namespace qnn
