// Harness for README blocks of declarations about values (a ConflictResolver, say) at
// namespace scope. Names from prelude_values.hpp only.
#include "prelude_values.hpp"

// README uses
// README snippet

int main() {}
