#include "widgets/editor/editor_style.h"

namespace EditorStyle {

QColor categoryColor(const std::string& category)
{
    if (category == "Inputs")
        return QColor("#2e7d32");
    if (category == "Layers")
        return QColor("#1565c0");
    if (category == "Quantization")
        return QColor("#6a1b9a");
    if (category == "Pooling")
        return QColor("#00838f");
    if (category == "Merge")
        return QColor("#e65100");
    if (category == "Outputs")
        return QColor("#ad1457");
    return QColor("#455a64");
}

} // namespace EditorStyle
