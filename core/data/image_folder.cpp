#include "core/data/image_folder.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO_WARNINGS
#include <stb/stb_image.h>

#include <algorithm>
#include <filesystem>

namespace qnn {

namespace fs = std::filesystem;

namespace {

bool isImageFile(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

} // namespace

bool readImageFolder(const std::string& dir, ImageSet& out, std::string& error)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        error = dir + ": not a folder (an image-folder dataset is a folder with one sub-folder per class)";
        return false;
    }
    std::vector<fs::path> classDirs;
    // The error_code forms throughout: a link loop or an entry that cannot be
    // examined is skipped like any other non-image, never thrown.
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::error_code e;
        if (entry.is_directory(e))
            classDirs.push_back(entry.path());
    }
    std::sort(classDirs.begin(), classDirs.end());
    if (classDirs.size() < 2) {
        error = dir + ": found " + std::to_string(classDirs.size()) +
                " class folders, expected at least 2 (one sub-folder per class holding its images)";
        return false;
    }
    std::vector<std::pair<fs::path, int>> files;
    for (size_t c = 0; c < classDirs.size(); ++c) {
        std::vector<fs::path> inClass;
        for (const auto& entry : fs::directory_iterator(classDirs[c], ec)) {
            std::error_code e;
            if (entry.is_regular_file(e) && isImageFile(entry.path()))
                inClass.push_back(entry.path());
        }
        if (inClass.empty()) {
            error = classDirs[c].string() + ": no PNG or JPEG images in this class folder";
            return false;
        }
        std::sort(inClass.begin(), inClass.end());
        for (auto& p : inClass)
            files.emplace_back(std::move(p), static_cast<int>(c));
    }

    // First pass: geometry, so that grey and colour images can share one channel count.
    int width = 0, height = 0, channels = 1;
    for (const auto& [path, label] : files) {
        int w = 0, h = 0, comp = 0;
        if (!stbi_info(path.c_str(), &w, &h, &comp)) {
            error = path.string() + ": not a readable PNG or JPEG image (" + stbi_failure_reason() + ")";
            return false;
        }
        if (w <= 0 || h <= 0 || w > 16384 || h > 16384) {
            error = path.string() + ": image is " + std::to_string(w) + "×" + std::to_string(h) +
                    ", outside 1..16384 pixels a side";
            return false;
        }
        if (width == 0) {
            width = w;
            height = h;
        } else if (w != width || h != height) {
            error = path.string() + ": image is " + std::to_string(w) + "×" + std::to_string(h) +
                    ", but the first image is " + std::to_string(width) + "×" + std::to_string(height) +
                    " (all images must have one size)";
            return false;
        }
        if (comp >= 3)
            channels = 3;
    }

    // Checked before the one allocation below: 16 GiB of pixels at most.
    const uint64_t total = uint64_t(width) * uint64_t(height) * uint64_t(channels) * files.size();
    if (total > (16ull << 30)) {
        error = dir + ": " + std::to_string(files.size()) + " images of " + std::to_string(width) + "×" +
                std::to_string(height) + " need " + std::to_string(total) + " bytes, more than the 16 GiB read at once";
        return false;
    }
    ImageSet set;
    set.channels = channels;
    set.height = height;
    set.width = width;
    set.classes = static_cast<int>(classDirs.size());
    for (const auto& d : classDirs)
        set.classNames.push_back(d.filename().string());
    set.pixels.resize(files.size() * set.imageBytes());
    set.labels.reserve(files.size());
    const size_t plane = static_cast<size_t>(width) * height;
    for (size_t i = 0; i < files.size(); ++i) {
        int w = 0, h = 0, comp = 0;
        unsigned char* data = stbi_load(files[i].first.c_str(), &w, &h, &comp, channels);
        if (!data) {
            error = files[i].first.string() + ": not a readable PNG or JPEG image (" + stbi_failure_reason() + ")";
            return false;
        }
        // The file may have changed since the first pass: its size is checked again before the copy.
        if (w != width || h != height) {
            stbi_image_free(data);
            error = files[i].first.string() + ": image is " + std::to_string(w) + "×" + std::to_string(h) +
                    ", but the first image is " + std::to_string(width) + "×" + std::to_string(height) +
                    " (all images must have one size)";
            return false;
        }
        // stb gives HWC; the network wants CHW.
        uint8_t* dst = set.pixels.data() + i * set.imageBytes();
        for (size_t p = 0; p < plane; ++p)
            for (int c = 0; c < channels; ++c)
                dst[c * plane + p] = data[p * channels + c];
        stbi_image_free(data);
        set.labels.push_back(files[i].second);
    }
    out = std::move(set);
    return true;
}

} // namespace qnn
