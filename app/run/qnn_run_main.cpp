// qnn-run: the board runtime. Runs a packed folder in the bit-exact integer
// engine on a board's CPU (or any Linux machine), with the options and output
// of `qnnw run-packed`. It links the engine, the packed-folder reader (which
// checks the manifest) and the dataset readers, and nothing else: no torch,
// Qt, libssh or CLI11, so that it cross-builds statically for aarch64 and
// armhf with nothing but Debian's cross compilers (app/run/CMakeLists.txt).
#include "core/pack/integer_engine.h"
#include "core/pack/packed_folder.h"
#include "core/pack/packed_run.h"
#include "core/util/child_protocol.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

const char* const kUsage =
    "qnn-run: run a packed network in the bit-exact integer engine on this CPU\n"
    "Usage: qnn-run PACKED_DIR (--data DIR | --images FILE [--labels FILE]) [OPTIONS]\n"
    "\n"
    "Positionals:\n"
    "  PACKED_DIR        packed folder (qnnw pack output, or a BNN-PYNQ parameter folder)\n"
    "Options:\n"
    "  -h,--help         print this help and exit\n"
    "  --data DIR        dataset folder: t10k-images/labels-idx*-ubyte[.gz] or test_batch.bin\n"
    "  --images FILE     run these images instead: an IDX image file or a CIFAR-10 binary batch\n"
    "  --labels FILE     IDX label file of --images (for the accuracy)\n"
    "  --network NAME    BNN-PYNQ network of a folder without manifest (lfcW1A1, cnvW1A1, ...)\n"
    "  --limit N         only the first N images\n"
    "  --threads N       threads (default: all cores)\n"
    "  --predictions     print every prediction (in --json: a \"predictions\" list)\n"
    "  --json            one protocol line (docs/protocol.md): the result event, or an error event\n";

struct Options {
    std::string dir, data, images, labels, network;
    size_t limit = 0;
    int threads = 0;
    bool json = false;
    bool predictions = false;
};

int fail(const std::string& message, bool json)
{
    if (json)
        qnn::protocol::writeEvent(std::cout, qnn::protocol::errorEvent(message));
    std::fprintf(stderr, "qnn-run: %s\n", message.c_str());
    return 1;
}

int usage(const std::string& message)
{
    std::fprintf(stderr, "qnn-run: %s\nrun 'qnn-run --help' for the options\n", message.c_str());
    return 2;
}

bool parseCount(const char* text, long long low, long long& out)
{
    char* end = nullptr;
    errno = 0;
    out = std::strtoll(text, &end, 10);
    return errno == 0 && end != text && *end == '\0' && out >= low;
}

// 0 ok, 1 help printed, 2 usage error (said).
int parse(int argc, char** argv, Options& o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](std::string& into) {
            if (i + 1 >= argc)
                return false;
            into = argv[++i];
            return true;
        };
        std::string v;
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 1;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--predictions") {
            o.predictions = true;
        } else if (a == "--data" || a == "--images" || a == "--labels" || a == "--network") {
            std::string& into = a == "--data" ? o.data : a == "--images" ? o.images : a == "--labels" ? o.labels : o.network;
            if (!value(into))
                return usage(a + " needs a value"), 2;
        } else if (a == "--limit" || a == "--threads") {
            long long n = 0;
            if (!value(v) || !parseCount(v.c_str(), 0, n) || n > 1000000000)
                return usage(a + " takes a whole number of 0 or more, not '" + v + "'"), 2;
            if (a == "--limit")
                o.limit = size_t(n);
            else
                o.threads = int(n);
        } else if (!a.empty() && a[0] == '-') {
            return usage("unknown option " + a), 2;
        } else if (o.dir.empty()) {
            o.dir = a;
        } else {
            return usage("one packed folder only (got '" + o.dir + "' and '" + a + "')"), 2;
        }
    }
    if (o.dir.empty())
        return usage("PACKED_DIR is required"), 2;
    if (o.data.empty() && o.images.empty())
        return usage("give the images: --data DIR (the test split) or --images FILE"), 2;
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    using namespace qnn;
    Options o;
    if (const int parsed = parse(argc, argv, o))
        return parsed == 1 ? 0 : parsed;
    pack::PackedNet net;
    std::string error;
    if (!pack::readPackedFolder(o.dir, o.network, net, error))
        return fail(error, o.json);
    pack::IntegerEngine engine;
    if (!engine.load(net, error))
        return fail(o.dir + ": " + error, o.json);
    ImageSet images;
    bool labelled = true;
    if (!o.images.empty() ? !pack::readImageFile(o.images, o.labels, images, labelled, error)
                          : !pack::readTestSplit(o.data, net.dataset, images, error))
        return fail(error, o.json);
    images.truncate(o.limit);
    if (!engine.accepts(images, error))
        return fail(error, o.json);
    pack::PackedRunReport report = pack::runPackedImages(engine, images, labelled, o.threads);
    report.folder = o.dir;
    report.listPredictions = o.predictions;
    if (o.json)
        protocol::writeEvent(std::cout, protocol::resultEvent(pack::packedRunJson(report)));
    else
        std::cout << pack::packedRunText(report);
    return 0;
}
