#pragma once

#include <string>

namespace qnn::pack {

/** SHA-256 of bytes as 64 lowercase hex digits (FIPS 180-4). Own code, so
 *  that qnn_core needs no crypto library for the packed manifest. */
std::string sha256Hex(const std::string& bytes);

} // namespace qnn::pack
