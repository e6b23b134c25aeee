#pragma once

#include <string>

namespace qnn {

/** MD5 and SHA-256 of one file, read once. */
struct FileHashes {
    std::string md5;
    std::string sha256;
};

/** Streams the file through both digests (MD5 from OpenSSL, SHA-256 the
 *  project's own); false with a
 *  sentence naming the file when it cannot be read. */
bool hashFile(const std::string& path, FileHashes& out, std::string& error);

} // namespace qnn
