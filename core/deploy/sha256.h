#pragma once

#include <string>

namespace qnn::deploy {

/** SHA-256 of a byte string as 64 lowercase hex digits (OpenSSL EVP). */
std::string sha256Hex(const std::string& bytes);

/** SHA-256 of a file, streamed; false with a sentence naming the file otherwise. */
bool sha256File(const std::string& path, std::string& hex, std::string& error);

} // namespace qnn::deploy
