#pragma once

#include "core/project/project.h"

#include <string>
#include <vector>

namespace qnn {

/** One axis of a sweep, as `--grid KEY=V1,V2,...` writes it:
 *  - `precision=W1A1,W2A2`: a precision preset for the whole graph (every
 *    weight layer's weight bits, every Activation/QuantAct's activation bits);
 *  - `PATTERN.precision=W2A2`: the same for the layers whose name matches
 *    PATTERN (shell wildcards, `dense*`) and the activations they feed;
 *  - `PATTERN.ATTR=256,512`: a numeric attribute (or weight_bits/act_bits)
 *    of every layer whose name matches PATTERN;
 *  - `SETTING=...`: a training setting as the project file names it (lr,
 *    epochs, batch_size, optimizer, schedule, weight_decay, ...). */
struct SweepAxis {
    enum class Kind { Precision, Attribute, Training };
    Kind kind = Kind::Training;
    /** As written before '=': "precision", "dense*.units", "lr". */
    std::string key;
    /** Layer-name pattern; empty for a whole-graph precision or a training setting. */
    std::string pattern;
    /** Attribute or training setting ("units", "lr"); "precision" for presets. */
    std::string name;
    std::vector<std::string> values;
};

/** Parses "KEY=V1,V2"; the error is a sentence naming the axis. Checks the
 *  form only: whether a value suits a project is applyAxisValue's call. */
bool parseAxis(const std::string& text, SweepAxis& out, std::string& error);

/** Applies one value of the axis to the project. False, with a sentence a
 *  user can act on, when the value does not suit it (no layer matches, out
 *  of range, not a number, unknown setting); the point is then invalid. */
bool applyAxisValue(Project& project, const SweepAxis& axis, const std::string& value, std::string& error);

/** Shell-style wildcards (`*`, `?`, `[...]`) against a whole layer name. */
bool layerNameMatches(const std::string& pattern, const std::string& name);

/** "W2A4" → 2, 4; "FP32" → 32, 32. False when it is no such label. */
bool parsePrecisionLabel(const std::string& label, int& weightBits, int& actBits);

} // namespace qnn
