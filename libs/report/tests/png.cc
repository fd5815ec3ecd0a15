#include "libs/report/tests/png.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fbl::report::testing {
namespace {

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

int Paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

}  // namespace

absl::StatusOr<Image> DecodePng(std::string_view bytes) {
  static constexpr unsigned char kSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kSignature, 8) != 0) {
    return absl::InvalidArgumentError("not a PNG file");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t pos = 8;
  uint32_t width = 0, height = 0;
  int color_type = -1;
  std::string idat;
  std::vector<uint32_t> palette;
  while (pos + 12 <= bytes.size()) {
    const uint32_t len = Be32(data + pos);
    const std::string_view type(bytes.data() + pos + 4, 4);
    if (pos + 12 + len > bytes.size()) return absl::InvalidArgumentError("truncated chunk");
    const unsigned char* body = data + pos + 8;
    if (type == "IHDR") {
      if (len != 13) return absl::InvalidArgumentError("bad IHDR");
      width = Be32(body);
      height = Be32(body + 4);
      const int depth = body[8];
      color_type = body[9];
      if (depth != 8) return absl::UnimplementedError(absl::StrCat("bit depth ", depth));
      if (body[12] != 0) return absl::UnimplementedError("interlaced PNG");
    } else if (type == "PLTE") {
      for (uint32_t i = 0; i + 2 < len; i += 3) {
        palette.push_back((uint32_t{body[i]} << 16) | (uint32_t{body[i + 1]} << 8) | body[i + 2]);
      }
    } else if (type == "IDAT") {
      idat.append(reinterpret_cast<const char*>(body), len);
    } else if (type == "IEND") {
      break;
    }
    pos += 12 + len;
  }
  int channels;
  switch (color_type) {
    case 0: channels = 1; break;
    case 2: channels = 3; break;
    case 3: channels = 1; break;
    case 4: channels = 2; break;
    case 6: channels = 4; break;
    default: return absl::InvalidArgumentError(absl::StrCat("colour type ", color_type));
  }
  if (width == 0 || height == 0 || width > 20000 || height > 20000) {
    return absl::InvalidArgumentError("bad dimensions");
  }
  const size_t stride = size_t{width} * channels;
  std::vector<unsigned char> raw((stride + 1) * height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
      raw_len != raw.size()) {
    return absl::InvalidArgumentError("IDAT does not inflate to the image size");
  }
  std::vector<unsigned char> pixels(stride * height);
  for (size_t y = 0; y < height; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* in = raw.data() + y * (stride + 1) + 1;
    unsigned char* out = pixels.data() + y * stride;
    const unsigned char* up = y > 0 ? out - stride : nullptr;
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<size_t>(channels) ? out[x - channels] : 0;
      const int b = up != nullptr ? up[x] : 0;
      const int c = up != nullptr && x >= static_cast<size_t>(channels) ? up[x - channels] : 0;
      int v;
      switch (filter) {
        case 0: v = in[x]; break;
        case 1: v = in[x] + a; break;
        case 2: v = in[x] + b; break;
        case 3: v = in[x] + (a + b) / 2; break;
        case 4: v = in[x] + Paeth(a, b, c); break;
        default: return absl::InvalidArgumentError(absl::StrCat("filter ", int{filter}));
      }
      out[x] = static_cast<unsigned char>(v);
    }
  }
  Image image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.rgb.resize(size_t{width} * height);
  for (size_t i = 0; i < image.rgb.size(); ++i) {
    const unsigned char* p = pixels.data() + i * channels;
    switch (color_type) {
      case 0:
      case 4: image.rgb[i] = (uint32_t{p[0]} << 16) | (uint32_t{p[0]} << 8) | p[0]; break;
      case 3:
        if (p[0] >= palette.size()) return absl::InvalidArgumentError("palette index out of range");
        image.rgb[i] = palette[p[0]];
        break;
      default: image.rgb[i] = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2]; break;
    }
  }
  return image;
}

}  // namespace fbl::report::testing
