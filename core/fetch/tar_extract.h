#pragma once

#include <string>
#include <vector>

namespace qnn {

/** Extracts the regular files of a .tar.gz (ustar/GNU) whose base names are
 *  in `wanted` into `toDir` under those base names; everything else in the
 *  archive is skipped, so no member name can reach outside `toDir`. Each
 *  member is capped at `maxMemberBytes`. False with a sentence naming the
 *  archive (a broken archive, a missing member, a write error). */
bool extractTarGz(const std::string& archive, const std::vector<std::string>& wanted, const std::string& toDir,
                  unsigned long long maxMemberBytes, std::string& error);

} // namespace qnn
