#pragma once
// Command-line options for the example programs: "--name value" or "--name=value", flags that
// take no value, options in any position (a command's own options may follow it), and "--" to
// end options. Mistakes throw UsageError, which the programs print and exit with code 2.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Which long options a program knows (names without the leading "--").
struct ArgSpec {
  std::set<std::string, std::less<>> with_value;
  std::set<std::string, std::less<>> flags;
};

class Args {
 public:
  // Throws UsageError for an unknown option, a missing value, or a value given to a flag.
  Args(int argc, const char* const* argv, const ArgSpec& spec);

  bool has(std::string_view name) const { return values_.contains(name); }
  // The last value given for `name`, if any.
  std::optional<std::string> value(std::string_view name) const;
  // Every value given for `name`, in order (for repeatable options).
  std::vector<std::string> values(std::string_view name) const;
  // The value of the first of `names` that was given (for aliases such as --peers/--seeds).
  std::optional<std::string> first_of(std::initializer_list<std::string_view> names) const;
  // A whole number in [min, max]; `fallback` when the option is absent.
  std::uint64_t number(std::string_view name, std::uint64_t fallback, std::uint64_t min,
                       std::uint64_t max) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// Parses a whole decimal number in [min, max]; `what` names it in the error message.
std::uint64_t parse_number(std::string_view text, std::string_view what, std::uint64_t min,
                           std::uint64_t max);

}  // namespace examples
