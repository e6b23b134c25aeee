#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** One file a dataset is distributed as, with the checksums published for it. */
struct CatalogFile {
    std::string name;
    /** Size in bytes, for progress and the size shown before a download (0: unknown). */
    uint64_t bytes = 0;
    /** Lowercase hex; an empty string means "not published". At least one is set. */
    std::string md5;
    std::string sha256;
};

/** A dataset `qnnw data fetch` knows how to download: where from, what it
 *  weighs, its licence line, and the checksums kept in the source. */
struct CatalogEntry {
    std::string name;  ///< mnist, fashion-mnist, cifar10 (the project's dataset name)
    std::string title; ///< e.g. "MNIST handwritten digits"
    std::string licence;
    std::string homepage;
    /** Base URLs under which every file's name is found: the canonical source
     *  first, then mirrors (the ones torchvision uses). */
    std::vector<std::string> sources;
    std::vector<CatalogFile> files;
    /** The files are .tar.gz archives whose members `unpacked` are extracted
     *  (by base name) into the dataset folder; the archive is not kept. */
    bool archive = false;
    std::vector<std::string> unpacked;

    uint64_t totalBytes() const;
};

/** The built-in catalogue, in a fixed order (mnist, fashion-mnist, cifar10). */
const std::vector<CatalogEntry>& datasetCatalog();

/** The entry for a name, or nullptr. */
const CatalogEntry* findCatalogEntry(const std::vector<CatalogEntry>& catalog, const std::string& name);

/** For testing mirrors: the catalogue with the checksums and sizes replaced
 *  by the JSON manifest named by $QNN_DATASET_CHECKSUMS (when set), of the form
 *  {"cifar10": {"cifar-10-binary.tar.gz": {"bytes": N, "sha256": "...", "md5": "..."}}}.
 *  A test server serves its own small files, whose checksums must never be in
 *  the product's catalogue. False with a sentence when the manifest is unreadable. */
bool datasetCatalogWithOverrides(std::vector<CatalogEntry>& catalog, std::string& error);

/** The user's data folder: $XDG_DATA_HOME/qnn-workbench/datasets, or
 *  ~/.local/share/qnn-workbench/datasets. Empty when neither variable is set. */
std::string userDatasetsDir();

/** "11.1 MB" style (decimal megabytes, as download sizes are quoted). */
std::string formatBytes(uint64_t bytes);

} // namespace qnn
