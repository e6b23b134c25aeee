#pragma once

#include "core/graph/kind_table.h"

#include <optional>
#include <string>
#include <vector>

namespace qnn::pack {

/** What the packer makes of a layer kind. */
enum class PackRole {
    /** A matrix-vector-threshold unit of its own (Dense, Conv2D); its name is the manifest's "kind". */
    Unit,
    /** Folded into the thresholds of the unit before it. */
    BatchNorm,
    /** Its levels become the thresholds of the unit before it. */
    Activation,
    QuantAct,
    /** The pool of the unit before it. */
    MaxPool,
    /** No work: the Input's encoding comes from the dataflow; Dropout and Flatten carry none. */
    Skip,
    /** Ends the chain after the last unit (Output). */
    End,
};

/** The packer's table of layer kinds (which become units, which fold into
 *  the unit before, which it refuses). Its own small file because qnn-run,
 *  built statically for the boards, reads packed manifests with it and does
 *  not link the packer. */
const KindTable<PackRole>& packRoles();
const KindCoverage& packerKinds();

/** A manifest's "kind": whether that packed unit is a convolution; nothing
 *  when the name is no kind the packer makes a unit of. */
std::optional<bool> packedUnitIsConv(const std::string& kindName);
/** The kinds that become packed units, by name ("Dense", "Conv2D"). */
std::vector<std::string> packedUnitKindNames();

} // namespace qnn::pack
