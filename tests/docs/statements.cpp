// Harness for README blocks of statements that may use anything public (nodes, clients,
// transports): the body of main(), compiled and linked, never run.
#include "prelude_network.hpp"

// README uses

int main() {
// README snippet
}
