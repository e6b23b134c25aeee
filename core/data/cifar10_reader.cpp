#include "core/data/cifar10_reader.h"

#include "core/util/atomic_file.h"

#include <sstream>

namespace qnn {

bool readCifarBatch(const std::string& path, ImageSet& out, std::string& error)
{
    std::string bytes;
    if (!readFile(path, bytes, error))
        return false;
    if (bytes.empty() || bytes.size() % kCifarRecordBytes != 0) {
        error = path + ": " + std::to_string(bytes.size()) +
                " bytes is not a whole number of CIFAR-10 records (3,073 bytes each: 1 label byte + 3×32×32 pixels)";
        return false;
    }
    if (out.size() == 0) {
        out.channels = 3;
        out.height = 32;
        out.width = 32;
        out.classes = 10;
    }
    const size_t records = bytes.size() / kCifarRecordBytes;
    const size_t first = out.size();
    out.labels.reserve(first + records);
    out.pixels.reserve((first + records) * 3072);
    for (size_t r = 0; r < records; ++r) {
        const auto* rec = reinterpret_cast<const uint8_t*>(bytes.data()) + r * kCifarRecordBytes;
        if (rec[0] > 9) {
            error = path + ": record " + std::to_string(r) + " has label " + std::to_string(rec[0]) +
                    ", expected 0..9";
            out.labels.resize(first);
            out.pixels.resize(first * 3072);
            return false;
        }
        out.labels.push_back(rec[0]);
        out.pixels.insert(out.pixels.end(), rec + 1, rec + kCifarRecordBytes);
    }
    return true;
}

bool readCifarMeta(const std::string& path, std::vector<std::string>& names, std::string& error)
{
    std::string text;
    if (!readFile(path, text, error))
        return false;
    names.clear();
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            names.push_back(line);
    }
    if (names.size() != 10) {
        error = path + ": lists " + std::to_string(names.size()) + " class names, expected 10 (one per line)";
        return false;
    }
    return true;
}

} // namespace qnn
