#pragma once

#include "core/hw/folding.h"
#include "core/pack/packed_net.h"
#include "core/project/project.h"

#include <string>

namespace qnn::pack {

/** What `qnnw pack` and the deploy flow ask for. */
struct RunPackRequest {
    std::string runDir;
    /** "best" or "last": weights-best.qnnw or weights-last.qnnw. */
    std::string epoch = "best";
    /** "" = the matching prebuilt overlay's, else the project's, else the
     *  fastest folding; "bnn-pynq"; or a folding FILE (ours or FINN's). */
    std::string folding;
    std::string outDir;
};

struct RunPackResult {
    PackedNet net;
    Folding folding;
    /** The prebuilt overlay that runs it unchanged, or empty with `difference`. */
    std::string overlay;
    std::string difference;
    double seconds = 0;
};

/** Packs a run's weight file into outDir (files, config.h, manifest.json).
 *  The error is a sentence (missing weight file, folding that does not fit). */
bool packRun(const Project& project, const RunPackRequest& request, RunPackResult& result, std::string& error);

} // namespace qnn::pack
