// Must NOT compile: a get's callback that takes a WriteResult. The test
// lifecycle.wrong_callback_signature compiles it and expects dynamo's one readable message.

#include "sim/sim_support.hpp"

int main() {
  dynamo::testing::Simulator sim(1);
  dynamo::testing::SimCluster<> cluster(sim, {"a"}, dynamo::test::small_config(1, 1, 1));
  cluster.node("a").async_get("k", [](std::error_code, dynamo::WriteResult) {});
}
