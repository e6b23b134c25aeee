#pragma once

#include "core/project/project.h"

#include <nlohmann/json.hpp>

namespace qnn {

/** The hardware figures a sweep point's summary.json carries under
 *  "hardware": LUT, BRAM36, URAM, DSP (and their shares), FPS, latency and
 *  whether it fits, on the project's device and clock. The folding is the
 *  cheapest that reaches `targetFps` (the default one for that target);
 *  with no target, or one no folding reaches, the fastest that fits. Uses
 *  core/hw's public estimate API only. {"ok": false, "problem": ...} when the
 *  graph is no dataflow or the device is unknown. */
nlohmann::json pointHardware(const Project& project, double targetFps);

} // namespace qnn
