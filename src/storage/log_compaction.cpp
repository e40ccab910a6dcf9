// Compaction of LogStorage: closed segments are rewritten without the records the key directory
// no longer points at, a bounded number of bytes per step, and deleted once their live records
// are safely in new segments. Records keep their seq when copied, which is what lets recovery
// order them whatever file they end up in.
//
// Erasure records are dropped, not copied: every closed segment is a victim of the round, so any
// older record of an erased key is dropped with it. A segment found damaged breaks that argument
// (its records cannot be read, so they cannot be dropped), so it is quarantined: never compacted,
// and while one exists erasures are copied like live records.

#include <algorithm>

#include "storage/log_index.hpp"
#include "storage/log_storage_impl.hpp"

namespace dynamo {

using storage::Record;

namespace {

// Reads and checks the record at offset of a closed segment; false if it is damaged.
bool read_record_at(const storage::LogFile& file, std::uint64_t offset, std::string& buffer,
                    Record& record, std::size_t& size) {
  const std::uint64_t left = file.size() - offset;
  if (left < storage::record_header_bytes ||
      file.read_at(offset, storage::record_header_bytes, buffer)) {
    return false;
  }
  const std::uint64_t length = storage::get_le(buffer, 12, 4);
  if (length > storage::max_record_body || length > left - storage::record_header_bytes) {
    return false;
  }
  return !file.read_at(offset, storage::record_header_bytes + length, buffer) &&
         storage::parse_record(buffer, record, size) == storage::ParseResult::ok;
}

}  // namespace

bool LogStorage::Impl::should_compact(bool forced) const {
  if (failed_) return false;
  std::uint64_t total = 0, live = 0;
  for (const auto& [id, seg] : segments_) {
    if (id == active_ || std::ranges::count(quarantined_, id) != 0) continue;
    total += seg.file->size();
    live += seg.live;
  }
  const std::uint64_t garbage = total - live;
  if (forced) return garbage > 0;
  return garbage >= options_.compaction_min_garbage &&
         static_cast<double>(garbage) >= options_.compaction_garbage_ratio * static_cast<double>(total);
}

bool LogStorage::Impl::compact_step() {
  if (!compaction_) {
    Compaction round;
    for (const auto& [id, seg] : segments_) {
      if (id != active_ && std::ranges::count(quarantined_, id) == 0) round.victims.push_back(id);
    }
    if (round.victims.empty()) return false;
    compaction_ = std::move(round);
  }
  Compaction& c = *compaction_;
  const bool keep_erasures = !quarantined_.empty();
  std::uint64_t budget = options_.compaction_step_bytes;
  std::string buffer;
  try {
    while (budget > 0 && c.current < c.victims.size() && !failed_) {
      const std::uint32_t victim = c.victims[c.current];
      const storage::LogFile& file = *segments_.at(victim).file;
      if (c.offset >= file.size()) {
        ++c.current;
        c.offset = 0;
        continue;
      }
      Record r;
      std::size_t size = 0;
      if (!read_record_at(file, c.offset, buffer, r, size)) {
        quarantined_.push_back(victim);
        c.damaged = true;
        ++c.current;
        c.offset = 0;
        continue;
      }
      const Location here{victim, static_cast<std::uint32_t>(size), c.offset};
      Location* current = find(r);
      const bool live = current && *current == here;
      if (live || (keep_erasures && storage::is_erase(r.kind))) {
        if (c.output == 0 || segments_.at(c.output).file->size() >= options_.segment_bytes) {
          if (c.output != 0) {
            if (const auto ec = segments_.at(c.output).file->sync()) fail(ec, "compaction sync");
            close_segment(c.output);
          }
          c.output = open_segment();
          c.outputs.push_back(c.output);
        }
        Segment& out = segments_.at(c.output);
        const Location moved{c.output, here.size, out.file->size()};
        if (const auto ec = out.file->append(buffer)) {
          fail(ec, "compaction append");
          break;
        }
        storage::append_index_entry(out.index_entries, {r, moved.offset, moved.size});
        ++out.index_count;
        if (live) {
          drop(*current);
          *current = moved;
          out.live += moved.size;
        }
      }
      c.offset += size;
      budget -= std::min<std::uint64_t>(budget, size);
    }
  } catch (const std::system_error& e) {
    fail(e.code(), e.what());
  }
  if (failed_) {
    compaction_.reset();
    return false;
  }
  // Each step's copies reach the disk before the step ends, so the victims can go at the end.
  if (c.output != 0) {
    if (const auto ec = segments_.at(c.output).file->sync()) {
      fail(ec, "compaction sync");
      compaction_.reset();
      return false;
    }
  }
  if (c.current < c.victims.size()) return true;

  if (c.output != 0) close_segment(c.output);
  if (!c.damaged) {
    for (const std::uint32_t victim : c.victims) {
      stats_.compacted_bytes += segments_.at(victim).file->size();
      segments_.erase(victim);
      std::error_code ignored;
      std::filesystem::remove(segment_path(victim), ignored);
      std::filesystem::remove(index_path(victim), ignored);
    }
    if (const auto ec = storage::sync_directory(dir_)) fail(ec, "compaction directory sync");
  }
  ++stats_.compactions;
  compaction_.reset();
  return false;
}

}  // namespace dynamo
