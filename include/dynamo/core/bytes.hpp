#pragma once
// Keys and values are arbitrary byte strings. std::string is the container, as in LevelDB:
// it holds any bytes, including NUL, and keeps short keys inline without allocating.

#include <string>

namespace dynamo {

using Key = std::string;
using Value = std::string;

}  // namespace dynamo
