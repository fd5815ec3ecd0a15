#pragma once

// Minimal PNG decoder for the screenshot test: 8-bit greyscale, grey+alpha,
// RGB, RGBA and palette images, not interlaced (what Chromium writes).

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fbl::report::testing {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint32_t> rgb;  // 0xRRGGBB per pixel, row-major, alpha ignored
};

absl::StatusOr<Image> DecodePng(std::string_view bytes);

}  // namespace fbl::report::testing
