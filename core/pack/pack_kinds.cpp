#include "core/pack/pack_kinds.h"

namespace qnn::pack {

namespace {

// The cost model refuses these before the packer sees them.
const char* const kNoPackedUnit = "the packed engine streams Dense, Conv2D and MaxPool units only";

} // namespace

// One entry per layer kind; tst_layer_kinds checks it covers the registry.
const KindTable<PackRole>& packRoles()
{
    using Table = KindTable<PackRole>;
    static const Table table("the packer", {
                                               {LayerKind::Input, PackRole::Skip, {}},
                                               {LayerKind::Dense, PackRole::Unit, {}},
                                               {LayerKind::Conv2D, PackRole::Unit, {}},
                                               {LayerKind::MaxPool, PackRole::MaxPool, {}},
                                               Table::unsupported(LayerKind::AvgPool, kNoPackedUnit),
                                               {LayerKind::BatchNorm, PackRole::BatchNorm, {}},
                                               {LayerKind::Activation, PackRole::Activation, {}},
                                               {LayerKind::QuantAct, PackRole::QuantAct, {}},
                                               {LayerKind::Dropout, PackRole::Skip, {}},
                                               {LayerKind::Flatten, PackRole::Skip, {}},
                                               Table::unsupported(LayerKind::Add, kNoPackedUnit),
                                               Table::unsupported(LayerKind::Concat, kNoPackedUnit),
                                               {LayerKind::Output, PackRole::End, {}},
                                           });
    return table;
}

const KindCoverage& packerKinds() { return packRoles(); }

std::optional<bool> packedUnitIsConv(const std::string& kindName)
{
    const std::optional<LayerKind> kind = layerKindFromName(kindName);
    const PackRole* role = kind ? packRoles().handler(*kind) : nullptr;
    if (!role || *role != PackRole::Unit)
        return std::nullopt;
    return *kind == LayerKind::Conv2D;
}

std::vector<std::string> packedUnitKindNames()
{
    std::vector<std::string> out;
    for (LayerKind k : packRoles().declaredKinds()) {
        const PackRole* role = packRoles().handler(k);
        if (role && *role == PackRole::Unit)
            out.push_back(layerKindName(k));
    }
    return out;
}

} // namespace qnn::pack
