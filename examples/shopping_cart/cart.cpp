#include "shopping_cart/cart.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

namespace shopping_cart {

std::ostream& operator<<(std::ostream& os, const Tag& tag) {
  return os << tag.writer << '#' << tag.counter;
}

void Cart::add(std::string item, Tag tag) {
  if (removed_.contains(tag)) return;
  live_[std::move(item)].insert(std::move(tag));
}

bool Cart::remove(std::string_view item) {
  const auto it = live_.find(item);
  if (it == live_.end()) return false;
  removed_.insert(it->second.begin(), it->second.end());
  live_.erase(it);
  return true;
}

std::vector<std::string> Cart::items() const {
  std::vector<std::string> out;
  out.reserve(live_.size());
  for (const auto& [item, tags] : live_) out.push_back(item);
  return out;
}

void Cart::merge(const Cart& other) {
  removed_.insert(other.removed_.begin(), other.removed_.end());
  for (const auto& [item, tags] : other.live_) live_[item].insert(tags.begin(), tags.end());
  drop_removed();
}

void Cart::drop_removed() {
  for (auto it = live_.begin(); it != live_.end();) {
    std::erase_if(it->second, [this](const Tag& tag) { return removed_.contains(tag); });
    it = it->second.empty() ? live_.erase(it) : std::next(it);
  }
}

std::ostream& operator<<(std::ostream& os, const Cart& cart) {
  os << "Cart{";
  const char* sep = "";
  for (const auto& [item, tags] : cart.live_) {
    os << sep << item << '[';
    const char* tag_sep = "";
    for (const Tag& tag : tags) {
      os << tag_sep << tag;
      tag_sep = " ";
    }
    os << ']';
    sep = ", ";
  }
  if (!cart.removed_.empty()) os << " | removed:";
  for (const Tag& tag : cart.removed_) os << ' ' << tag;
  return os << '}';
}

// --- encoding ----------------------------------------------------------------------------------
//
//   cart     = "cart/1;" count(items) *item count(removed) *tag
//   item     = bytes(name) count(tags) 1*tag        items ascending by name, tags ascending
//   tag      = bytes(writer) number ";"             removed tags ascending, none of them live
//   count    = number ";"
//   bytes(x) = number ":" x                          the number is x's length in bytes
//   number   = "0" / ("1".."9" *digit)               decimal, at most 2^64 - 1
//
// Text so a stored value can be read in a debugger or a log; length prefixes so items and
// writers may hold any byte. The version in the header lets a later format be told apart.

namespace {

constexpr std::string_view header = "cart/1;";

void put_number(std::string& out, std::uint64_t n, char terminator) {
  out += std::to_string(n);
  out += terminator;
}

void put_bytes(std::string& out, std::string_view bytes) {
  put_number(out, bytes.size(), ':');
  out += bytes;
}

void put_tag(std::string& out, const Tag& tag) {
  put_bytes(out, tag.writer);
  put_number(out, tag.counter, ';');
}

}  // namespace

std::string Cart::encode() const {
  std::string out(header);
  put_number(out, live_.size(), ';');
  for (const auto& [item, tags] : live_) {
    put_bytes(out, item);
    put_number(out, tags.size(), ';');
    for (const Tag& tag : tags) put_tag(out, tag);
  }
  put_number(out, removed_.size(), ';');
  for (const Tag& tag : removed_) put_tag(out, tag);
  return out;
}

// Reads the grammar above from untrusted bytes. Every read checks what remains before it
// consumes anything, and no count is used to size anything, so the worst input costs one pass.
// It fills the Cart directly (hence a friend) and rejects what encode() would never produce:
// unsorted or duplicate entries, empty tag lists, live tags that are also tombstones.
class CartDecoder {
 public:
  explicit CartDecoder(std::string_view in) : in_(in) {}

  std::optional<Cart> decode() {
    Cart cart;
    if (!in_.starts_with(header)) return std::nullopt;
    in_.remove_prefix(header.size());
    if (!read_items(cart) || !read_removed(cart) || !in_.empty()) return std::nullopt;
    return cart;
  }

 private:
  bool read_items(Cart& cart) {
    const auto count = read_count();
    if (!count) return false;
    const std::string* previous = nullptr;
    for (std::uint64_t i = 0; i < *count; ++i) {
      const auto name = read_bytes();
      if (!name || (previous && *name <= *previous)) return false;
      std::set<Tag> tags;
      if (!read_tag_set(tags) || tags.empty()) return false;
      const auto it = cart.live_.emplace_hint(cart.live_.end(), std::string(*name), std::move(tags));
      previous = &it->first;
    }
    return true;
  }

  bool read_removed(Cart& cart) {
    if (!read_tag_set(cart.removed_)) return false;
    for (const auto& [item, tags] : cart.live_) {
      for (const Tag& tag : tags) {
        if (cart.removed_.contains(tag)) return false;
      }
    }
    return true;
  }

  // count *tag, strictly ascending.
  bool read_tag_set(std::set<Tag>& tags) {
    const auto count = read_count();
    if (!count) return false;
    for (std::uint64_t i = 0; i < *count; ++i) {
      auto tag = read_tag();
      if (!tag || (!tags.empty() && *tag <= *tags.rbegin())) return false;
      tags.insert(tags.end(), std::move(*tag));
    }
    return true;
  }

  std::optional<Tag> read_tag() {
    const auto writer = read_bytes();
    if (!writer) return std::nullopt;
    const auto counter = read_number(';');
    if (!counter) return std::nullopt;
    return Tag{std::string(*writer), *counter};
  }

  // A count larger than the bytes left cannot be honest: each entry takes at least one byte.
  std::optional<std::uint64_t> read_count() {
    const auto count = read_number(';');
    if (!count || *count > in_.size()) return std::nullopt;
    return count;
  }

  std::optional<std::string_view> read_bytes() {
    const auto length = read_number(':');
    if (!length || *length > in_.size()) return std::nullopt;
    const std::string_view bytes = in_.substr(0, static_cast<std::size_t>(*length));
    in_.remove_prefix(bytes.size());
    return bytes;
  }

  // A canonical decimal number followed by terminator.
  std::optional<std::uint64_t> read_number(char terminator) {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    std::size_t digits = 0;
    std::uint64_t n = 0;
    while (digits < in_.size() && in_[digits] >= '0' && in_[digits] <= '9') {
      const auto digit = static_cast<std::uint64_t>(in_[digits] - '0');
      if (n > (max - digit) / 10) return std::nullopt;
      n = n * 10 + digit;
      ++digits;
    }
    if (digits == 0 || digits == in_.size() || in_[digits] != terminator) return std::nullopt;
    if (digits > 1 && in_[0] == '0') return std::nullopt;
    in_.remove_prefix(digits + 1);
    return n;
  }

  std::string_view in_;
};

std::optional<Cart> Cart::decode(std::string_view bytes) { return CartDecoder(bytes).decode(); }

// --- resolvers ---------------------------------------------------------------------------------

std::vector<dynamo::Value> CartMerge::resolve(std::span<const dynamo::Versioned> versions) const {
  Cart merged;
  bool live = false;
  for (const dynamo::Versioned& version : versions) {
    if (version.tombstone) continue;
    live = true;
    if (auto cart = Cart::decode(version.value)) merged.merge(*cart);
  }
  if (!live) return {};
  return {merged.encode()};
}

std::vector<dynamo::Value> NaiveUnionMerge::resolve(
    std::span<const dynamo::Versioned> versions) const {
  std::set<std::string> items;
  bool live = false;
  for (const dynamo::Versioned& version : versions) {
    if (version.tombstone) continue;
    live = true;
    items.merge(parse_item_list(version.value));
  }
  if (!live) return {};
  return {format_item_list(items)};
}

std::set<std::string> parse_item_list(std::string_view list) {
  std::set<std::string> items;
  while (!list.empty()) {
    const std::size_t comma = std::min(list.find(','), list.size());
    if (comma > 0) items.emplace(list.substr(0, comma));
    list.remove_prefix(std::min(comma + 1, list.size()));
  }
  return items;
}

std::string format_item_list(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

}  // namespace shopping_cart
