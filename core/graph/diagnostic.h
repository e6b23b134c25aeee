#pragma once

#include "core/graph/edge.h"

#include <string>
#include <vector>

namespace qnn {

enum class Severity { Error, Warning, Info };

/** What a diagnostic is about; the editor groups and filters by it. */
enum class DiagnosticCategory { Structure, Shape, Quantization, Attribute, HardwareFit, OverlayCompatibility };

/** A problem a user can act on, attached to a node (or to the whole graph
 *  when node is kInvalidNode). Never an exception. */
struct Diagnostic {
    NodeId node = kInvalidNode;
    Severity severity = Severity::Error;
    DiagnosticCategory category = DiagnosticCategory::Structure;
    std::string message;
    /** Optional: what to do about it, in a few words. */
    std::string fix;
};

std::string severityName(Severity severity);
std::string categoryName(DiagnosticCategory category);

} // namespace qnn
