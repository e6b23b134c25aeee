#pragma once
// RunStore moved to core/run (torch-free, in qnn_core) so that the workbench reads run folders too.
#include "core/run/run_store.h"
