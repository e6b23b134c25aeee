#include "core/graph/kind_table.h"

#include <algorithm>

namespace qnn {

void KindCoverage::declare(LayerKind kind, std::string unsupported)
{
    m_declared.emplace_back(kind, std::move(unsupported));
}

bool KindCoverage::declares(LayerKind kind) const
{
    return std::any_of(m_declared.begin(), m_declared.end(), [kind](const auto& d) { return d.first == kind; });
}

std::vector<LayerKind> KindCoverage::declaredKinds() const
{
    std::vector<LayerKind> out;
    for (const auto& d : m_declared)
        out.push_back(d.first);
    return out;
}

std::vector<std::string> KindCoverage::missingKinds() const
{
    std::vector<std::string> out;
    for (LayerKind k : allLayerKinds())
        if (!declares(k))
            out.push_back(layerKindName(k));
    return out;
}

std::string KindCoverage::unsupportedReason(LayerKind kind) const
{
    for (const auto& d : m_declared)
        if (d.first == kind)
            return d.second;
    return {};
}

std::string KindCoverage::refusal(LayerKind kind) const
{
    if (!declares(kind))
        return m_backend + " has no entry for the layer kind " + layerKindName(kind);
    return unsupportedReason(kind);
}

} // namespace qnn
