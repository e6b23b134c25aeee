#include "core/data/transforms.h"

#include <algorithm>
#include <cstring>

namespace qnn {

float transformPixel(uint8_t value, int channel, const Transform& t)
{
    switch (t.mode) {
    case PixelMode::Binarize:
        return value >= 128 ? 1.0f : -1.0f;
    case PixelMode::Normalize: {
        const float mean = t.mean.empty() ? 0.5f : t.mean[static_cast<size_t>(channel) % t.mean.size()];
        const float sd = t.std.empty() ? 0.5f : t.std[static_cast<size_t>(channel) % t.std.size()];
        return (value / 255.0f - mean) / sd;
    }
    case PixelMode::Scale:
        break;
    }
    return value / 127.5f - 1.0f;
}

namespace {

uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

} // namespace

void fillBatch(const ImageSet& set, const int64_t* indices, size_t n, const Transform& t, uint64_t augmentSeed,
               float* images, int64_t* labels)
{
    const int C = set.channels, H = set.height, W = set.width;
    const size_t per = set.imageBytes();
    // One lookup table per channel: the per-pixel work is then a load and a store.
    std::vector<float> table(static_cast<size_t>(C) * 256);
    for (int c = 0; c < C; ++c)
        for (int v = 0; v < 256; ++v)
            table[static_cast<size_t>(c) * 256 + v] = transformPixel(static_cast<uint8_t>(v), c, t);

    for (size_t i = 0; i < n; ++i) {
        const uint8_t* src = set.image(static_cast<size_t>(indices[i]));
        float* dst = images + i * per;
        labels[i] = set.labels[static_cast<size_t>(indices[i])];
        if (!t.augments()) {
            for (int c = 0; c < C; ++c) {
                const float* lut = table.data() + static_cast<size_t>(c) * 256;
                const size_t plane = static_cast<size_t>(H) * W;
                for (size_t p = 0; p < plane; ++p)
                    dst[c * plane + p] = lut[src[c * plane + p]];
            }
            continue;
        }
        const uint64_t r = mix(augmentSeed ^ mix(i + 1));
        const int span = 2 * t.cropPadding + 1;
        const int dy = t.cropPadding > 0 ? static_cast<int>(r % span) - t.cropPadding : 0;
        const int dx = t.cropPadding > 0 ? static_cast<int>((r >> 16) % span) - t.cropPadding : 0;
        const bool flip = t.horizontalFlip && ((r >> 40) & 1);
        for (int c = 0; c < C; ++c) {
            const float* lut = table.data() + static_cast<size_t>(c) * 256;
            const float pad = lut[0]; // padding is a black (zero) pixel
            for (int y = 0; y < H; ++y) {
                for (int x = 0; x < W; ++x) {
                    const int sy = y + dy;
                    const int sx0 = x + dx;
                    const int sx = flip ? (W - 1 - sx0) : sx0;
                    float v = pad;
                    if (sy >= 0 && sy < H && sx0 >= 0 && sx0 < W)
                        v = lut[src[(static_cast<size_t>(c) * H + sy) * W + sx]];
                    dst[(static_cast<size_t>(c) * H + y) * W + x] = v;
                }
            }
        }
    }
}

Transform defaultTransform(const std::string& datasetName, int inputActBits, bool training, int randomShift)
{
    Transform t;
    t.mode = inputActBits == 1 ? PixelMode::Binarize : PixelMode::Scale;
    if (!training)
        return t;
    if (datasetName == "cifar10") {
        t.cropPadding = 4;
        t.horizontalFlip = true;
    }
    if (randomShift >= 0)
        t.cropPadding = randomShift;
    return t;
}

} // namespace qnn
