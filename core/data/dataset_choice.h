#pragma once

#include <string>

namespace qnn {

/** Which data a project trains on; `path` empty means the default place
 *  (a shared/datasets/<name> folder, or the built-in generator for synthetic-digits).
 *  Declared by the data layer: projects hold one, the data layer never sees a project. */
struct DatasetChoice {
    /** synthetic-digits, mnist, fashion-mnist, cifar10 or image-folder. */
    std::string name = "synthetic-digits";
    std::string path;
    bool operator==(const DatasetChoice& o) const { return name == o.name && path == o.path; }
};

} // namespace qnn
