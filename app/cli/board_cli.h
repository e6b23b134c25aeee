#pragma once

// What `qnnw board` and `qnnw deploy` share.
#include "core/deploy/board.h"

#include <nlohmann/json.hpp>

#include <string>

namespace qnn::cli {

/** The host key a deploy or board test could not check: the "host_key" of
 *  their --json error event, which the window turns into its dialog. */
nlohmann::json hostKeyJson(const deploy::HostKeyProblem& problem);

/** --password-stdin: the first line of stdin (so a password never sits in argv). */
bool readPasswordFromStdin(std::string& password);

} // namespace qnn::cli
