// Harness for README blocks of statements about values (versions, siblings, contexts): the body
// of main(), compiled and linked, never run. Names from prelude_values.hpp only.
#include "prelude_values.hpp"

// README uses

int main() {
// README snippet
}
