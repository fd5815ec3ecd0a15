#pragma once
// The keys intake works with, live: the keyring file is re-read when it
// changes (issue #10, rotation without downtime). Moving `active` to a new
// contact key therefore needs no restart; a bad new file is refused and the
// previous keys keep serving.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/privacy/aead.h"
#include "libs/privacy/keyring.h"
#include "libs/runtime/file_reloader.h"
#include "libs/text/normalize.h"
#include "services/intake/record_builder.h"

namespace fbl::intake {

// One consistent generation of keys and what is built from them. Immutable.
struct IntakeKeys {
  privacy::Keyring keyring;
  privacy::Sealer sealer;
  std::string active_contact_key;        // id new contact blobs are sealed under
  std::shared_ptr<const RecordBuilder> builder;
  std::string version;  // "contact=<active id> (also <older ids>) pseudonym=<id>", for logs (ids only)
};

// FAILED_PRECONDITION when a contact or pseudonym key is missing.
[[nodiscard]] absl::StatusOr<std::shared_ptr<const IntakeKeys>> MakeIntakeKeys(privacy::Keyring keyring,
                                                                              const text::Normalizer& normalizer);

// The current IntakeKeys, from a file (polled) or from $FBL_KEYRING (fixed).
class LiveKeys {
 public:
  // `keyring_file` empty: $FBL_KEYRING, never reloaded. Fails like Keyring::Load.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveKeys>> Create(const std::string& keyring_file,
                                                                       text::Normalizer normalizer);
  // Fixed keys (tests, tools).
  explicit LiveKeys(std::shared_ptr<const IntakeKeys> fixed) : fixed_(std::move(fixed)) {}

  // Never null; thread-safe.
  std::shared_ptr<const IntakeKeys> Current() const { return reloader_ ? reloader_->Current() : fixed_; }

  // Re-reads the file if it changed (or regardless when `forced`) and logs
  // the result: nullopt unchanged (or no file), true swapped in, false refused.
  std::optional<bool> Reload(bool forced);

 private:
  explicit LiveKeys(std::unique_ptr<config::FileReloader<IntakeKeys>> reloader) : reloader_(std::move(reloader)) {}

  std::unique_ptr<config::FileReloader<IntakeKeys>> reloader_;
  std::shared_ptr<const IntakeKeys> fixed_;
};

}  // namespace fbl::intake
