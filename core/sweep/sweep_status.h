#pragma once

#include "core/sweep/sweep_folder.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace qnn {

/** What a scheduler says of one task of the sweep right now. */
struct TaskState {
    /** "queued", "running" or "ended" (the scheduler no longer lists it). */
    std::string state;
    /** The scheduler's own words ("PENDING (Priority)", "TIMEOUT"), for the reason column. */
    std::string detail;
};

/** One row of `qnnw sweep status`: the point's state as its run folder,
 *  its runner and (where given) the scheduler say. */
struct PointStatus {
    const SweepPoint* point = nullptr;
    /** invalid, not submitted, queued, running, completed, failed, cancelled, diverged. */
    std::string state;
    std::string reason;
    int epoch = 0;
    int epochs = 0;
    /** -1 when not known. */
    double testAccuracy = -1;
    double bestValAccuracy = -1;
    double wallSeconds = -1;
    /** The run folder, or empty. */
    std::string run;
    /** summary.json's "hardware", else the dry-run's estimate. */
    nlohmann::json hardware;
};

/** Every point's status. `tasks` (point index → scheduler state) comes from
 *  the backend; a point it does not name is judged by its folder alone.
 *  `submitted` says which points a backend has been asked to run. */
std::vector<PointStatus> collectSweepStatus(const SweepFolder& sweep, const std::map<int, TaskState>& tasks = {});

/** True when no point is queued or running. */
bool sweepEnded(const std::vector<PointStatus>& status);
/** Counts per state, e.g. {"completed": 4, "running": 2}. */
std::map<std::string, int> countStates(const std::vector<PointStatus>& status);

/** The table a terminal shows: point, values, seed, state, epoch, accuracy, LUT, BRAM, DSP, FPS, fits, reason. */
std::string formatSweepTable(const SweepFolder& sweep, const std::vector<PointStatus>& status);
std::string formatSweepCsv(const SweepFolder& sweep, const std::vector<PointStatus>& status);
nlohmann::json sweepStatusToJson(const SweepFolder& sweep, const std::vector<PointStatus>& status);

/** The states a resubmit runs again: missing (not submitted, or ended with
 *  no run), failed, cancelled. Completed, running, queued and invalid stay. */
bool needsRun(const PointStatus& status);

} // namespace qnn
