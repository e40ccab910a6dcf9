#pragma once
// ByteSink: what the wire encoders write to. detail::ByteWriter appends the bytes; SizeCounter
// only counts them, so a sender can learn a message's exact encoded size (to check the frame
// limit, or to reserve the buffer once) without encoding it twice.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dynamo::wire {

template <class W>
concept ByteSink = requires(W& w, std::uint8_t u8, std::uint32_t u32, std::uint64_t u64,
                            bool flag, std::string_view bytes) {
  w.put_u8(u8);
  w.put_u32_be(u32);
  w.put_varint(u64);
  w.put_bool(flag);
  w.put_bytes(bytes);
  w.put_raw(bytes);
  { w.size() } -> std::convertible_to<std::size_t>;
};

// Counts what detail::ByteWriter would append for the same calls.
class SizeCounter {
 public:
  void put_u8(std::uint8_t) { size_ += 1; }
  void put_u32_be(std::uint32_t) { size_ += 4; }
  void put_varint(std::uint64_t v) { size_ += varint_size(v); }
  void put_bool(bool) { size_ += 1; }
  void put_bytes(std::string_view bytes) { size_ += varint_size(bytes.size()) + bytes.size(); }
  void put_raw(std::string_view bytes) { size_ += bytes.size(); }
  std::size_t size() const { return size_; }

  // Bytes in the LEB128 encoding of v: one per started group of seven bits.
  static constexpr std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    for (; v >= 0x80; v >>= 7) ++n;
    return n;
  }

 private:
  std::size_t size_ = 0;
};

}  // namespace dynamo::wire
