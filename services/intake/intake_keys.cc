#include "services/intake/intake_keys.h"

#include "absl/strings/str_cat.h"
#include "libs/privacy/pseudonym.h"
#include "libs/runtime/reload.h"
#include "libs/text/vague.h"

namespace fbl::intake {

absl::StatusOr<std::shared_ptr<const IntakeKeys>> MakeIntakeKeys(privacy::Keyring keyring,
                                                                const text::Normalizer& normalizer) {
  auto pseudonymizer = privacy::Pseudonymizer::Create(keyring);
  if (!pseudonymizer.ok()) return pseudonymizer.status();
  auto sealer = privacy::Sealer::Create(keyring);
  if (!sealer.ok()) return sealer.status();
  const privacy::Key* contact = keyring.Active(privacy::kPurposeContact);
  const privacy::Key* pseudonym = keyring.Active(privacy::kPurposePseudonym);
  auto builder = std::make_shared<const RecordBuilder>(normalizer, text::VagueDetector(), *pseudonymizer, *sealer);
  // E.g. "contact=c20270301 (also c20261122) pseudonym=p20261122": ids only.
  std::string others;
  for (const std::string& id : keyring.Ids(privacy::kPurposeContact)) {
    if (id != contact->id) absl::StrAppend(&others, others.empty() ? "" : ",", id);
  }
  std::string version = absl::StrCat("contact=", contact->id);
  if (!others.empty()) absl::StrAppend(&version, " (also ", others, ")");
  absl::StrAppend(&version, " pseudonym=", pseudonym->id);
  std::string active = contact->id;
  return std::make_shared<const IntakeKeys>(
      IntakeKeys{std::move(keyring), *std::move(sealer), std::move(active), std::move(builder), std::move(version)});
}

absl::StatusOr<std::unique_ptr<LiveKeys>> LiveKeys::Create(const std::string& keyring_file,
                                                           text::Normalizer normalizer) {
  if (keyring_file.empty()) {
    auto ring = privacy::Keyring::Load("");
    if (!ring.ok()) return ring.status();
    auto keys = MakeIntakeKeys(*std::move(ring), normalizer);
    if (!keys.ok()) return keys.status();
    return std::make_unique<LiveKeys>(*std::move(keys));
  }
  auto build = [normalizer](const std::string& path) -> absl::StatusOr<std::shared_ptr<const IntakeKeys>> {
    auto ring = privacy::Keyring::Load(path);
    if (!ring.ok()) return ring.status();
    return MakeIntakeKeys(*std::move(ring), normalizer);
  };
  auto reloader = config::FileReloader<IntakeKeys>::Create(keyring_file, build,
                                                           [](const IntakeKeys& k) { return k.version; });
  if (!reloader.ok()) return reloader.status();
  return std::unique_ptr<LiveKeys>(new LiveKeys(*std::move(reloader)));
}

std::optional<bool> LiveKeys::Reload(bool forced) {
  if (!reloader_) return std::nullopt;
  return runtime::ReloadAndLog(*reloader_, forced, "keyring");
}

}  // namespace fbl::intake
