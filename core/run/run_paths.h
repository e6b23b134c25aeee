#pragma once

#include <string>

namespace qnn {

/** The folder of a project file ("." for a bare file name). */
std::string projectDirOf(const std::string& projectPath);
/** runs/ beside the project file: where its run folders live. */
std::string runsDirOf(const std::string& projectPath);

/** A run name is one folder name under runs/: not empty, no '/', not "." or
 *  "..", no control characters. A project file is untrusted input, so every
 *  name read from it goes through this. False with a sentence otherwise. */
bool isSafeRunName(const std::string& name, std::string& error);

/** The folder of run `name` under runsDir. Refuses unsafe names and a
 *  folder that resolves outside runsDir (a symlink pointing out). The
 *  folder need not exist. */
bool runDirFor(const std::string& runsDir, const std::string& name, std::string& dir, std::string& error);

/** Removes a run folder and what is in it, never anything outside: the
 *  folder must resolve inside runsDir, and symlinks inside are removed as
 *  links, not followed. */
bool removeRunDir(const std::string& runsDir, const std::string& name, std::string& error);

/** Renames a run folder (both names checked); false when the new one is taken. */
bool renameRunDir(const std::string& runsDir, const std::string& from, const std::string& to, std::string& error);

} // namespace qnn
