#include "core/fetch/file_hash.h"

#include "core/util/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace qnn {

namespace {

struct MdContextDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string finish(EVP_MD_CTX* ctx)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(digits[digest[i] >> 4]);
        hex.push_back(digits[digest[i] & 15]);
    }
    return hex;
}

} // namespace

bool hashFile(const std::string& path, FileHashes& out, std::string& error)
{
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        error = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    // MD5 only for the catalogue's published sums; SHA-256 is the project's one (core/util/sha256.h).
    MdContext md5(EVP_MD_CTX_new());
    EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
    Sha256 sha;
    std::string buffer(1 << 16, '\0');
    size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0) {
        EVP_DigestUpdate(md5.get(), buffer.data(), n);
        sha.update(buffer.data(), n);
    }
    if (std::ferror(f.get())) {
        error = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    out.md5 = finish(md5.get());
    out.sha256 = sha.hexDigest();
    return true;
}

} // namespace qnn
