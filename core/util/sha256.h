#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace qnn {

/** SHA-256 (FIPS 180-4), streamed. The one implementation of the project:
 *  the packed manifest, deploy packages, the boards' file checks and the
 *  dataset downloads all use it. Own code rather than OpenSSL's because
 *  qnn-run, which checks a packed folder's manifest on the board, is built
 *  statically for aarch64 and armhf and there is no ARM libssl to link;
 *  tests/core/tst_sha256 checks it against the NIST vectors and
 *  tests/deploy/tst_deploy against OpenSSL's digests. */
class Sha256
{
public:
    Sha256();
    void update(const void* data, size_t size);
    /** 64 lowercase hex digits; the object is spent afterwards. */
    std::string hexDigest();

private:
    void block(const unsigned char* p);

    uint32_t m_h[8];
    unsigned char m_buffer[64];
    size_t m_buffered = 0;
    uint64_t m_length = 0;
};

/** SHA-256 of a byte string as 64 lowercase hex digits. */
std::string sha256Hex(const std::string& bytes);

/** SHA-256 of a file, streamed; false with a sentence naming the file otherwise. */
bool sha256File(const std::string& path, std::string& hex, std::string& error);

} // namespace qnn
