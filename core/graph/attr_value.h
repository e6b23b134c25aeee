#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace qnn {

/** One attribute value of a node. The registry says which alternative each
 *  attribute holds; loaders reject the others. */
using AttrValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;
/** Sorted by name, so files and outputs have one order. */
using AttrMap = std::map<std::string, AttrValue>;

std::string attrValueToString(const AttrValue& value);

} // namespace qnn
