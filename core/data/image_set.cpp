#include "core/data/image_set.h"

#include <algorithm>

namespace qnn {

ImageSet ImageSet::slice(size_t begin, size_t end) const
{
    ImageSet s;
    s.channels = channels;
    s.height = height;
    s.width = width;
    s.classes = classes;
    s.classNames = classNames;
    end = std::min(end, size());
    begin = std::min(begin, end);
    s.labels.assign(labels.begin() + static_cast<std::ptrdiff_t>(begin), labels.begin() + static_cast<std::ptrdiff_t>(end));
    s.pixels.assign(pixels.begin() + static_cast<std::ptrdiff_t>(begin * imageBytes()),
                    pixels.begin() + static_cast<std::ptrdiff_t>(end * imageBytes()));
    return s;
}

void ImageSet::truncate(size_t n)
{
    if (n == 0 || n >= size())
        return;
    labels.resize(n);
    pixels.resize(n * imageBytes());
}

bool ImageSet::append(const ImageSet& more)
{
    if (more.channels != channels || more.height != height || more.width != width)
        return false;
    labels.insert(labels.end(), more.labels.begin(), more.labels.end());
    pixels.insert(pixels.end(), more.pixels.begin(), more.pixels.end());
    return true;
}

} // namespace qnn
