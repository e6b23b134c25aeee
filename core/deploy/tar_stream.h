#pragma once
// The few bytes of the POSIX ustar format an upload needs: a deployment goes
// to an SSH board as one tar stream into `tar -xf -`, so the upload costs a
// few round trips instead of an SFTP open, write and close per file (LFC has
// 296 files: on a busy machine those round trips were most of the deploy).

#include <cstdint>
#include <string>

namespace qnn::deploy {

constexpr size_t kTarBlock = 512;

/** The 512-byte header of a regular file `path` (relative, under 100 bytes)
 *  of `size` bytes, mode 0755 when `executable` else 0644. False with a
 *  sentence when the path does not fit the header. */
bool tarFileHeader(const std::string& path, uint64_t size, bool executable, std::string& header, std::string& error);

/** Zero bytes that pad `size` bytes of file data to a whole block. */
size_t tarPadding(uint64_t size);

} // namespace qnn::deploy
