// The float-model halves of --check and --compare, as qnnw (no LibTorch) has
// them: qnnw hands those command lines to qnnw-train before parsing
// (train_exec.h), so these answer only if that hand-over is ever bypassed.
#include "app/cli/onnx_check.h"
#include "app/cli/packed_compare.h"

#include <cstdio>

namespace qnn::cli {

namespace {
const char* const kNeedsTorch = "the float model needs LibTorch, which qnnw-train links and qnnw does not; run "
                                "this command through qnnw, which hands it to qnnw-train";
}

bool checkAgainstFile(const Graph&, const WeightFile&, const std::string&, const std::string&, const std::string&,
                      size_t, OnnxCheck&, std::string& error)
{
    error = kNeedsTorch;
    return false;
}

int comparePacked(const std::string&, const pack::IntegerEngine&, const ImageSet&, const std::string&,
                  const std::string&, const std::string&, bool)
{
    std::fprintf(stderr, "qnnw: %s\n", kNeedsTorch);
    return 1;
}

} // namespace qnn::cli
