#pragma once

#include <QColor>

#include <string>

/** Colours the editor shares between canvas, palette and issues list. */
namespace EditorStyle {

/** The accent of a palette group ("Layers", "Quantization", ...). */
QColor categoryColor(const std::string& category);

} // namespace EditorStyle
