// dynamo-cli: get, put, remove, placement and status of a running cluster, from a shell.
//
// Example:
//   dynamo-cli --peers a=127.0.0.1:7001,b=127.0.0.1:7002,c=127.0.0.1:7003 put greeting hello
//   dynamo-cli --peers a=127.0.0.1:7001,b=127.0.0.1:7002,c=127.0.0.1:7003 get greeting
//   dynamo-cli --peers a=127.0.0.1:7001,b=127.0.0.1:7002,c=127.0.0.1:7003 status

#include <exception>
#include <iostream>

#include "cli/cli_commands.hpp"
#include "common/announced_resolver.hpp"
#include "common/args.hpp"

int main(int argc, char** argv) {
  std::optional<examples::CliOptions> options;
  try {
    options = examples::parse_cli_options(argc, argv);
  } catch (const examples::UsageError& e) {
    std::cerr << "dynamo-cli: " << e.what() << "\n(dynamo-cli --help shows the commands)\n";
    return examples::cli_bad_usage;
  }
  if (!options) {
    std::cout << examples::cli_usage();
    return examples::cli_ok;
  }
  examples::AnnouncedResolver::announced() = options->resolver;
  try {
    return examples::run_cli_command(*options);
  } catch (const std::exception& e) {
    std::cerr << "dynamo-cli: " << e.what() << "\n";
    return examples::cli_failed;
  }
}
