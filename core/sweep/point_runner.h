#pragma once

#include "core/sweep/sweep_folder.h"

#include <string>

namespace qnn {

/** Runs one point of a sweep where it is started (a local queue slot or a
 *  Slurm array task): `qnnw train` on the point's project as a child
 *  process, resumed from the last checkpoint when an earlier attempt left
 *  one, then the hardware estimate added to the run's summary.json. A point
 *  already completed is left alone. SIGINT and SIGTERM (Slurm's time limit,
 *  scancel, preemption) reach the training as SIGINT, which stops it
 *  resumably. Records what happened in the point's point.json. Returns the
 *  exit code for the caller: 0 completed, 1 failed, 130 stopped. */
int runSweepPoint(const SweepFolder& sweep, const SweepPoint& point, const std::string& qnnwPath);

/** Adds "hardware" (pointHardware of the point's project) to the summary.json
 *  of the run folder `runDir`. */
bool addHardwareToSummary(const SweepFolder& sweep, const SweepPoint& point, const std::string& runDir,
                          std::string& error);

} // namespace qnn
