#include "core/deploy/tar_stream.h"

#include <cstdio>
#include <cstring>
#include <ctime>

namespace qnn::deploy {

namespace {

// An octal number in a field of `width` bytes: digits, then a NUL.
void putOctal(std::string& header, size_t offset, size_t width, uint64_t value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
    std::memcpy(&header[offset], buffer, width - 1);
    header[offset + width - 1] = '\0';
}

} // namespace

bool tarFileHeader(const std::string& path, uint64_t size, bool executable, std::string& header, std::string& error)
{
    if (path.empty() || path.size() >= 100) {
        error = "\"" + path.substr(0, 120) + "\" is too long a path for the upload (at most 99 bytes)";
        return false;
    }
    if (size >= (uint64_t(1) << 33)) {
        error = path + " is too large to upload (8 GB at most)";
        return false;
    }
    header.assign(kTarBlock, '\0');
    std::memcpy(&header[0], path.data(), path.size());
    putOctal(header, 100, 8, executable ? 0755 : 0644);
    putOctal(header, 108, 8, 0);
    putOctal(header, 116, 8, 0);
    putOctal(header, 124, 12, size);
    putOctal(header, 136, 12, static_cast<uint64_t>(std::time(nullptr)));
    header[156] = '0'; // a regular file
    std::memcpy(&header[257], "ustar", 6);
    std::memcpy(&header[263], "00", 2);
    // The checksum is taken with its own field as eight spaces.
    std::memset(&header[148], ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header)
        sum += c;
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%06o", sum);
    std::memcpy(&header[148], buffer, 6);
    header[154] = '\0';
    header[155] = ' ';
    return true;
}

size_t tarPadding(uint64_t size)
{
    return static_cast<size_t>((kTarBlock - size % kTarBlock) % kTarBlock);
}

} // namespace qnn::deploy
