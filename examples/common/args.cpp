#include "common/args.hpp"

#include <charconv>

namespace examples {

Args::Args(int argc, const char* const* argv, const ArgSpec& spec) {
  bool options_ended = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (options_ended || !arg.starts_with("--")) {
      positional_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    const auto equals = arg.find('=');
    const std::string name(arg.substr(2, equals == std::string_view::npos ? arg.npos : equals - 2));
    if (spec.flags.contains(name)) {
      if (equals != std::string_view::npos) throw UsageError("--" + name + " takes no value");
      values_[name].emplace_back();
    } else if (spec.with_value.contains(name)) {
      if (equals != std::string_view::npos) {
        values_[name].emplace_back(arg.substr(equals + 1));
      } else if (i + 1 < argc) {
        values_[name].emplace_back(argv[++i]);
      } else {
        throw UsageError("--" + name + " needs a value");
      }
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::optional<std::string> Args::value(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::values(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> Args::first_of(std::initializer_list<std::string_view> names) const {
  for (std::string_view name : names) {
    if (auto v = value(name)) return v;
  }
  return std::nullopt;
}

std::uint64_t Args::number(std::string_view name, std::uint64_t fallback, std::uint64_t min,
                           std::uint64_t max) const {
  const auto text = value(name);
  if (!text) return fallback;
  return parse_number(*text, "--" + std::string(name), min, max);
}

std::uint64_t parse_number(std::string_view text, std::string_view what, std::uint64_t min,
                           std::uint64_t max) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < min || n > max) {
    throw UsageError(std::string(what) + ": \"" + std::string(text) + "\" is not a number in " +
                     std::to_string(min) + ".." + std::to_string(max));
  }
  return n;
}

}  // namespace examples
