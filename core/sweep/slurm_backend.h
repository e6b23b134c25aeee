#pragma once

#include "core/sweep/sweep_folder.h"
#include "core/sweep/sweep_status.h"

#include <map>
#include <string>
#include <vector>

namespace qnn {

/** How the tasks of a Slurm job array ask for resources. */
struct SlurmOptions {
    std::string partition;
    /** HH:MM:SS (or anything sbatch --time takes); empty = the partition's default. */
    std::string time;
    int cpusPerTask = 0;
    int gpusPerTask = 0;
    /** At most this many tasks at once (the array's %N); 0 = no limit. */
    int maxRunning = 0;
    /** More sbatch options, passed as they are. */
    std::vector<std::string> sbatchArgs;
    /** qnnw as the compute nodes run it (an absolute path on the shared file system). */
    std::string qnnwPath;
};

/** "0-3,5,7-8": the array ranges sbatch --array takes, for sorted indices. */
std::string arraySpec(std::vector<int> indices);

/** The job script: one array task per point, each `qnnw sweep run-point`. */
std::string slurmScript(const SweepFolder& sweep, const std::vector<int>& indices, const SlurmOptions& options);

/** Writes slurm/job-N.sh, runs sbatch, and records the job id and its
 *  points in backend.json. False with sbatch's own words. */
bool submitSlurm(const SweepFolder& sweep, const std::vector<int>& indices, const SlurmOptions& options,
                 std::string& jobId, std::string& error);

/** The state of every task of the sweep's jobs: squeue for what waits or
 *  runs, sacct (where accounting exists) for how the others ended, and
 *  "ended" with no detail for tasks neither lists. */
bool querySlurm(const SweepFolder& sweep, std::map<int, TaskState>& tasks, std::string& error);

/** scancel of every job of the sweep; the points not ended are recorded as cancelled. */
bool cancelSlurm(const SweepFolder& sweep, std::string& error);

/** Adds `indices` to backend.json's "submitted" (and removes them from "cancelled"). */
bool recordSubmitted(const SweepFolder& sweep, const std::string& backend, const std::vector<int>& indices,
                     const nlohmann::json& job, std::string& error);

} // namespace qnn
