#pragma once

#include "core/project/project.h"

#include <string>

namespace qnn {

/** The project a run was trained with, as its config.json recorded it: the
 *  graph (and bit-widths) of that run, which differs from the open project's
 *  for an FP32 twin or after later edits. `current` supplies what a run does
 *  not record (deploy target, folding) and everything, for runs whose
 *  config.json has no project (imported runs, older trainers). */
bool projectOfRun(const std::string& runDir, const Project& current, Project& out, std::string& error);

} // namespace qnn
