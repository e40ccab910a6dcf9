# The layers of dynamo, lowest first: one entry per layer, "<rank> <layer> <path>...". A path is
# relative to include/dynamo/ and to src/ alike (the two trees share their shape); one ending in
# '/' names a directory and everything under it, any other names one file. A file's layer is the
# entry with its longest matching path. check_layers.cmake fails on a file no entry names.
#
# A file may include files of its own layer and of layers of a lower rank. Layers of one rank are
# siblings that never include each other: the pure pieces stay independent of one another, and
# the client's protocol core cannot reach into the node's.
set(dynamo_layers
  # Values: bytes, clocks, contexts, sibling sets; the error codes; the log record type.
  "0 core core/ errc.hpp errc.cpp log_record.hpp log_record.cpp
     detail/byte_reader.hpp detail/byte_writer.hpp"
  # Placement: key hashing, ring parameters, members, the ring and its partition planner.
  "1 ring ring/"
  # The policy contracts a host implements, and the resolvers dynamo ships.
  "2 policy concepts.hpp resolve/ detail/invariant.hpp"
  # Pure pieces the protocol calls and that call nothing of the protocol.
  "3 antientropy antientropy/"
  "3 membership membership/"
  "3 metrics metrics/"
  # What a request asks for and how its replies are counted, shared by node and client.
  "4 quorum quorum/ detail/read_tally.hpp detail/measured.hpp"
  # Messages, frames and the value encoding; they carry the lower layers' types as they are.
  "4 wire wire/"
  # The library's own storage and transport policies: LogStorage keeps values in the wire's
  # value encoding, the stream transports carry frames.
  "5 storage storage/"
  "5 transport transport/"
  # The sans-I/O protocol cores.
  "6 node node/"
  "6 client client/"
  # The asynchronous fronts users name: dynamo::Node and dynamo::Client.
  "7 front node.hpp client.hpp detail/async_front.hpp detail/async_op.hpp"
  # Fronts bound to a transport and a storage, compiled once.
  "8 instances instances/"
  # The simulation kit: a simulator, simulated transport and storage, whole clusters.
  "9 testing testing/"
)
