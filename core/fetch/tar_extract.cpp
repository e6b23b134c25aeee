#include "core/fetch/tar_extract.h"

#include "core/util/atomic_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

namespace qnn {

namespace {

struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
};

bool readExactly(gzFile f, char* into, size_t bytes)
{
    size_t done = 0;
    while (done < bytes) {
        const int n = gzread(f, into + done, static_cast<unsigned>(std::min<size_t>(bytes - done, 1 << 20)));
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// Size fields are octal text; GNU tar marks larger sizes with a high bit (base-256).
bool parseSize(const char* field, unsigned long long& size)
{
    size = 0;
    if (static_cast<unsigned char>(field[0]) & 0x80) {
        for (int i = 1; i < 12; ++i) {
            if (size >> 55)
                return false;
            size = (size << 8) | static_cast<unsigned char>(field[i]);
        }
        return true;
    }
    for (int i = 0; i < 12 && field[i]; ++i) {
        if (field[i] == ' ')
            continue;
        if (field[i] < '0' || field[i] > '7' || (size >> 60))
            return false;
        size = size * 8 + static_cast<unsigned>(field[i] - '0');
    }
    return true;
}

std::string baseName(const std::string& path)
{
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

bool extractTarGz(const std::string& archive, const std::vector<std::string>& wanted, const std::string& toDir,
                  unsigned long long maxMemberBytes, std::string& error)
{
    std::unique_ptr<gzFile_s, GzCloser> f(gzopen(archive.c_str(), "rb"));
    if (!f) {
        error = "cannot read " + archive + ": " + std::strerror(errno);
        return false;
    }
    std::set<std::string> missing(wanted.begin(), wanted.end());
    char header[512];
    std::string body;
    for (;;) {
        if (!readExactly(f.get(), header, sizeof header)) {
            error = archive + ": the archive ends before its end marker (a broken or truncated .tar.gz)";
            return false;
        }
        if (std::all_of(header, header + 512, [](char c) { return c == 0; }))
            break;
        std::string name(header, strnlen(header, 100));
        if (std::memcmp(header + 257, "ustar", 5) == 0 && header[345])
            name = std::string(header + 345, strnlen(header + 345, 155)) + "/" + name;
        unsigned long long size = 0;
        if (!parseSize(header + 124, size)) {
            error = archive + ": member '" + name + "' has a broken size field (not a tar archive?)";
            return false;
        }
        const char type = header[156];
        const unsigned long long padded = (size + 511) / 512 * 512;
        const std::string base = baseName(name);
        const bool regular = type == '0' || type == '\0';
        if (regular && missing.count(base)) {
            if (size > maxMemberBytes) {
                error = archive + ": member '" + name + "' is " + std::to_string(size) + " bytes, more than the " +
                        std::to_string(maxMemberBytes) + " it can hold";
                return false;
            }
            body.resize(static_cast<size_t>(padded));
            if (!readExactly(f.get(), body.data(), body.size())) {
                error = archive + ": member '" + name + "' is cut short (a broken or truncated .tar.gz)";
                return false;
            }
            body.resize(static_cast<size_t>(size));
            if (!writeFileAtomic(toDir + "/" + base, body, error))
                return false;
            missing.erase(base);
            continue;
        }
        // Skip what is not wanted, in bounded steps.
        std::string skip(1 << 16, '\0');
        for (unsigned long long left = padded; left > 0;) {
            const size_t step = static_cast<size_t>(std::min<unsigned long long>(left, skip.size()));
            if (!readExactly(f.get(), skip.data(), step)) {
                error = archive + ": member '" + name + "' is cut short (a broken or truncated .tar.gz)";
                return false;
            }
            left -= step;
        }
    }
    if (!missing.empty()) {
        error = archive + ": the archive lacks " + *missing.begin();
        return false;
    }
    return true;
}

} // namespace qnn
