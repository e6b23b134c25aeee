#pragma once

#include "core/data/dataset_catalog.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace qnn {

/** Where a fetch stands: the file being downloaded and the whole dataset's bytes. */
struct FetchProgress {
    std::string file;
    uint64_t fileDone = 0, fileTotal = 0;
    uint64_t done = 0, total = 0;
};

struct FetchOptions {
    /** Folder in which the dataset's folder (named after it) is created. */
    std::string root;
    /** Base URLs to try in order; empty: the catalogue's (canonical first, then mirrors). */
    std::vector<std::string> sources;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const FetchProgress&)> progress;
    /** One sentence per stage ("downloading X from Y", "verifying X", "unpacking X"). */
    std::function<void(const std::string&)> step;
    long stallSeconds = 30;
};

struct FetchResult {
    std::string dir;          ///< the dataset's folder
    uint64_t downloaded = 0;  ///< bytes that came over the network in this fetch
    bool alreadyThere = false;
    bool cancelled = false;
};

/** Downloads a catalogue dataset into `root/<name>`: a lock file against a
 *  second fetch of the same dataset, each file into a `.part` file resumed
 *  with Range requests, checked against the catalogue's checksums, and
 *  renamed into place only then (archives are unpacked after the check).
 *  The sources are tried in order; a checksum mismatch deletes the part and
 *  names both hashes and the URL. False with a sentence; nothing unverified
 *  is ever left under a dataset file's own name. */
bool fetchDataset(const CatalogEntry& entry, const FetchOptions& options, FetchResult& result, std::string& error);

/** What is on disk for a catalogue dataset. */
struct DatasetState {
    std::string dir; ///< where it was found; empty when not found
    uint64_t bytes = 0;
    /** 1 verified, 0 a file does not match, -1 cannot be checked (files not as published). */
    int verified = -1;
    std::string verification; ///< a sentence saying what was checked or why not
};

/** Checks the files in `dir` (found by the search path) against the catalogue:
 *  published checksums for downloaded files, and for unpacked archives the
 *  record `qnnw data fetch` wrote after checking the archive. */
DatasetState inspectDataset(const CatalogEntry& entry, const std::string& dir);

} // namespace qnn
