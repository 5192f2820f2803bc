// A fixed-size bit set for privilege masks (MINIX's sys_map_t / bitchunk_t
// arrays), without the standard library's <bitset> (which is not freestanding).
#pragma once

#include <cstddef>
#include <cstdint>

namespace umk {

template <int N>
class Bitmap {
  public:
    static constexpr int size() { return N; }
    constexpr bool test(int i) const {
        return i >= 0 && i < N && (words_[i / 64] >> (i % 64)) & 1u;
    }
    constexpr void set(int i) {
        if (i >= 0 && i < N) words_[i / 64] |= std::uint64_t{1} << (i % 64);
    }
    constexpr void reset(int i) {
        if (i >= 0 && i < N) words_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    }
    constexpr void clear() {
        for (auto& w : words_) w = 0;
    }
    constexpr void fill() {
        for (int i = 0; i < N; ++i) set(i);
    }
    constexpr bool any() const {
        for (auto w : words_)
            if (w) return true;
        return false;
    }
    // Lowest set bit at or after `from`, or -1.
    constexpr int find_next(int from = 0) const {
        for (int i = from < 0 ? 0 : from; i < N; ++i)
            if (test(i)) return i;
        return -1;
    }

  private:
    std::uint64_t words_[(N + 63) / 64] = {};
};

}  // namespace umk
