#pragma once
// The commands of dynamo-cli, run over a dynamo::Client on TCP or TLS.

#include "cli/cli_options.hpp"

namespace examples {

// Exit codes, as the usage text lists them.
enum CliExit : int {
  cli_ok = 0,
  cli_failed = 1,       // not found, or a failure that is none of the below
  cli_bad_usage = 2,       // bad flags or a bad context
  cli_no_answer = 3,    // no node answered in time
  cli_no_quorum = 4,    // quorum not reached, or too few replicas reachable
};

// Runs options.command, printing results to stdout and failures to stderr; returns the exit
// code. The peers' --resolver name must be announced (AnnouncedResolver) before the call.
int run_cli_command(const CliOptions& options);

}  // namespace examples
